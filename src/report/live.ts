/**
 * The health report live at GET /report: the last four weeks of one workspace (or one team's room,
 * `?room=`), built from what the bot keeps (message facts, recorded decisions, delivered nudges).
 * Never public: with no way to sign in configured the route does not exist. Ways in:
 * - `REPORT_TOKEN` (playground, self-hosted): `Authorization: Bearer …`, or `?token=…` once, which
 *   sets a session cookie and redirects to a URL without the token;
 * - "Sign in with Slack" (OpenID Connect) for workspace admins: /report/login → Slack → /report/callback.
 * Sessions are HMAC-signed cookies, so any replica can check them.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Kysely } from "kysely";
import type { Config } from "../config/load.js";
import type { Logger } from "../core/logger.js";
import { workspaceHours } from "../core/nudges/working-hours.js";
import type { Clock, Directory } from "../core/ports.js";
import { SqlDecisionStore } from "../storage/decision-store.js";
import { deliveredNudges, SqlDigestStore, workspacesWithActivity } from "../storage/digest-store.js";
import type { Database } from "../storage/schema.js";
import { reportCharts } from "./charts.js";
import { HealthCollector, type HealthReport } from "./health.js";
import { reportHtml } from "./html.js";
import { type SlackSignIn, slackSignIn } from "./slack-sign-in.js";

const WEEKS = 4;
const DAY_MS = 24 * 60 * 60_000;
const SESSION_MS = 8 * 60 * 60_000;
const COOKIE = "outloud_report";

export interface LiveReportDeps {
  db: Kysely<Database>;
  config: Config;
  clock: Clock;
  directory: Directory;
  log: Logger;
  /** Is this Slack user an admin or owner of the workspace (users.info)? Needed for Sign in with Slack. */
  isWorkspaceAdmin?(workspace: string, user: string): Promise<boolean>;
}

/** One HTTP route, as the runtime's health routes are. */
export interface ReportRoute {
  path: string;
  method: string;
  handler(req: IncomingMessage, res: ServerResponse): void;
}

interface Session {
  /** The workspace the session may see; absent for REPORT_TOKEN (every workspace). */
  workspace?: string;
  user?: string;
  exp: number;
}

export function reportRoutes(deps: LiveReportDeps): ReportRoute[] {
  const env = deps.config.env;
  const slack =
    env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET && env.OUTLOUD_PUBLIC_URL && deps.isWorkspaceAdmin
      ? slackSignIn({
          clientId: env.SLACK_CLIENT_ID,
          clientSecret: env.SLACK_CLIENT_SECRET,
          apiUrl: env.SLACK_API_URL ?? "https://slack.com/api/",
          redirectUri: new URL("/report/callback", env.OUTLOUD_PUBLIC_URL).href,
        })
      : undefined;
  // Never public: without a token or a sign-in there is no /report at all.
  if (!env.REPORT_TOKEN && !slack) return [];
  const key = createHmac("sha256", "outloud-report-session")
    .update(env.REPORT_TOKEN ?? env.SLACK_CLIENT_SECRET ?? randomBytes(32).toString("hex"))
    .digest();
  const sessions = new SessionCookies(key, () => deps.clock.now().getTime());
  const safely =
    (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      handler(req, res).catch((err: unknown) => {
        deps.log.error("report failed", { error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent)
          send(res, 500, "text/plain", "The report could not be built; see the bot's log.\n");
      });
    };

  const routes: ReportRoute[] = [
    {
      path: "/report",
      method: "GET",
      handler: safely(async (req, res) => {
        const url = new URL(req.url ?? "/report", "http://localhost");
        const token = bearer(req) ?? url.searchParams.get("token") ?? undefined;
        if (token !== undefined) {
          if (!env.REPORT_TOKEN || !sameSecret(token, env.REPORT_TOKEN))
            return send(res, 401, "text/plain", "Wrong report token.\n");
          if (!bearer(req)) {
            // The token leaves the address bar (and the history) at once: a cookie carries the session.
            url.searchParams.delete("token");
            return redirect(res, `/report${url.search}`, sessions.issue({}, SESSION_MS));
          }
        }
        const session =
          token !== undefined ? ({ exp: Number.POSITIVE_INFINITY } as Session) : sessions.read(req);
        if (!session) {
          if (slack) return redirect(res, "/report/login");
          res.setHeader("www-authenticate", 'Bearer realm="outloud report"');
          return send(res, 401, "text/plain", "Sign in: /report?token=… with the REPORT_TOKEN.\n");
        }
        const workspace =
          session.workspace ?? url.searchParams.get("workspace") ?? (await onlyWorkspace(deps.db));
        if (!workspace) return send(res, 400, "text/plain", "Name the workspace: /report?workspace=T0123.\n");
        if (
          session.workspace &&
          url.searchParams.get("workspace") &&
          url.searchParams.get("workspace") !== session.workspace
        )
          return send(res, 403, "text/plain", "You are signed in to another workspace.\n");
        const room = url.searchParams.get("room") ?? undefined;
        const html = await liveReportHtml(deps, workspace, room);
        res.writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          "x-frame-options": "DENY",
          "referrer-policy": "no-referrer",
        });
        res.end(html);
      }),
    },
  ];
  if (slack) routes.push(...slackRoutes(slack, deps, sessions, safely));
  return routes;
}

