/**
 * The narrow slice of the homeserver the adapter uses, over the real matrix-js-sdk MatrixClient.
 * The client runs without crypto, without a store (no IndexedDB) and without the SDK's send queue:
 * we retry rate limits ourselves around every call (rate-limit.ts), with fixed transaction ids.
 */
import { Direction, EventType, type IRequestOpts, MatrixClient, Method, Preset } from "matrix-js-sdk";
import type { RoomMessageEventContent } from "matrix-js-sdk/lib/@types/events.js";
import type { Logger } from "../../core/logger.js";
import type { DirectMap, MatrixRawEvent, SyncResponse } from "./events.js";
import { withRateLimitRetry } from "./rate-limit.js";

export interface MatrixCredentials {
  homeserverUrl: string;
  userId: string;
  accessToken: string;
  deviceId?: string;
}

export class MatrixApi {
  readonly client: MatrixClient;

  constructor(
    credentials: MatrixCredentials,
    private readonly log: Logger,
    private readonly sleep?: (ms: number) => Promise<void>,
  ) {
    this.client = new MatrixClient({
      baseUrl: credentials.homeserverUrl,
      accessToken: credentials.accessToken,
      userId: credentials.userId,
      deviceId: credentials.deviceId,
      // The token goes in the Authorization header, never in URLs that could end up in a log.
      useAuthorizationHeader: true,
      logger: sdkLogger(log),
    });
  }

  private retry<T>(what: string, request: () => Promise<T>, slots = 1): Promise<T> {
    return withRateLimitRetry(request, {
      slots,
      sleep: this.sleep,
      onWait: (waitMs) => this.log.info("matrix rate limit; waiting as asked", { request: what, waitMs }),
    });
  }

  async whoami(): Promise<string> {
    return (await this.retry("whoami", () => this.client.whoami())).user_id;
  }

  sync(
    since: string | undefined,
    timeoutMs: number,
    filter: string,
    signal: AbortSignal,
  ): Promise<SyncResponse> {
    const query: Record<string, string> = { filter, timeout: String(timeoutMs) };
    if (since) query.since = since;
    return this.client.http.authedRequest<SyncResponse>(Method.Get, "/sync", query, undefined, {
      abortSignal: signal,
      // The server may hold the request for timeoutMs; give it room before calling it lost.
      localTimeoutMs: timeoutMs + 30_000,
    } as IRequestOpts);
  }

  /** Sends a message event; `txnId` is fixed by the caller so a retried send posts once. */
  async send(
    roomId: string,
    content: Record<string, unknown>,
    txnId: string,
    threadId?: string,
  ): Promise<string> {
    const res = await this.retry("send", () =>
      this.client.sendEvent(
        roomId,
        threadId ?? null,
        EventType.RoomMessage,
        content as unknown as RoomMessageEventContent,
        txnId,
      ),
    );
    return res.event_id;
  }

  async setTopic(roomId: string, topic: string): Promise<void> {
    await this.retry("topic", () => this.client.sendStateEvent(roomId, EventType.RoomTopic, { topic }, ""));
  }

  async join(roomId: string): Promise<void> {
    await this.retry("join", () =>
      this.client.http.authedRequest(Method.Post, `/join/${encodeURIComponent(roomId)}`, undefined, {}),
    );
  }

  /**
   * A new DM room with `userId`. Synapse counts a room creation as two messages against the bot's
   * limit (`rc_message`): the request, then the bot's join in the new room, checked once the room
   * exists. A 429 on the join leaves a room nobody is in or invited to, and names the wait for one
   * message only; waiting that long livelocks (the retry takes the freed slot, the join is refused
   * again), so a retry waits for two and a margin. Seen on Synapse 1.67 (test/e2e/matrix-synapse).
   */
  async createDirectRoom(userId: string): Promise<string> {
    const res = await this.retry(
      "createRoom",
      () => this.client.createRoom({ preset: Preset.TrustedPrivateChat, is_direct: true, invite: [userId] }),
      2,
    );
    return res.room_id;
  }

  /** One event of a room, as the bot may see it. */
  async event(roomId: string, eventId: string): Promise<MatrixRawEvent> {
    return (await this.retry("event", () =>
      this.client.fetchRoomEvent(roomId, eventId),
    )) as unknown as MatrixRawEvent;
  }

  async roomState(roomId: string): Promise<MatrixRawEvent[]> {
    return (await this.retry("state", () => this.client.roomState(roomId))) as unknown as MatrixRawEvent[];
  }

  /** Events before `from`, newest first, and the token for the page before them. */
  async messagesBefore(
    roomId: string,
    from: string,
    limit: number,
  ): Promise<{ events: MatrixRawEvent[]; end?: string }> {
    const res = await this.retry("messages", () =>
      this.client.createMessagesRequest(roomId, from, limit, Direction.Backward),
    );
    return { events: res.chunk as unknown as MatrixRawEvent[], end: res.end };
  }

  async directMap(): Promise<DirectMap> {
    const content = await this.retry("account_data", () =>
      this.client.getAccountDataFromServer(EventType.Direct),
    );
    return (content ?? {}) as DirectMap;
  }

  async setDirectMap(map: DirectMap): Promise<void> {
    await this.retry("account_data", () => this.client.setAccountDataRaw(EventType.Direct, map));
  }

  async displayName(userId: string): Promise<string | undefined> {
    const info = await this.retry("profile", () => this.client.getProfileInfo(userId, "displayname"));
    return info.displayname;
  }
}

/** The SDK's own logging, kept out of our logs except for problems, and then without arguments:
 * they can hold URLs, event contents or request bodies. */
function sdkLogger(log: Logger) {
  const quiet = {
    trace() {},
    debug() {},
    info() {},
    warn(...msg: unknown[]) {
      log.debug("matrix-js-sdk warning", {
        message: typeof msg[0] === "string" ? msg[0].slice(0, 120) : undefined,
      });
    },
    error(...msg: unknown[]) {
      log.debug("matrix-js-sdk error", {
        message: typeof msg[0] === "string" ? msg[0].slice(0, 120) : undefined,
      });
    },
    getChild() {
      return quiet;
    },
  };
  return quiet;
}
