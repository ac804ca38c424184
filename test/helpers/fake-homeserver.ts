/**
 * FakeHomeserver: a contract fake of the Matrix client-server API on 127.0.0.1, for the real
 * matrix-js-sdk client to talk to. It speaks the wire protocol (`Authorization: Bearer`, `{errcode,
 * error}` bodies, 429 `M_LIMIT_EXCEEDED` with `retry_after_ms` and/or `Retry-After`), keeps one event
 * stream for every room so `/sync?since=` and its long poll behave like a real server, deduplicates
 * sends by transaction id per access token, and records every request and every event the bot sends.
 *
 * Test controls shape what the next sync says: `repeatInNextSync` (a batch that repeats an event),
 * `limitNextSync` (a `limited` timeline with a gap to back-fill), `rateLimitNext` (a 429 with a wait),
 * `limitMessages` (Synapse's per-account message limit),
 * `holdSends` (a send the server receives but never answers, to kill the bot mid-batch).
 *
 *   const hs = await new FakeHomeserver({ botUserId: "@outloud:example.test", token: "t" }).start();
 *   const room = hs.createRoom({ members: ["@alice:example.test", "@outloud:example.test"] });
 *   hs.message(room, "@alice:example.test", "!rota who");
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface MatrixEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  content: Record<string, unknown>;
  origin_server_ts: number;
  state_key?: string;
  unsigned?: Record<string, unknown>;
}

interface FakeRoom {
  id: string;
  timeline: Array<{ pos: number; event: MatrixEvent }>;
  /** Current state by `type\u0000state_key`. */
  state: Map<string, MatrixEvent>;
}

/** One recorded HTTP request (the access token is never recorded). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  at: number;
}

/** An event the bot sent through `PUT /rooms/{room}/send/{type}/{txnId}` or a state PUT. */
export interface SentEvent extends MatrixEvent {
  txnId?: string;
}

interface RateLimit {
  method: string;
  path: RegExp;
  retryAfterMs?: number;
  retryAfterHeaderSeconds?: number;
}

/**
 * Synapse's per-account message limit (`rc_message`, synapse/api/ratelimiting.py): a bucket of `burst`
 * actions that drains at `perSecond`; an action is refused while the bucket is full, and the 429 names
 * the time until one action drains out.
 */
interface MessageLimit {
  burst: number;
  perSecond: number;
  /** Actions in the bucket at `since` (ms). */
  level: number;
  since: number;
}

export interface FakeHomeserverOptions {
  botUserId: string;
  token: string;
  serverName?: string;
}

const PREFIX = /^\/_matrix\/client\/(?:v3|r0|v1|unstable)(\/.*)$/;

export class FakeHomeserver {
  readonly serverName: string;
  readonly botUserId: string;
  /** Every request, oldest first. */
  readonly requests: RecordedRequest[] = [];
  /** Every event the bot created (messages, reactions, state), oldest first. */
  readonly sent: SentEvent[] = [];
  private readonly token: string;
  private server?: Server;
  private pos = 0;
  private eventCounter = 0;
  private roomCounter = 0;
  private readonly rooms = new Map<string, FakeRoom>();
  /** Invites for the bot that have not been answered: room id → stream position and stripped state. */
  private readonly invites = new Map<string, { pos: number; state: MatrixEvent[] }>();
  /** Account data of the bot, with the stream position it last changed at. */
  private readonly accountData = new Map<string, { pos: number; content: Record<string, unknown> }>();
  private readonly profiles = new Map<string, { displayname?: string }>();
  private readonly txns = new Map<string, string>();
  private readonly filters = new Map<string, unknown>();
  private readonly waiters = new Set<() => void>();
  private readonly rateLimits: RateLimit[] = [];
  private messageLimit: MessageLimit | undefined;
  private readonly repeats: string[] = [];
  private readonly limits = new Map<string, number>();
  private holding = false;
  private readonly held = new Set<ServerResponse>();