function slackRoutes(
  slack: SlackSignIn,
  deps: LiveReportDeps,
  sessions: SessionCookies,
  safely: (h: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => ReportRoute["handler"],
): ReportRoute[] {
  return [
    {
      path: "/report/login",
      method: "GET",
      handler: safely(async (_req, res) => {
        const state = randomBytes(16).toString("hex");
        // The state comes back with Slack's redirect; the cookie proves it was this browser that left.
        redirect(res, slack.authorizeUrl(state), sessions.issue({ user: `state:${state}` }, 10 * 60_000));
      }),
    },
    {
      path: "/report/callback",
      method: "GET",
      handler: safely(async (req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const code = url.searchParams.get("code");
        const state = url.searchParams.get("state");
        const pending = sessions.read(req);
        if (!code || !state || pending?.user !== `state:${state}`)
          return send(res, 400, "text/plain", "This sign-in link is stale: start again at /report/login.\n");
        const who = await slack.identify(code);
        if (!who) return send(res, 403, "text/plain", "Slack did not confirm who you are.\n");
        if (!(await deps.isWorkspaceAdmin!(who.workspace, who.user)))
          return send(res, 403, "text/plain", "The report is for the workspace's admins and owners.\n");
        redirect(res, "/report", sessions.issue({ workspace: who.workspace, user: who.user }, SESSION_MS));
      }),
    },
  ];
}

/** The report page for a workspace (and optionally one room) over the last four weeks. */
export async function liveReportHtml(
  deps: LiveReportDeps,
  workspace: string,
  room?: string,
): Promise<string> {
  const report = await liveReport(deps, workspace, room);
  const charts = await reportCharts(report);
  const scope = room ? `room ${room}` : `workspace ${workspace}`;
  return reportHtml(report, charts, {
    title: "Communication health: the last 4 weeks",
    source: scope,
    generatedAt: deps.clock.now(),
  });
}

export async function liveReport(
  deps: LiveReportDeps,
  workspace: string,
  room?: string,
): Promise<HealthReport> {
  const { settings } = deps.config;
  const to = deps.clock.now();
  const from = new Date(to.getTime() - WEEKS * 7 * DAY_MS);
  const collector = new HealthCollector(
    workspaceHours(settings.workspace.workingHours),
    settings.workspace.timezone,
  );
  const facts = await new SqlDigestStore(deps.db).messages(workspace, from, to, room);
  const seen = new Set<string>();
  for (const f of facts) {
    for (const id of [f.user, ...f.mentions]) {
      if (seen.has(id)) continue;
      seen.add(id);
      const user = await deps.directory.user(workspace, id).catch(() => undefined);
      if (user) collector.person(id, { name: user.displayName, tz: user.tz, bot: user.bot });
    }
    const sigil = f.room.kind === "public" ? "#" : f.room.kind === "private" ? "~" : "dm:";
    collector.facts({
      id: f.id,
      // Direct conversations are counted together, never named: their id stands in for the name.
      room: sigil === "dm:" ? `dm:${f.room.id}` : `${sigil}${f.room.name}`,
      user: f.user,
      at: f.at.getTime(),
      thread: f.thread,
      mentions: f.mentions,
      broadcast: f.broadcast,
      question: f.question,
      decisionLanguage: f.decisionLanguage,
    });
  }
  if (!room)
    for (const n of await deliveredNudges(deps.db, workspace, from, to)) collector.nudged(n.kind, n.at);
  const decisions = await new SqlDecisionStore(deps.db).list(workspace, {
    since: from,
    limit: 10_000,
    ...(room ? { room } : {}),
  });
  for (const d of decisions) collector.decisionRecorded(d.at);
  return collector.finish();
}

async function onlyWorkspace(db: Kysely<Database>): Promise<string | undefined> {
  const all = await workspacesWithActivity(db);
  return all.length === 1 ? all[0] : undefined;
}

/** Signed, expiring session cookies: `base64url(json).hmac`. */
class SessionCookies {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number,
  ) {}

  issue(session: Omit<Session, "exp">, ttlMs: number): string {
    const body = Buffer.from(JSON.stringify({ ...session, exp: this.now() + ttlMs })).toString("base64url");
    const value = `${body}.${this.sign(body)}`;
    return `${COOKIE}=${value}; Path=/report; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(ttlMs / 1000)}`;
  }

  read(req: IncomingMessage): Session | undefined {
    const cookie = (req.headers.cookie ?? "")
      .split(/;\s*/)
      .find((c) => c.startsWith(`${COOKIE}=`))
      ?.slice(COOKIE.length + 1);
    const [body, mac] = cookie?.split(".") ?? [];
    if (!body || !mac || !sameSecret(mac, this.sign(body))) return undefined;
    try {
      const session = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Session;
      return session.exp > this.now() ? session : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : undefined;
}

/** Compares secrets in constant time (a wrong guess takes as long as a nearly right one). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHmac("sha256", "compare").update(given).digest();
  const b = createHmac("sha256", "compare").update(expected).digest();
  return timingSafeEqual(a, b);
}

function redirect(res: ServerResponse, location: string, cookie?: string): void {
  res
    .writeHead(303, { location, "cache-control": "no-store", ...(cookie ? { "set-cookie": cookie } : {}) })
    .end();
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
}
