/**
 * FakeSlackApi: a contract fake of the Slack Web API on 127.0.0.1, for the real WebClient and Bolt to
 * talk to. It speaks the wire protocol (POST form or JSON bodies, `Authorization: Bearer`, `{ok, error}`
 * replies, HTTP 429 with `Retry-After`), records every call, and is as strict as Slack: each method's
 * required arguments, scopes (those manifest.yaml grants, unless a workspace says otherwise) and rate
 * tier, channel membership, list paging, user-group permissions, plans and guests, org tokens' team_id,
 * response_url and trigger_id lifetimes, and Block Kit limits (fake-slack-rules.ts, each rule with its
 * Slack page). It keeps just enough state (users, conversations, user groups, posted messages) for the
 * adapter's reads to be answered. Posting limits are configurable so benchmarks can use it too.
 * OAuth: it knows an app's credentials (addOAuthApp), issues one-time codes as Slack's consent page
 * would (issueCode) and exchanges them in oauth.v2.access; an org-wide Enterprise Grid install is one
 * token for several workspaces (addOrgInstall), listed by auth.teams.list.
 * Sign in with Slack: issueSignInCode stands for the person's consent; openid.connect.token exchanges
 * the code (once, with the app's credentials), openid.connect.userInfo names the person and workspace.
 *
 *   const slack = await new FakeSlackApi().start();
 *   slack.addWorkspace({ team: "T1", botToken: "xoxb-1" });
 *   new WebClient("xoxb-1", { slackApiUrl: slack.apiUrl });
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  blockKitProblem,
  MESSAGE_TEXT_LIMIT,
  METHOD_RULES,
  manifestBotScopes,
  neededScopes,
  RESPONSE_URL,
  TIER_PER_MINUTE,
  TOPIC_LIMIT,
  TRIGGER_VALID_MS,
} from "./fake-slack-rules.js";

export interface FakeWorkspace {
  /** The workspace's team id; for an org-wide install, the enterprise id. */
  team: string;
  teamName?: string;
  botToken: string;
  botUserId?: string;
  botId?: string;
  /** Enterprise Grid: the org this workspace (or org-wide install) belongs to. */
  enterprise?: string;
  /** An org-wide install: the org's workspaces its one token works in. */
  orgTeams?: string[];
  /** Bot scopes granted; manifest.yaml's by default. */
  scopes?: string[];
  /** User groups are a paid feature (https://slack.com/help/articles/212906697). Default "paid". */
  plan?: "free" | "paid";
  /**
   * Who may change user groups (Workspace settings → Permissions). A bot token may only where it is
   * "everyone" (https://api.slack.com/methods/usergroups.users.update, "Usage info"). Default "everyone".
   */
  usergroupManagers?: "everyone" | "admins";
}

export interface FakeUser {
  id: string;
  team: string;
  name?: string;
  realName?: string;
  tz?: string;
  isBot?: boolean;
  /** A guest account: multi-channel (is_restricted) or single-channel (is_ultra_restricted). */
  guest?: "multi" | "single";
  /** A workspace admin (users.info `is_admin`). */
  isAdmin?: boolean;
}

export interface FakeConversation {
  id: string;
  team: string;
  name?: string;
  kind?: "public" | "private" | "im" | "mpim";
  /** Everyone in it, the bot included when it was invited: the bot reads and posts only where it is. */
  members?: string[];
  topic?: string;
  archived?: boolean;
}

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** Bearer token (or `token` argument) the call carried. */
  token: string | undefined;
  /** Team the token belongs to, when it is a known bot token. */
  team: string | undefined;
  at: number;
  /** What the fake answered (0 while unanswered): HTTP status and Slack error, if any. */
  status: number;
  error?: string;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
  /** What the fake answered: 200, or 404 for an expired or used-up url. */
  status: number;
}

/** A scripted failure for the next call(s) to a method. */
export type Fault =
  | { status: 429; retryAfter: number }
  | { error: string }
  | { status: number }
  | { delayMs: number };

export interface RateLimits {
  /** Minimum milliseconds between two posts in one channel (Slack: about 1 s); 0 disables. */
  perChannelIntervalMs: number;
  /** Posts allowed per workspace within `workspaceWindowMs`; 0 disables. */
  workspacePosts: number;
  workspaceWindowMs: number;
  /** Retry-After, in seconds, that a rate-limited post is answered with. */
  retryAfterSeconds: number;
}

const POSTING_METHODS = new Set(["chat.postMessage", "chat.postEphemeral"]);
/** Methods that, with an org-wide token, must name the workspace (each method's page: "team_id ... required if org token is used"). */
const TEAM_ID_WITH_ORG_TOKEN = new Set([
  "users.list",
  "usergroups.list",
  "usergroups.create",
  "usergroups.users.update",
]);