  constructor(options: FakeHomeserverOptions) {
    this.botUserId = options.botUserId;
    this.token = options.token;
    this.serverName = options.serverName ?? options.botUserId.split(":").slice(1).join(":");
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error("FakeHomeserver is not started");
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    for (const wake of this.waiters) wake();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  // ---- test controls ------------------------------------------------------------------------

  setDisplayName(userId: string, displayname: string): void {
    this.profiles.set(userId, { displayname });
  }

  /** A room whose `members` have joined (the bot too, if listed). Returns its id. */
  createRoom(
    options: {
      members?: string[];
      name?: string;
      topic?: string;
      public?: boolean;
      encrypted?: boolean;
      creator?: string;
      /** Power levels for state events; the bot at 0 cannot change the topic (see `PUT state`). */
      powerLevels?: {
        users?: Record<string, number>;
        state_default?: number;
        events?: Record<string, number>;
      };
    } = {},
  ): string {
    const id = `!r${++this.roomCounter}:${this.serverName}`;
    const members = options.members ?? [];
    const creator = options.creator ?? members.find((m) => m !== this.botUserId) ?? this.botUserId;
    this.rooms.set(id, { id, timeline: [], state: new Map() });
    this.appendState(id, creator, "m.room.create", "", { creator });
    this.appendState(id, creator, "m.room.join_rules", "", {
      join_rule: options.public ? "public" : "invite",
    });
    if (options.name) this.appendState(id, creator, "m.room.name", "", { name: options.name });
    if (options.topic) this.appendState(id, creator, "m.room.topic", "", { topic: options.topic });
    if (options.powerLevels) this.appendState(id, creator, "m.room.power_levels", "", options.powerLevels);
    if (options.encrypted)
      this.appendState(id, creator, "m.room.encryption", "", { algorithm: "m.megolm.v1.aes-sha2" });
    for (const m of members) this.join(id, m);
    return id;
  }

  join(roomId: string, userId: string): string {
    const displayname = this.profiles.get(userId)?.displayname;
    return this.appendState(roomId, userId, "m.room.member", userId, {
      membership: "join",
      ...(displayname ? { displayname } : {}),
    }).event_id;
  }

  leave(roomId: string, userId: string): string {
    return this.appendState(roomId, userId, "m.room.member", userId, { membership: "leave" }).event_id;
  }

  /** `inviter` invites the bot; `isDirect` sets `is_direct` on the invite, as clients do for DMs. */
  inviteBot(roomId: string, inviter: string, options: { isDirect?: boolean } = {}): void {
    const invite = this.appendState(roomId, inviter, "m.room.member", this.botUserId, {
      membership: "invite",
      ...(options.isDirect ? { is_direct: true } : {}),
    });
    const stripped = [...this.room(roomId).state.values()].filter((e) =>
      ["m.room.create", "m.room.join_rules", "m.room.name", "m.room.encryption", "m.room.member"].includes(
        e.type,
      ),
    );
    this.invites.set(roomId, { pos: this.pos, state: [...stripped.filter((e) => e !== invite), invite] });
    this.wake();
  }

  /** A text message from `sender`; `thread` makes it an `m.thread` reply to that root. Returns its id. */
  message(
    roomId: string,
    sender: string,
    body: string,
    options: { thread?: string; msgtype?: string; mentions?: string[]; formatted?: string } = {},
  ): string {
    const content: Record<string, unknown> = { msgtype: options.msgtype ?? "m.text", body };
    if (options.formatted) {
      content.format = "org.matrix.custom.html";
      content.formatted_body = options.formatted;
    }
    if (options.mentions) content["m.mentions"] = { user_ids: options.mentions };
    if (options.thread) {
      content["m.relates_to"] = {
        rel_type: "m.thread",
        event_id: options.thread,
        is_falling_back: true,
        "m.in_reply_to": { event_id: options.thread },
      };
    }
    return this.append(roomId, sender, "m.room.message", content).event_id;
  }

  reaction(roomId: string, sender: string, target: string, key: string): string {
    return this.append(roomId, sender, "m.reaction", {
      "m.relates_to": { rel_type: "m.annotation", event_id: target, key },
    }).event_id;
  }

  /** Any event, as a client would send it. */
  event(roomId: string, sender: string, type: string, content: Record<string, unknown>): string {
    return this.append(roomId, sender, type, content).event_id;
  }

  /**
   * `sender` sets the room's `m.room.power_levels` (a state event, replacing the whole content):
   * https://spec.matrix.org/v1.11/client-server-api/#mroompower_levels
   */
  setPowerLevels(roomId: string, sender: string, content: Record<string, unknown>): void {
    this.appendState(roomId, sender, "m.room.power_levels", "", content);
  }

  /** Sets the bot's `m.direct` account data as another of its clients would. */
  setDirect(content: Record<string, string[]>): void {
    this.accountData.set("m.direct", { pos: ++this.pos, content });
    this.wake();
  }

  directContent(): Record<string, string[]> {
    return (this.accountData.get("m.direct")?.content ?? {}) as Record<string, string[]>;
  }

  /** The next sync that carries `eventId` carries it twice in a row, as a confused server might. */
  repeatInNextSync(eventId: string): void {
    this.repeats.push(eventId);
  }

  /** The next sync gives `roomId` only its last `keep` new events, `limited`, with a gap before them. */
  limitNextSync(roomId: string, keep: number): void {
    this.limits.set(roomId, keep);
  }

  /**
   * The next request matching `method path` gets a 429 `M_LIMIT_EXCEEDED` (spec, "Rate limiting",
   * https://spec.matrix.org/v1.11/client-server-api/#rate-limiting): a request refused for rate
   * limiting returns `{"errcode": "M_LIMIT_EXCEEDED", "error": …, "retry_after_ms": …}`, where
   * `retry_after_ms` "MAY be included to tell the client how long they have to wait in milliseconds
   * before they can try again"; since v1.10 it is deprecated in favour of the `Retry-After` header
   * (seconds), which homeservers SHOULD send with any 429. Synapse (1.67, seen in the Synapse suite)
   * puts the wait in `retry_after_ms` only; both are offered here, as the test asks. The request is
   * refused before it is acted on: no event is stored, nor its transaction id remembered.
   * Synapse also limits every send of an ordinary account (a burst of 10, then 0.2/s: `rc_message`)
   * without being asked; here 429s come only when a test asks (this, or `limitMessages`), and
   * test/e2e/matrix-synapse meets the real ones.
   */
  rateLimitNext(
    method: string,
    path: RegExp,
    wait: { retryAfterMs?: number; retryAfterHeaderSeconds?: number },
  ): void {
    this.rateLimits.push({ method, path, ...wait });
  }

  /**
   * From now on the bot's sends, state changes, joins and room creations count against a message limit
   * as Synapse's `rc_message` does (its default: a burst of 10, then 0.2/s), `spent` of the burst
   * already used. Synapse counts `createRoom` twice (synapse/handlers/room.py: the request, then the
   * creator's join in the new room), and the second is checked after the room exists: a 429 there
   * leaves a room the bot never joined (and nobody was invited to yet).
   */
  limitMessages(limit: { burst: number; perSecond: number; spent: number }): void {
    this.messageLimit = {
      burst: limit.burst,
      perSecond: limit.perSecond,
      level: limit.spent,
      since: Date.now(),
    };
  }

  /** The limits asked for and not yet met are lifted (the wait they asked for is over). */
  clearRateLimits(): void {
    this.rateLimits.length = 0;
  }

  /** From now on sends are stored but never answered (the bot waits, as for a stalled server). */
  holdSends(hold = true): void {
    this.holding = hold;
  }

  /** Messages the bot sent in `roomId` (m.room.message only). */
  messagesIn(roomId: string): SentEvent[] {
    return this.sent.filter((e) => e.room_id === roomId && e.type === "m.room.message");
  }

  /** Every room the bot has joined. */
  botRooms(): string[] {
    return [...this.rooms.values()].filter((r) => this.isJoined(r.id, this.botUserId)).map((r) => r.id);
  }

  members(roomId: string): string[] {
    return [...this.room(roomId).state.values()]
      .filter((e) => e.type === "m.room.member" && e.content.membership === "join")
      .map((e) => e.state_key as string);
  }

  stateOf(roomId: string, type: string, stateKey = ""): Record<string, unknown> | undefined {
    return this.room(roomId).state.get(`${type}\u0000${stateKey}`)?.content;
  }

  /** Resolves once the bot has made `count` requests matching `method path` (or rejects after a while). */
  async waitForRequests(
    method: string,
    path: RegExp,
    count = 1,
    timeoutMs = 15_000,
  ): Promise<RecordedRequest[]> {
    const matching = () => this.requests.filter((r) => r.method === method && path.test(r.path));
    const deadline = Date.now() + timeoutMs;
    while (matching().length < count) {
      if (Date.now() > deadline)
        throw new Error(`waited for ${count} × ${method} ${path}, saw ${matching().length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return matching();
  }

  /** Resolves once the bot has sent `count` events matching `filter`. */
  async waitForSent(filter: (e: SentEvent) => boolean, count = 1, timeoutMs = 15_000): Promise<SentEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.sent.filter(filter).length < count) {
      if (Date.now() > deadline)
        throw new Error(`waited for ${count} sent events, saw ${this.sent.filter(filter).length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.sent.filter(filter);
  }

  /** Resolves once the bot has synced past everything that exists now (it has seen all of it). */
  async waitForSyncedUpTo(timeoutMs = 15_000): Promise<void> {
    const target = this.pos;
    await this.waitUntil(
      () => this.requests.some((r) => r.path === "/sync" && Number(r.query.since?.slice(1) ?? -1) >= target),
      timeoutMs,
      "the bot to sync up to the present",
    );
  }

  private async waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Takes one action from the bot's message limit; refused (a 429 answered, false returned) when the
   * bucket is full, with the wait until one action drains out, as Synapse computes it.
   */
  private takeMessageSlot(res: ServerResponse): boolean {
    const limit = this.messageLimit;
    if (!limit) return true;
    const now = Date.now();
    limit.level = Math.max(0, limit.level - ((now - limit.since) / 1000) * limit.perSecond);
    limit.since = now;
    if (limit.level > limit.burst - 1) {
      const waitMs = Math.ceil(((limit.level - (limit.burst - 1)) / limit.perSecond) * 1000);
      send(res, 429, { errcode: "M_LIMIT_EXCEEDED", error: "Too Many Requests", retry_after_ms: waitMs });
      return false;
    }
    limit.level += 1;
    return true;
  }

  // ---- the event stream ---------------------------------------------------------------------

  private room(roomId: string): FakeRoom {
    const room = this.rooms.get(roomId);
    if (!room) throw new Error(`no room ${roomId}`);
    return room;
  }

  private isJoined(roomId: string, userId: string): boolean {
    return this.rooms.get(roomId)?.state.get(`m.room.member\u0000${userId}`)?.content.membership === "join";
  }

  private append(
    roomId: string,
    sender: string,
    type: string,
    content: Record<string, unknown>,
    stateKey?: string,
  ): MatrixEvent {
    const room = this.room(roomId);
    const event: MatrixEvent = {
      event_id: `$e${++this.eventCounter}-${this.serverName}`,
      room_id: roomId,
      sender,
      type,
      content,
      origin_server_ts: Date.now(),
      ...(stateKey !== undefined ? { state_key: stateKey } : {}),
    };
    room.timeline.push({ pos: ++this.pos, event });
    if (stateKey !== undefined) room.state.set(`${type}\u0000${stateKey}`, event);
    this.wake();
    return event;
  }

  private appendState(
    roomId: string,
    sender: string,
    type: string,
    stateKey: string,
    content: Record<string, unknown>,
  ): MatrixEvent {
    return this.append(roomId, sender, type, content, stateKey);
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Builds the sync response for everything after `since` (or a first sync), as the bot sees it. */
  private syncResponse(since: number | undefined, timelineLimit: number): Record<string, unknown> {
    const join: Record<string, unknown> = {};
    const invite: Record<string, unknown> = {};
    for (const room of this.rooms.values()) {
      if (!this.isJoined(room.id, this.botUserId)) continue;
      const botJoin = room.timeline.find(
        (t) => t.event.type === "m.room.member" && t.event.state_key === this.botUserId,
      );
      const joinedAfterSince = since === undefined || (botJoin !== undefined && botJoin.pos > since);
      const fresh = room.timeline.filter((t) => since === undefined || t.pos > since);
      if (fresh.length === 0 && !joinedAfterSince) continue;
      const keep = this.limits.get(room.id) ?? timelineLimit;
      this.limits.delete(room.id);
      const shown = fresh.slice(-keep);
      const limited = shown.length < fresh.length;
      const firstShown = shown[0]?.pos ?? this.pos + 1;
      const events: MatrixEvent[] = [];
      for (const t of shown) {
        events.push(t.event);
        if (this.repeats.includes(t.event.event_id)) events.push(t.event);
      }
      // State before the timeline: all of it on a first sync or fresh join, the gap's state after a limited one.
      const state =
        joinedAfterSince || limited
          ? [...room.state.values()].filter((e) => !shown.some((t) => t.event.event_id === e.event_id))
          : [];
      join[room.id] = {
        timeline: { events, limited, prev_batch: `p${firstShown - 1}` },
        state: { events: state },
        account_data: { events: [] },
        ephemeral: { events: [] },
        unread_notifications: {},
        summary: {},
      };
    }
    for (const [roomId, inv] of this.invites) {
      if (since !== undefined && inv.pos <= since) continue;
      invite[roomId] = {
        invite_state: {
          events: inv.state.map((e) => ({
            type: e.type,
            state_key: e.state_key,
            sender: e.sender,
            content: e.content,
          })),
        },
      };
    }
    const deliveredRepeats = this.repeats.filter((id) =>
      Object.values(join).some((r) =>
        ((r as { timeline: { events: MatrixEvent[] } }).timeline.events ?? []).some((e) => e.event_id === id),
      ),
    );
    this.repeats.splice(
      0,
      this.repeats.length,
      ...this.repeats.filter((id) => !deliveredRepeats.includes(id)),
    );
    const accountData = [...this.accountData.entries()]
      .filter(([, v]) => since === undefined || v.pos > since)
      .map(([type, v]) => ({ type, content: v.content }));
    return {
      next_batch: `s${this.pos}`,
      rooms: { join, invite, leave: {}, knock: {} },
      account_data: { events: accountData },
      presence: { events: [] },
      to_device: { events: [] },
      device_lists: { changed: [], left: [] },
      device_one_time_keys_count: {},
    };
  }

  private hasNews(since: number): boolean {
    if (this.pos > since) return true;
    return false;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return send(res, 400, { errcode: "M_NOT_JSON", error: "Content not JSON." });
    }
    const method = req.method ?? "GET";
    const query = Object.fromEntries(url.searchParams.entries());
    delete query.access_token;
    if (url.pathname === "/_matrix/client/versions") {
      return send(res, 200, { versions: ["v1.1", "v1.5", "v1.11", "v1.12"], unstable_features: {} });
    }
    const m = PREFIX.exec(url.pathname);
    if (!m?.[1]) return send(res, 404, { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" });
    const path = m[1];
    this.requests.push({ method, path: decodeURIComponent(path), query, body, at: Date.now() });

    const auth = req.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : url.searchParams.get("access_token");
    if (token !== this.token)
      return send(res, 401, { errcode: "M_UNKNOWN_TOKEN", error: "Invalid access token" });

    const limit = this.rateLimits.findIndex(
      (l) => l.method === method && l.path.test(decodeURIComponent(path)),
    );
    if (limit >= 0) {
      const [l] = this.rateLimits.splice(limit, 1);
      const headers: Record<string, string> = {};
      if (l?.retryAfterHeaderSeconds !== undefined)
        headers["Retry-After"] = String(l.retryAfterHeaderSeconds);
      return send(
        res,
        429,
        {
          errcode: "M_LIMIT_EXCEEDED",
          error: "Too many requests",
          ...(l?.retryAfterMs !== undefined ? { retry_after_ms: l.retryAfterMs } : {}),
        },
        headers,
      );
    }
    try {
      await this.route(method, path.split("/").map(decodeURIComponent), query, body, res);
    } catch (err) {
      send(res, 500, { errcode: "M_UNKNOWN", error: String(err) });
    }
  }

  private async route(
    method: string,
    parts: string[],
    query: Record<string, string>,
    body: unknown,
    res: ServerResponse,
  ): Promise<void> {
    const p = parts.slice(1); // leading "" from the initial slash
    const input = (body ?? {}) as Record<string, unknown>;
    const key = `${method} ${p[0]}`;
    switch (key) {
      case "GET account":
        if (p[1] === "whoami") return send(res, 200, { user_id: this.botUserId, device_id: "FAKEDEVICE" });
        break;
      case "GET capabilities":
        return send(res, 200, { capabilities: { "m.change_password": { enabled: false } } });
      case "GET pushrules":
        return send(res, 200, { global: { override: [], content: [], room: [], sender: [], underride: [] } });
      case "GET sync":
        return this.sync(query, res);
      case "POST createRoom":
        return this.createRoomRequest(input, res);
      case "POST join":
        return this.joinRequest(p[1] ?? "", res);
      case "GET profile": {
        const profile = this.profiles.get(p[1] ?? "");
        if (!profile) return send(res, 404, { errcode: "M_NOT_FOUND", error: "Profile not found" });
        if (p[2] === "displayname") return send(res, 200, { displayname: profile.displayname });
        return send(res, 200, profile);
      }
      case "POST user":
        if (p[2] === "filter") {
          const id = String(this.filters.size + 1);
          this.filters.set(id, body);
          return send(res, 200, { filter_id: id });
        }
        break;
      case "GET user":
        if (p[2] === "filter") return send(res, 200, this.filters.get(p[3] ?? "") ?? {});
        if (p[2] === "account_data") {
          const data = this.accountData.get(p[3] ?? "");
          if (!data) return send(res, 404, { errcode: "M_NOT_FOUND", error: "Account data not found" });
          return send(res, 200, data.content);
        }
        break;
      case "PUT user":
        if (p[2] === "account_data" && p[1] === this.botUserId) {
          this.accountData.set(p[3] ?? "", { pos: ++this.pos, content: input });
          this.wake();
          return send(res, 200, {});
        }
        break;
      case "POST rooms":
      case "GET rooms":
      case "PUT rooms":
        return this.roomRequest(method, p.slice(1), query, input, res);
    }
    send(res, 404, { errcode: "M_UNRECOGNIZED", error: `Unrecognized request ${method} /${p.join("/")}` });
  }

  private async sync(query: Record<string, string>, res: ServerResponse): Promise<void> {
    const since = query.since ? Number(query.since.slice(1)) : undefined;
    const timeout = Math.min(Number(query.timeout ?? 0), 30_000);
    let timelineLimit = 20;
    const filter = query.filter?.startsWith("{")
      ? JSON.parse(query.filter)
      : this.filters.get(query.filter ?? "");
    const asked = (filter as { room?: { timeline?: { limit?: number } } } | undefined)?.room?.timeline?.limit;
    if (typeof asked === "number") timelineLimit = asked;
    if (since !== undefined && !this.hasNews(since) && timeout > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, timeout);
        this.waiters.add(wake);
        res.on("close", wake);
      });
    }
    if (res.destroyed) return;
    send(res, 200, this.syncResponse(since, timelineLimit));
  }

  private createRoomRequest(input: Record<string, unknown>, res: ServerResponse): void {
    if (!this.takeMessageSlot(res)) return;
    const id = this.createRoom({
      name: typeof input.name === "string" ? input.name : undefined,
      topic: typeof input.topic === "string" ? input.topic : undefined,
      creator: this.botUserId,
    });
    // The creator's join is a second message for Synapse's limit, checked once the room exists.
    if (!this.takeMessageSlot(res)) return;
    this.join(id, this.botUserId);
    for (const invitee of (input.invite as string[] | undefined) ?? []) {
      this.appendState(id, this.botUserId, "m.room.member", invitee, {
        membership: "invite",
        ...(input.is_direct ? { is_direct: true } : {}),
      });
    }
    send(res, 200, { room_id: id });
  }

  private joinRequest(roomIdOrAlias: string, res: ServerResponse): void {
    if (!this.rooms.has(roomIdOrAlias)) {
      send(res, 404, { errcode: "M_NOT_FOUND", error: "No such room" });
      return;
    }
    const member = this.rooms.get(roomIdOrAlias)?.state.get(`m.room.member\u0000${this.botUserId}`);
    const publicRoom = this.stateOf(roomIdOrAlias, "m.room.join_rules")?.join_rule === "public";
    if (!publicRoom && member?.content.membership !== "invite" && member?.content.membership !== "join") {
      send(res, 403, { errcode: "M_FORBIDDEN", error: "You are not invited to this room." });
      return;
    }
    if (member?.content.membership !== "join") {
      if (!this.takeMessageSlot(res)) return;
      this.join(roomIdOrAlias, this.botUserId);
    }
    this.invites.delete(roomIdOrAlias);
    send(res, 200, { room_id: roomIdOrAlias });
  }

  private async roomRequest(
    method: string,
    p: string[],
    query: Record<string, string>,
    input: Record<string, unknown>,
    res: ServerResponse,
  ): Promise<void> {
    const roomId = p[0] ?? "";
    const room = this.rooms.get(roomId);
    if (!room) return send(res, 404, { errcode: "M_NOT_FOUND", error: "Unknown room" });
    const what = `${method} ${p[1]}`;
    if (what === "POST join") return this.joinRequest(roomId, res);
    const joined = this.isJoined(roomId, this.botUserId);
    if (!joined) return send(res, 403, { errcode: "M_FORBIDDEN", error: "You are not in this room." });
    switch (what) {
      case "PUT send": {
        const [type, txnId] = [p[2] ?? "", p[3] ?? ""];
        const txnKey = `${this.token}\u0000${txnId}`;
        const known = this.txns.get(txnKey);
        if (known) return send(res, 200, { event_id: known });
        if (!this.takeMessageSlot(res)) return;
        const event = this.append(roomId, this.botUserId, type, input);
        this.txns.set(txnKey, event.event_id);
        this.sent.push({ ...event, txnId });
        if (this.holding) {
          this.held.add(res);
          return;
        }
        return send(res, 200, { event_id: event.event_id });
      }
      case "PUT state": {
        const [type, stateKey] = [p[2] ?? "", p[3] ?? ""];
        // Synapse enforces power levels (spec: https://spec.matrix.org/v1.2/client-server-api/#mroompower_levels):
        // a state event needs `events[type]`, else `state_default` (50 once the room has power levels, so
        // moderators only for the topic in rooms made with Element's defaults). The suite saw the topic refused.
        const needed = this.stateLevelNeeded(room, type);
        const level = this.powerLevel(room, this.botUserId);
        if (level < needed)
          return send(res, 403, {
            errcode: "M_FORBIDDEN",
            error: `You don't have permission to post that to the room. user_level (${level}) < send_level (${needed})`,
          });
        if (!this.takeMessageSlot(res)) return;
        const event = this.appendState(roomId, this.botUserId, type, stateKey, input);
        this.sent.push(event);
        return send(res, 200, { event_id: event.event_id });
      }
      case "GET state": {
        if (p[2] === undefined) return send(res, 200, [...room.state.values()]);
        const state = room.state.get(`${p[2]}\u0000${p[3] ?? ""}`);
        if (!state) return send(res, 404, { errcode: "M_NOT_FOUND", error: "Event not found." });
        return send(res, 200, state.content);
      }
      case "GET joined_members": {
        const joinedMembers: Record<string, { display_name?: string }> = {};
        for (const m of this.members(roomId)) {
          const dn = room.state.get(`m.room.member\u0000${m}`)?.content.displayname;
          joinedMembers[m] = typeof dn === "string" ? { display_name: dn } : {};
        }
        return send(res, 200, { joined: joinedMembers });
      }
      case "GET members":
        return send(res, 200, {
          chunk: [...room.state.values()].filter((e) => e.type === "m.room.member"),
        });
      case "GET event": {
        const found = room.timeline.find((t) => t.event.event_id === p[2]);
        if (!found) return send(res, 404, { errcode: "M_NOT_FOUND", error: "Event not found." });
        return send(res, 200, found.event);
      }
      case "GET messages":
        return send(res, 200, this.messages(room, query));
      case "GET relations":
        return send(res, 200, this.relations(room, p.slice(2)));
      case "POST invite":
        this.appendState(roomId, this.botUserId, "m.room.member", String(input.user_id), {
          membership: "invite",
        });
        return send(res, 200, {});
      case "POST leave":
        this.leave(roomId, this.botUserId);
        return send(res, 200, {});
      case "POST receipt":
      case "POST read_markers":
        return send(res, 200, {});
      case "PUT typing":
        return send(res, 200, {});
    }
    send(res, 404, {
      errcode: "M_UNRECOGNIZED",
      error: `Unrecognized request ${method} rooms/${p.join("/")}`,
    });
  }

  /** The power level a state event of `type` needs; without power levels in the room, anyone may (spec). */
  private stateLevelNeeded(room: FakeRoom, type: string): number {
    const levels = room.state.get("m.room.power_levels\u0000")?.content;
    if (!levels) return 0;
    const events = (levels.events ?? {}) as Record<string, number>;
    return events[type] ?? (typeof levels.state_default === "number" ? levels.state_default : 50);
  }

  private powerLevel(room: FakeRoom, userId: string): number {
    const levels = room.state.get("m.room.power_levels\u0000")?.content;
    const creator = room.state.get("m.room.create\u0000")?.content.creator;
    if (!levels) return creator === userId ? 100 : 0;
    const users = (levels.users ?? {}) as Record<string, number>;
    return users[userId] ?? (typeof levels.users_default === "number" ? levels.users_default : 0);
  }

  /** `/messages`: tokens are stream positions; `b` walks back from `from`, `f` forward. */
  private messages(room: FakeRoom, query: Record<string, string>): Record<string, unknown> {
    const dir = query.dir === "f" ? "f" : "b";
    const limit = Math.min(Number(query.limit ?? 10), 1000);
    const from = query.from ? Number(query.from.slice(1)) : dir === "b" ? this.pos : 0;
    if (dir === "b") {
      const older = room.timeline
        .filter((t) => t.pos <= from)
        .reverse()
        .slice(0, limit);
      const last = older[older.length - 1];
      return {
        start: `p${from}`,
        chunk: older.map((t) => t.event),
        ...(last && last.pos > 1 && older.length === limit ? { end: `p${last.pos - 1}` } : {}),
      };
    }
    const newer = room.timeline.filter((t) => t.pos > from).slice(0, limit);
    const last = newer[newer.length - 1];
    return { start: `p${from}`, chunk: newer.map((t) => t.event), ...(last ? { end: `p${last.pos}` } : {}) };
  }

  private relations(room: FakeRoom, p: string[]): Record<string, unknown> {
    const [eventId, relType, eventType] = p;
    const chunk = room.timeline
      .map((t) => t.event)
      .filter((e) => {
        const rel = e.content["m.relates_to"] as { event_id?: string; rel_type?: string } | undefined;
        return (
          rel?.event_id === eventId &&
          (relType === undefined || rel?.rel_type === relType) &&
          (eventType === undefined || e.type === eventType)
        );
      })
      .reverse();
    return { chunk };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      data += chunk;
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
