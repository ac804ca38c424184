/**
 * The fake homeserver is only useful if the real SDK accepts it: the SDK's own client (its sync loop,
 * filters, push rules, capabilities) must sync against it, see injected events, and send with
 * transaction ids the fake deduplicates.
 */
import {
  ClientEvent,
  createClient,
  EventType,
  type MatrixClient,
  MemoryStore,
  MsgType,
  RoomEvent,
  SyncState,
} from "matrix-js-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeHomeserver } from "../../helpers/fake-homeserver.js";

const BOT = "@outloud:example.test";
const ALICE = "@alice:example.test";

describe("FakeHomeserver with the real matrix-js-sdk client", () => {
  let hs: FakeHomeserver;
  let client: MatrixClient;

  beforeAll(async () => {
    hs = await new FakeHomeserver({ botUserId: BOT, token: "secret-token" }).start();
  });
  afterAll(async () => {
    client?.stopClient();
    await hs.close();
  });

  it("lets the SDK's own sync loop start, see a new message and send a reply once per transaction id", async () => {
    const room = hs.createRoom({ members: [ALICE, BOT], name: "team" });
    client = createClient({
      baseUrl: hs.url,
      accessToken: "secret-token",
      userId: BOT,
      store: new MemoryStore(),
      logger: quietLogger,
    });
    const prepared = new Promise<void>((resolve) => {
      client.on(ClientEvent.Sync, (state) => {
        if (state === SyncState.Prepared) resolve();
      });
    });
    await client.startClient({ initialSyncLimit: 5 });
    await prepared;
    expect(client.getRoom(room)?.name).toBe("team");

    const seen = new Promise<string>((resolve) => {
      client.on(RoomEvent.Timeline, (event, _room, toStartOfTimeline) => {
        if (!toStartOfTimeline && event.getType() === "m.room.message") resolve(event.getContent().body);
      });
    });
    hs.message(room, ALICE, "hello from alice");
    expect(await seen).toBe("hello from alice");

    const first = await client.sendEvent(room, EventType.RoomMessage, notice("hi"), "txn-1");
    const again = await client.http.authedRequest<{ event_id: string }>(
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's Method enum is a plain string union on the wire.
      "PUT" as any,
      `/rooms/${encodeURIComponent(room)}/send/m.room.message/txn-1`,
      undefined,
      { msgtype: "m.notice", body: "hi" },
    );
    expect(again.event_id).toBe(first.event_id);
    expect(hs.messagesIn(room).map((e) => e.content.body)).toEqual(["hi"]);
  });

  it("answers a 429 with M_LIMIT_EXCEEDED, which the SDK's own send queue retries after the asked wait", async () => {
    const room = hs.createRoom({ members: [ALICE, BOT] });
    hs.rateLimitNext("PUT", /\/send\//, { retryAfterMs: 400 });
    await client.sendEvent(room, EventType.RoomMessage, notice("x"), "txn-2");
    const attempts = hs.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/txn-2"));
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(400);
    expect(hs.messagesIn(room)).toHaveLength(1);
  });
});

const quietLogger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  getChild() {
    return quietLogger;
  },
};

function notice(body: string) {
  return { msgtype: MsgType.Notice, body } as const;
}