/** A message in a conversation's history: said by a person (addMessage) or posted by the bot. */
interface StoredMessage {
  ts: string;
  user: string;
  text: string;
  thread_ts?: string;
  /** The message metadata the app attached (https://docs.slack.dev/messaging/message-metadata/). */
  metadata?: unknown;
}

export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  /** Where Socket Mode clients are sent by apps.connections.open. */
  socketModeUrl: string | undefined;
  /** App-level tokens (xapp-) accepted by apps.connections.open. */
  readonly appTokens = new Set<string>();
  limits: RateLimits = {
    perChannelIntervalMs: 0,
    workspacePosts: 0,
    workspaceWindowMs: 60_000,
    retryAfterSeconds: 1,
  };
  /**
   * Every method limited by its tier per workspace (fake-slack-rules.ts). On by default; a benchmark
   * that measures the bot rather than Slack's limits may turn it off.
   */
  tierLimits = true;

  private server: Server | undefined;
  private readonly workspaces = new Map<string, FakeWorkspace>();
  private readonly users = new Map<string, FakeUser>();
  private readonly conversations = new Map<string, FakeConversation>();
  private readonly usergroups = new Map<
    string,
    { id: string; team: string; handle: string; name: string; users: string[] }
  >();
  private readonly faults = new Map<string, Fault[]>();
  private readonly oauthApps = new Map<string, string>();
  /** OAuth codes not yet exchanged, and the token each grants. */
  private readonly codes = new Map<string, { botToken: string; installer: string }>();
  private readonly signInCodes = new Map<string, { team: string; user: string }>();
  private readonly signInTokens = new Map<string, { team: string; user: string }>();
  private readonly lastPostInChannel = new Map<string, number>();
  private readonly workspacePostTimes = new Map<string, number[]>();
  private tsCounter = 0;
  private readonly waiters: Array<() => void> = [];
  /** Per `team method`, when its recent calls came (for the tier limits). */
  private readonly tierCalls = new Map<string, number[]>();
  private readonly responseUrls = new Map<string, { issued: number; uses: number }>();
  private readonly usedTriggers = new Set<string>();
  /** Messages per channel, oldest first: what people said (addMessage) and what the bot posted. */
  private readonly history = new Map<string, StoredMessage[]>();
  /** Bot tokens Slack has revoked (tokens_revoked, app_uninstalled). */
  private readonly revoked = new Set<string>();

  /** http://127.0.0.1:PORT/api/ : give it to WebClient as `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error("FakeSlackApi is not started");
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  addWorkspace(ws: FakeWorkspace): FakeWorkspace {
    const full = {
      botUserId: `UBOT${ws.team}`,
      botId: `BBOT${ws.team}`,
      teamName: `Team ${ws.team}`,
      scopes: manifestBotScopes(),
      ...ws,
    };
    this.workspaces.set(full.botToken, full);
    this.users.set(full.botUserId, { id: full.botUserId, team: full.team, name: "outloud", isBot: true });
    return full;
  }

  /**
   * An org-wide (Enterprise Grid) install: one bot token for every listed workspace of the org. Its
   * calls are recorded with the enterprise id as their team.
   */
  addOrgInstall(org: { enterprise: string; botToken: string; teams: string[] }): FakeWorkspace {
    return this.addWorkspace({
      team: org.enterprise,
      teamName: `Org ${org.enterprise}`,
      botToken: org.botToken,
      enterprise: org.enterprise,
      orgTeams: org.teams,
    });
  }

  /** An app that may exchange OAuth codes (oauth.v2.access) with these credentials. */
  addOAuthApp(clientId: string, clientSecret: string): void {
    this.oauthApps.set(clientId, clientSecret);
  }

  /**
   * What Slack does when an admin approves the install in the browser: a one-time code, redirected to
   * the app, that oauth.v2.access exchanges for the (already added) workspace's or org's bot token.
   */
  issueCode(botToken: string, installer = "UADMIN"): string {
    if (!this.workspaces.has(botToken)) throw new Error("issueCode: add the workspace or org first");
    const code = `code-${randomUUID()}`;
    this.codes.set(code, { botToken, installer });
    return code;
  }

  /** What Slack's OpenID Connect consent page hands back: a one-time code for `user` of `team`. */
  issueSignInCode(team: string, user: string): string {
    const code = `oidc-${randomUUID()}`;
    this.signInCodes.set(code, { team, user });
    return code;
  }

  addUser(user: FakeUser): void {
    this.users.set(user.id, user);
  }

  addConversation(conversation: FakeConversation): void {
    this.conversations.set(conversation.id, { kind: "public", members: [], ...conversation });
  }

  /** Someone said something in a conversation (the matching event is the test's to send). */
  addMessage(channel: string, message: StoredMessage): void {
    const list = this.history.get(channel) ?? [];
    list.push(message);
    this.history.set(channel, list);
  }

  conversation(id: string): FakeConversation | undefined {
    return this.conversations.get(id);
  }

  usergroupMembers(handle: string, team?: string): string[] | undefined {
    for (const g of this.usergroups.values())
      if (g.handle === handle && (!team || g.team === team)) return g.users;
    return undefined;
  }

  /** The workspace's settings as an admin would change them (plan, user-group permissions, scopes). */
  updateWorkspace(botToken: string, change: Partial<FakeWorkspace>): void {
    const ws = this.workspaces.get(botToken);
    if (!ws) throw new Error("updateWorkspace: no such workspace");
    Object.assign(ws, change);
  }

  /** Slack revokes the token (an uninstall, or an admin revoking it): every call answers token_revoked. */
  revokeToken(botToken: string): void {
    this.revoked.add(botToken);
  }

  /**
   * The next `times` calls to `method` fail (or, with `delayMs`, answer late) as described (default
   * once). `{ status: 429, retryAfter }` forces a rate limit on any method.
   */
  failNext(method: string, fault: Fault, times = 1): void {
    const queue = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.faults.set(method, queue);
  }

  /** How many calls each method got (answered or not): the Web API budget a scenario cost. */
  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.calls) counts[c.method] = (counts[c.method] ?? 0) + 1;
    return counts;
  }

  /** Calls to `method` so far. */
  countOf(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** Forgets the recorded calls, so a test can count what one step costs. */
  resetCalls(): void {
    this.calls.length = 0;
  }

  /** Calls that succeeded, optionally of one method. */
  succeeded(method?: string): RecordedCall[] {
    return this.calls.filter((c) => c.status === 200 && !c.error && (!method || c.method === method));
  }

  /** Resolves once `predicate` holds over the recorded calls (checked after each call), or rejects after `timeoutMs`. */
  async waitFor(predicate: (fake: this) => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate(this)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("FakeSlackApi.waitFor timed out")), timeoutMs);
      const check = () => {
        if (predicate(this)) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  /**
   * A response_url the adapter can post to; posts are recorded in `responseUrlPosts`. Like Slack's, it
   * takes 5 posts within 30 minutes (RESPONSE_URL); `issuedAgoMs` makes one issued that long ago.
   */
  responseUrl(issuedAgoMs = 0): string {
    const id = randomUUID();
    this.responseUrls.set(id, { issued: Date.now() - issuedAgoMs, uses: 0 });
    return `${this.baseUrl}/response/${id}`;
  }

  private notify(): void {
    const waiting = this.waiters.splice(0);
    for (const w of waiting) w();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith("/response/")) {
      const id = url.pathname.slice("/response/".length);
      const issued = this.responseUrls.get(id);
      const body = parseBody(req, raw);
      // https://api.slack.com/interactivity/handling#message_responses: 5 uses within 30 minutes.
      let problem: string | undefined;
      if (!issued || Date.now() - issued.issued > RESPONSE_URL.validMs) problem = "expired_url";
      else if (issued.uses >= RESPONSE_URL.uses) problem = "used_url";
      else if (body.blocks !== undefined && blockKitProblem(asJson(body.blocks), "message"))
        problem = "invalid_blocks";
      if (issued && !problem) issued.uses += 1;
      const status = problem ? 404 : 200;
      this.responseUrlPosts.push({ id, body, at: Date.now(), status });
      res.writeHead(status, { "content-type": "text/plain" }).end(problem ?? "ok");
      this.notify();
      return;
    }
    if (!url.pathname.startsWith("/api/") || req.method !== "POST") {
      res.writeHead(404).end();
      return;
    }
    const method = url.pathname.slice("/api/".length);
    const args = parseBody(req, raw);
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ")
      ? auth.slice("Bearer ".length)
      : (args.token as string | undefined);
    const workspace = token ? this.workspaces.get(token) : undefined;
    // Status 0 until answered: a call still in flight has not succeeded.
    const call: RecordedCall = { method, args, token, team: workspace?.team, at: Date.now(), status: 0 };
    this.calls.push(call);
    this.notify();

    const reply = (
      status: number,
      body: Record<string, unknown> | undefined,
      headers: Record<string, string> = {},
    ) => {
      call.status = status;
      if (body && body.ok === false) call.error = String(body.error);
      res
        .writeHead(status, { "content-type": "application/json", ...headers })
        .end(body ? JSON.stringify(body) : "");
      this.notify();
    };

    let fault = this.faults.get(method)?.shift();
    if (fault && "delayMs" in fault) {
      // A slow Slack: answer normally, late.
      await new Promise((r) => setTimeout(r, (fault as { delayMs: number }).delayMs));
      fault = undefined;
    }
    if (fault) {
      if ("retryAfter" in fault)
        return reply(429, { ok: false, error: "ratelimited" }, { "retry-after": String(fault.retryAfter) });
      if ("error" in fault) return reply(200, { ok: false, error: fault.error });
      return reply(fault.status, undefined);
    }

    if (method === "apps.connections.open") {
      if (!token || !this.appTokens.has(token)) return reply(200, { ok: false, error: "invalid_auth" });
      if (!this.socketModeUrl) return reply(200, { ok: false, error: "internal_error" });
      return reply(200, { ok: true, url: this.socketModeUrl });
    }
    if (method === "oauth.v2.access") return reply(200, this.oauthAccess(args, auth));
    if (method === "openid.connect.token") return reply(200, this.signInToken(args, auth));
    if (method === "openid.connect.userInfo") {
      // https://api.slack.com/methods/openid.connect.userInfo: the user token from openid.connect.token.
      const who = token ? this.signInTokens.get(token) : undefined;
      if (!who) return reply(200, { ok: false, error: token ? "invalid_auth" : "not_authed" });
      return reply(200, {
        ok: true,
        sub: who.user,
        "https://slack.com/user_id": who.user,
        "https://slack.com/team_id": who.team,
      });
    }
    if (token && this.revoked.has(token)) return reply(200, { ok: false, error: "token_revoked" });
    if (!workspace) return reply(200, { ok: false, error: token ? "invalid_auth" : "not_authed" });
    const retryAfter = this.tierLimited(workspace.team, method);
    if (retryAfter !== undefined)
      return reply(429, { ok: false, error: "ratelimited" }, { "retry-after": String(retryAfter) });

    if (POSTING_METHODS.has(method)) {
      const limited = this.rateLimited(workspace.team, String(args.channel ?? ""));
      if (limited)
        return reply(
          429,
          { ok: false, error: "ratelimited" },
          { "retry-after": String(this.limits.retryAfterSeconds) },
        );
    }
    try {
      return reply(200, { ok: true, ...this.answer(method, args, workspace) });
    } catch (err) {
      if (err instanceof SlackError) return reply(200, { ok: false, error: err.code, ...err.extra });
      throw err;
    }
  }

  /**
   * oauth.v2.access: the app's credentials (HTTP Basic or client_id/client_secret), a code issued by
   * issueCode and not used before. The answer has Slack's shape for a bot install: the token, its
   * scopes, the bot user, the workspace or (org-wide) the enterprise.
   */
  private oauthAccess(args: Record<string, unknown>, auth: string | undefined): Record<string, unknown> {
    let clientId = args.client_id as string | undefined;
    let secret = args.client_secret as string | undefined;
    if (auth?.startsWith("Basic ")) {
      const [id, pass] = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":", 2);
      clientId = id;
      secret = pass;
    }
    if (!clientId || !this.oauthApps.has(clientId)) return { ok: false, error: "invalid_client_id" };
    if (this.oauthApps.get(clientId) !== secret) return { ok: false, error: "bad_client_secret" };
    const code = this.codes.get(String(args.code ?? ""));
    if (!code) return { ok: false, error: "invalid_code" };
    this.codes.delete(String(args.code));
    const ws = this.workspaces.get(code.botToken)!;
    const org = Boolean(ws.orgTeams);
    return {
      ok: true,
      access_token: ws.botToken,
      token_type: "bot",
      scope: "channels:history,chat:write,commands",
      bot_user_id: ws.botUserId,
      app_id: "AFAKE",
      team: org ? null : { id: ws.team, name: ws.teamName },
      enterprise: ws.enterprise ? { id: ws.enterprise, name: `Org ${ws.enterprise}` } : null,
      authed_user: { id: code.installer },
      is_enterprise_install: org,
    };
  }

  /**
   * openid.connect.token (https://api.slack.com/methods/openid.connect.token): the app's credentials
   * (form fields or HTTP Basic) and a sign-in code not used before; answers a user token and an id token.
   */
  private signInToken(args: Record<string, unknown>, auth: string | undefined): Record<string, unknown> {
    let clientId = args.client_id as string | undefined;
    let secret = args.client_secret as string | undefined;
    if (auth?.startsWith("Basic "))
      [clientId, secret] = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":", 2);
    if (!clientId || !this.oauthApps.has(clientId)) return { ok: false, error: "invalid_client_id" };
    if (this.oauthApps.get(clientId) !== secret) return { ok: false, error: "bad_client_secret" };
    const who = this.signInCodes.get(String(args.code ?? ""));
    if (!who) return { ok: false, error: "invalid_code" };
    this.signInCodes.delete(String(args.code));
    const accessToken = `xoxp-oidc-${randomUUID()}`;
    this.signInTokens.set(accessToken, who);
    return {
      ok: true,
      access_token: accessToken,
      token_type: "Bearer",
      id_token: "header.payload.signature",
    };
  }

  /** Does a token work in this team? Its own workspace's, or any of its org's for an org-wide install. */
  private covers(ws: FakeWorkspace, team: string): boolean {
    return ws.orgTeams ? ws.orgTeams.includes(team) : ws.team === team;
  }

  /**
   * The method's tier allows so many calls a minute per workspace
   * (https://api.slack.com/apis/rate-limits#tiers): past that, 429 with the seconds until the oldest
   * call in the window is a minute old. Returns that wait, or undefined when the call may go.
   */
  private tierLimited(team: string, method: string): number | undefined {
    const tier = METHOD_RULES[method]?.tier;
    if (!this.tierLimits || tier === undefined || tier === "special") return undefined;
    const now = Date.now();
    const key = `${team} ${method}`;
    const recent = (this.tierCalls.get(key) ?? []).filter((t) => now - t < 60_000);
    this.tierCalls.set(key, recent);
    if (recent.length >= TIER_PER_MINUTE[tier])
      return Math.max(1, Math.ceil((recent[0]! + 60_000 - now) / 1000));
    recent.push(now);
    return undefined;
  }

  private rateLimited(team: string, channel: string): boolean {
    const now = Date.now();
    const { perChannelIntervalMs, workspacePosts, workspaceWindowMs } = this.limits;
    const channelKey = `${team}/${channel}`;
    if (perChannelIntervalMs > 0) {
      const last = this.lastPostInChannel.get(channelKey);
      if (last !== undefined && now - last < perChannelIntervalMs) return true;
    }
    if (workspacePosts > 0) {
      const times = (this.workspacePostTimes.get(team) ?? []).filter((t) => now - t < workspaceWindowMs);
      this.workspacePostTimes.set(team, times);
      if (times.length >= workspacePosts) return true;
      times.push(now);
    }
    this.lastPostInChannel.set(channelKey, now);
    return false;
  }

  private answer(method: string, args: Record<string, unknown>, ws: FakeWorkspace): Record<string, unknown> {
    // Methods on a conversation check the scope for its kind once it is found; the rest here.
    const rule = METHOD_RULES[method];
    if (rule && Array.isArray(rule.scopes)) this.needScopes(ws, method, undefined);
    switch (method) {
      case "auth.test":
        return {
          url: `https://${ws.team}.slack.test/`,
          team: ws.teamName,
          team_id: ws.team,
          user: "outloud",
          user_id: ws.botUserId,
          bot_id: ws.botId,
          ...(ws.enterprise ? { enterprise_id: ws.enterprise } : {}),
          ...(ws.orgTeams ? { is_enterprise_install: true } : {}),
        };
      case "auth.teams.list": {
        // The workspaces an org-wide install was granted; a workspace's own token lists itself.
        const teams = ws.orgTeams ?? [ws.team];
        return {
          teams: teams.map((id) => ({ id, name: `Team ${id}` })),
          response_metadata: { next_cursor: "" },
        };
      }
      case "chat.postMessage": {
        const channel = this.postableChannel(ws, method, required(args, "channel"));
        if (!args.text && !args.blocks && !args.attachments) throw new SlackError("no_text");
        if (String(args.text ?? "").length > MESSAGE_TEXT_LIMIT) throw new SlackError("msg_too_long");
        if (args.blocks !== undefined && blockKitProblem(asJson(args.blocks), "message"))
          throw new SlackError("invalid_blocks");
        const ts = this.nextTs();
        // Kept for conversations.history and .replies, with the message metadata the app attached
        // (https://docs.slack.dev/messaging/message-metadata/: `event_type` and `event_payload`).
        const metadata = typeof args.metadata === "string" ? JSON.parse(args.metadata) : args.metadata;
        const thread = args.thread_ts ? String(args.thread_ts) : undefined;
        const text = String(args.text ?? "");
        this.addMessage(channel.id, { ts, user: ws.botUserId!, text, thread_ts: thread, metadata });
        return {
          channel: channel.id,
          ts,
          message: { text: args.text, user: ws.botUserId, ts, thread_ts: args.thread_ts },
        };
      }
      // https://docs.slack.dev/reference/methods/conversations.replies: a thread, parent first; metadata
      // only with `include_all_metadata`.
      case "conversations.replies": {
        const c = this.visibleChannel(ws, method, required(args, "channel"));
        const ts = required(args, "ts");
        const messages = (this.history.get(c.id) ?? [])
          .filter((m) => m.ts === ts || m.thread_ts === ts)
          .map((m) => asListed(m, args));
        return { messages, has_more: false, response_metadata: { next_cursor: "" } };
      }
      case "chat.postEphemeral": {
        const channel = this.postableChannel(ws, method, required(args, "channel"));
        const user = required(args, "user");
        if (!args.text && !args.blocks && !args.attachments) throw new SlackError("no_text");
        if (args.blocks !== undefined && blockKitProblem(asJson(args.blocks), "message"))
          throw new SlackError("invalid_blocks");
        if (!(channel.members ?? []).includes(user)) throw new SlackError("user_not_in_channel");
        return { message_ts: this.nextTs() };
      }
      case "chat.getPermalink": {
        const channel = this.visibleChannel(ws, method, required(args, "channel"));
        const ts = required(args, "message_ts");
        return {
          channel: channel.id,
          permalink: `https://${ws.team}.slack.test/archives/${channel.id}/p${ts.replace(".", "")}`,
        };
      }
      case "conversations.setTopic": {
        // https://api.slack.com/methods/conversations.setTopic: a member may set it, up to 250 characters.
        const channel = this.postableChannel(ws, method, required(args, "channel"));
        const topic = required(args, "topic", true);
        if (topic.length > TOPIC_LIMIT) throw new SlackError("too_long");
        channel.topic = topic;
        return { channel: { id: channel.id, topic: { value: channel.topic } } };
      }
      case "conversations.history": {
        // https://api.slack.com/methods/conversations.history: newest first, thread replies left out;
        // `latest` + `inclusive` pick one message; metadata only with `include_all_metadata`.
        const c = this.visibleChannel(ws, method, required(args, "channel"));
        const latest = args.latest ? Number(args.latest) : Number.POSITIVE_INFINITY;
        const inclusive = args.inclusive === true || args.inclusive === "true";
        const limit = Math.min(Number(args.limit) || 100, 999);
        const messages = (this.history.get(c.id) ?? [])
          .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
          .filter((m) => Number(m.ts) < latest || (inclusive && Number(m.ts) === latest))
          .reverse()
          .slice(0, limit)
          .map((m) => asListed(m, args));
        return { messages, has_more: false, response_metadata: { next_cursor: "" } };
      }
      case "conversations.info": {
        const c = this.visibleChannel(ws, method, required(args, "channel"));
        return { channel: conversationJson(c) };
      }
      case "conversations.members": {
        // https://api.slack.com/methods/conversations.members: cursor-paged, `limit` default 100.
        const c = this.visibleChannel(ws, method, required(args, "channel"));
        const { items, next } = page(c.members ?? [], args, 100);
        return { members: items, response_metadata: { next_cursor: next } };
      }
      case "conversations.open": {
        const users = required(args, "users")
          .split(",")
          .map((u) => u.trim())
          .sort();
        for (const u of users) this.userIn(ws, u);
        const members = [...users, ws.botUserId!];
        for (const c of this.conversations.values()) {
          if (
            c.team === ws.team &&
            (c.kind === "im" || c.kind === "mpim") &&
            sameMembers(c.members ?? [], members)
          )
            return { channel: { id: c.id } };
        }
        const id = `D${ws.team}${this.conversations.size + 1}`;
        this.addConversation({ id, team: ws.team, kind: users.length > 1 ? "mpim" : "im", members });
        return { channel: { id } };
      }
      case "users.info":
        return { user: userJson(this.userIn(ws, required(args, "user"))) };
      case "users.list": {
        // https://api.slack.com/methods/users.list: cursor-paged; team_id with an org token.
        const team = this.teamOf(ws, method, args);
        const all = [...this.users.values()].filter((u) => u.team === team).map(userJson);
        const { items, next } = page(all, args, 200);
        return { members: items, response_metadata: { next_cursor: next } };
      }
      case "usergroups.list": {
        const team = this.teamOf(ws, method, args);
        return {
          usergroups: [...this.usergroups.values()]
            .filter((g) => g.team === team)
            .map((g) => ({ id: g.id, handle: g.handle, name: g.name, users: g.users })),
        };
      }
      case "usergroups.create": {
        const team = this.teamOf(ws, method, args);
        this.mayManageUsergroups(ws);
        const name = required(args, "name");
        const handle = String(args.handle ?? name);
        for (const g of this.usergroups.values())
          if (g.team === team && (g.handle === handle || g.name === name))
            throw new SlackError("name_already_exists");
        const id = `S${team}${this.usergroups.size + 1}`;
        const group = { id, team, handle, name, users: [] as string[] };
        this.usergroups.set(id, group);
        return { usergroup: { id, handle, name, users: [] } };
      }
      case "usergroups.users.update": {
        const team = this.teamOf(ws, method, args);
        this.mayManageUsergroups(ws);
        const group = this.usergroups.get(required(args, "usergroup"));
        if (!group || group.team !== team) throw new SlackError("no_such_subteam");
        const users = required(args, "users")
          .split(",")
          .map((u) => u.trim())
          .filter(Boolean);
        if (users.length === 0) throw new SlackError("no_users_provided");
        // "Guests or bot users cannot be added to user groups" (usergroups.users.update, "Usage info").
        for (const u of users) {
          const user = this.userIn(ws, u);
          if (user.guest === "single") throw new SlackError("single_channel_guests_cannot_be_added");
          if (user.guest || user.isBot) throw new SlackError("invalid_user");
        }
        group.users = users;
        return { usergroup: { id: group.id, handle: group.handle, users } };
      }
      case "views.publish": {
        this.userIn(ws, required(args, "user_id"));
        return { view: { id: `V${this.nextTs()}`, ...parseView(required(args, "view", true)) } };
      }
      case "views.open": {
        this.exchangeTrigger(required(args, "trigger_id"));
        return { view: { id: `V${this.nextTs()}`, ...parseView(required(args, "view", true)) } };
      }
      default:
        throw new SlackError("unknown_method");
    }
  }

  /** https://api.slack.com/methods/<method>: a token without the method's scope gets missing_scope. */
  private needScopes(ws: FakeWorkspace, method: string, kind: FakeConversation["kind"]): void {
    const needed = neededScopes(method, kind);
    if (needed.length > 0 && !needed.some((s) => ws.scopes?.includes(s)))
      throw new SlackError("missing_scope", {
        needed: needed.join(","),
        provided: (ws.scopes ?? []).join(","),
      });
  }

  /**
   * A conversation the bot can see: any public channel of its workspace, but a private channel, DM or
   * group DM only when it is a member; otherwise channel_not_found, as if it did not exist
   * (https://api.slack.com/methods/conversations.info, "Errors").
   */
  private visibleChannel(ws: FakeWorkspace, method: string, id: string): FakeConversation {
    const c = this.conversations.get(id);
    if (!c || !this.covers(ws, c.team)) throw new SlackError("channel_not_found");
    if (c.kind !== "public" && !(c.members ?? []).includes(ws.botUserId!))
      throw new SlackError("channel_not_found");
    this.needScopes(ws, method, c.kind);
    return c;
  }

  /**
   * A conversation the bot may post in or change: it must be a member (not_in_channel for a public
   * channel it was not invited to, https://api.slack.com/methods/chat.postMessage "Errors"), and the
   * channel not archived (is_archived).
   */
  private postableChannel(ws: FakeWorkspace, method: string, id: string): FakeConversation {
    const c = this.visibleChannel(ws, method, id);
    if (c.archived) throw new SlackError("is_archived");
    if (!(c.members ?? []).includes(ws.botUserId!)) throw new SlackError("not_in_channel");
    return c;
  }

  /** The workspace a call is about: an org-wide token must say which (`team_id`), a workspace token is its own. */
  private teamOf(ws: FakeWorkspace, method: string, args: Record<string, unknown>): string {
    if (!ws.orgTeams || !TEAM_ID_WITH_ORG_TOKEN.has(method)) return ws.team;
    const team = args.team_id as string | undefined;
    if (!team) throw new SlackError("missing_argument");
    if (!ws.orgTeams.includes(team)) throw new SlackError("team_access_not_granted");
    return team;
  }

  /**
   * usergroups.create and usergroups.users.update: only on paid plans (plan_upgrade_required), and with
   * a bot token only where everyone may manage user groups (permission_denied)
   * (https://api.slack.com/methods/usergroups.users.update, "Usage info" and "Errors").
   */
  private mayManageUsergroups(ws: FakeWorkspace): void {
    if (ws.plan === "free") throw new SlackError("plan_upgrade_required");
    if (ws.usergroupManagers === "admins") throw new SlackError("permission_denied");
  }

  /**
   * views.open: a trigger_id opens one view, within 3 seconds of the interaction that gave it
   * (https://api.slack.com/methods/views.open "Errors": invalid, expired, exchanged trigger ids). The
   * fake's trigger ids carry their issue time in milliseconds: `counter.issuedAtMs.hex`.
   */
  private exchangeTrigger(trigger: string): void {
    const issued = Number(trigger.split(".")[1]);
    if (!/^\d+\.\d+\.[0-9a-f]+$/.test(trigger) || !Number.isFinite(issued))
      throw new SlackError("invalid_trigger_id");
    if (this.usedTriggers.has(trigger)) throw new SlackError("exchanged_trigger_id");
    if (Date.now() - issued > TRIGGER_VALID_MS) throw new SlackError("expired_trigger_id");
    this.usedTriggers.add(trigger);
  }

  private userIn(ws: FakeWorkspace, id: string): FakeUser {
    const u = this.users.get(id);
    if (!u || !this.covers(ws, u.team)) throw new SlackError("user_not_found");
    return u;
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.tsCounter).padStart(6, "0")}`;
  }
}

class SlackError extends Error {
  constructor(
    readonly code: string,
    /** More fields of the error reply, e.g. missing_scope's `needed` and `provided`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

/** One page of a cursor-paged list: the cursor is the offset, `limit` at most 1,000 (https://api.slack.com/apis/pagination). */
function page<T>(
  all: T[],
  args: Record<string, unknown>,
  defaultLimit: number,
): { items: T[]; next: string } {
  const limit = Math.min(Number(args.limit) || defaultLimit, 1000);
  const from = args.cursor ? Number(Buffer.from(String(args.cursor), "base64").toString("utf8")) : 0;
  if (!Number.isInteger(from) || from < 0) throw new SlackError("invalid_cursor");
  const items = all.slice(from, from + limit);
  const more = from + limit < all.length;
  return { items, next: more ? Buffer.from(String(from + limit)).toString("base64") : "" };
}

function userJson(u: FakeUser): Record<string, unknown> {
  return {
    id: u.id,
    team_id: u.team,
    name: u.name ?? u.id.toLowerCase(),
    real_name: u.realName ?? u.name ?? u.id,
    tz: u.tz ?? "America/Los_Angeles",
    is_bot: u.isBot ?? false,
    is_admin: u.isAdmin ?? false,
    is_restricted: Boolean(u.guest),
    is_ultra_restricted: u.guest === "single",
    profile: { display_name: u.name ?? "", real_name: u.realName ?? u.name ?? u.id },
  };
}

/** Blocks as sent: a JSON string in a form body, an array in a JSON body. */
function asJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function required(args: Record<string, unknown>, name: string, allowEmpty = false): string {
  const value = args[name];
  if (value === undefined || value === null || (!allowEmpty && value === ""))
    throw new SlackError("invalid_arguments");
  return typeof value === "string" ? value : JSON.stringify(value);
}

function parseView(view: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(view);
  } catch {
    throw new SlackError("invalid_arguments");
  }
  const v = parsed as { type?: string; blocks?: unknown };
  if (!v || (v.type !== "home" && v.type !== "modal") || !Array.isArray(v.blocks))
    throw new SlackError("invalid_arguments");
  // Modals and Home tabs: 100 blocks and each block's own limits (https://api.slack.com/reference/surfaces/views).
  if (blockKitProblem(v.blocks, "view")) throw new SlackError("invalid_arguments");
  if (v.type === "modal") checkModal(v as ModalJson);
  return v as Record<string, unknown>;
}

interface ModalJson {
  title?: { text?: string };
  submit?: { text?: string };
  private_metadata?: string;
  blocks: Array<{
    type?: string;
    block_id?: string;
    label?: { text?: string };
    element?: { type?: string; action_id?: string; initial_value?: string; max_length?: number };
  }>;
}

/** Slack's documented modal limits: a title of 1–24 characters, a submit button when there are inputs, metadata up to 3,000 characters, plain-text inputs up to 3,000 characters with the initial value within max_length. */
function checkModal(v: ModalJson): void {
  const title = v.title?.text ?? "";
  if (title.length < 1 || title.length > 24) throw new SlackError("invalid_arguments");
  if ((v.private_metadata ?? "").length > 3000) throw new SlackError("invalid_arguments");
  const inputs = v.blocks.filter((b) => b.type === "input");
  if (inputs.length > 0 && !v.submit?.text) throw new SlackError("invalid_arguments");
  const ids = new Set<string>();
  for (const b of inputs) {
    if (!b.label?.text || !b.element?.type || !b.element.action_id) throw new SlackError("invalid_arguments");
    if (b.block_id) {
      if (ids.has(b.block_id)) throw new SlackError("invalid_arguments");
      ids.add(b.block_id);
    }
    if (b.element.type === "plain_text_input") {
      const max = b.element.max_length ?? 3000;
      if (max > 3000 || (b.element.initial_value ?? "").length > max)
        throw new SlackError("invalid_arguments");
    }
  }
}

function conversationJson(c: FakeConversation): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    is_channel: c.kind === "public",
    is_group: c.kind === "private",
    is_private: c.kind !== "public",
    is_im: c.kind === "im",
    is_mpim: c.kind === "mpim",
    topic: { value: c.topic ?? "" },
  };
}

function sameMembers(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join(",") === [...b].sort().join(",");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Slack accepts form-encoded or JSON bodies; nested values in forms are JSON strings. */
function parseBody(req: IncomingMessage, raw: string): Record<string, unknown> {
  if (!raw) return {};
  if ((req.headers["content-type"] ?? "").includes("application/json")) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/** A stored message as conversations.history/.replies list it: its metadata only when asked for. */
function asListed({ metadata, ...m }: StoredMessage, args: Record<string, unknown>): Record<string, unknown> {
  const withMetadata = args.include_all_metadata === true || args.include_all_metadata === "true";
  return { type: "message", ...m, ...(withMetadata && metadata ? { metadata } : {}) };
}
