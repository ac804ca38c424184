/**
 * Matrix's own causes and their actions (issue 15), with the real adapter against the fake homeserver,
 * on SQLite and PostgreSQL: the once-ever notice in an encrypted room is saved with its claim (a
 * database refusing the row, as a full disk does, stands in for a crash between the two), and a
 * `!decision`'s exports (network calls) run only once the event's transaction committed, which on
 * SQLite holds the only connection, while the confirmation still says where the decision went, also
 * when its first send failed and it is sent again (SQLite only: a 30 s wait).
 */
import { rmSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../../src/storage/database.js";
import { refuseInserts } from "../../helpers/databases.js";
import { FakeWebhookReceiver } from "../../helpers/fake-docs-apis.js";
import { FakeHomeserver, type SentEvent } from "../../helpers/fake-homeserver.js";
import { createSchema, type PostgresSchema } from "../../helpers/postgres-schemas.js";
import { scenarioConfig } from "../../helpers/scenario.js";
import { ALICE, BOB, BOT, CAROL, freshDataDir, type RunningBot, startBot, TOKEN } from "./bot.js";

const isMessage = (e: SentEvent) => e.type === "m.room.message";
const SECRET = "webhook-secret";
/** Decisions exported to `receiver` only. */
const toWebhook = (receiver: FakeWebhookReceiver) => ({
  decisions: {
    export: { markdown: { enabled: false }, webhook: { enabled: true, url: `${receiver.url}/decisions` } },
  },
});

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`Matrix causes saved with their actions [${kind}]`, () => {
    let hs: FakeHomeserver;
    let bot: RunningBot | undefined;
    let schema: PostgresSchema | undefined;
    let dataDir: string;
    let env: Record<string, string>;

    beforeEach(async () => {
      hs = await new FakeHomeserver({ botUserId: BOT, token: TOKEN }).start();
      schema = kind === "postgres" ? await createSchema() : undefined;
      dataDir = freshDataDir();
      env = schema ? { DATABASE_URL: schema.url } : {};
    });
    afterEach(async () => {
      await bot?.stop();
      bot = undefined;
      await hs.close();
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("says in an encrypted room that it cannot read it once that can be saved with the room's claim, and once only", async () => {
      const secret = hs.createRoom({ members: [ALICE, BOB, CAROL], name: "secret", encrypted: true });
      bot = await startBot(hs, { dataDir, env });
      await hs.waitForSyncedUpTo();
      const allow = await refuseInserts(bot.db, "action_outbox");
      hs.inviteBot(secret, ALICE);
      await hs.waitForRequests("POST", /\/join\//);
      hs.event(secret, ALICE, "m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "…" });
      await hs.waitForSyncedUpTo();
      expect(hs.messagesIn(secret)).toEqual([]);
      await allow();
      hs.event(secret, BOB, "m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "…" });
      const [notice] = await hs.waitForSent((e) => isMessage(e) && e.room_id === secret);
      expect(String(notice?.content.body)).toMatch(/^I can't read this room/);
      await bot.stop();
      bot = await startBot(hs, { dataDir, env });
      hs.event(secret, CAROL, "m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "…" });
      await hs.waitForSyncedUpTo();
      expect(hs.messagesIn(secret)).toHaveLength(1);
    });

    it("exports a !decision only once its event's transaction committed, and confirms where it went", async () => {
      const receiver = await new FakeWebhookReceiver(SECRET).start();
      let reader: DatabaseHandle | undefined;
      try {
        const room = hs.createRoom({ members: [ALICE, BOB, BOT], name: "team", public: true });
        const settings = toWebhook(receiver);
        bot = await startBot(hs, { dataDir, settings, env: { ...env, WEBHOOK_SECRET: SECRET } });
        // Another connection, as another process would have: it sees only what was committed.
        reader = await openDatabase({
          url: scenarioConfig({}, { OUTLOUD_DATA_DIR: dataDir, ...env }).databaseUrl,
          migrate: false,
        });
        const db = reader.db;
        const committedWhenExported: boolean[] = [];
        receiver.beforeAnswer = async () => {
          const rows = await db.selectFrom("decisions").select("number").execute();
          committedWhenExported.push(rows.length === 1);
        };
        await hs.waitForSyncedUpTo();
        hs.message(room, ALICE, "!decision Keep the monorepo.");
        const [reply] = await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
        expect(committedWhenExported).toEqual([true]);
        expect(String(reply?.content.body)).toMatch(
          /^Recorded decision \*?D-1\*?: Keep the monorepo\. Exported to webhook \(http:\/\/127\.0\.0\.1:\d+\)\.$/,
        );
        expect(hs.messagesIn(room)).toHaveLength(1);
      } finally {
        await reader?.close();
        await receiver.stop();
      }
    });
  });
}

describe("a !decision's confirmation whose first send failed", () => {
  let hs: FakeHomeserver;
  let bot: RunningBot | undefined;
  afterEach(async () => {
    await bot?.stop();
    await hs.close();
  });

  // The outbox waits 30 s before a failed send is tried again.
  it(
    "is sent again saying where the decision went, not the 'pending' it was saved with",
    { timeout: 90_000 },
    async () => {
      hs = await new FakeHomeserver({ botUserId: BOT, token: TOKEN }).start();
      const receiver = await new FakeWebhookReceiver(SECRET).start();
      try {
        const room = hs.createRoom({ members: [ALICE, BOB, BOT], name: "team", public: true });
        const settings = toWebhook(receiver);
        bot = await startBot(hs, { settings, env: { WEBHOOK_SECRET: SECRET } });
        await hs.waitForSyncedUpTo();
        // Longer than the bot waits out a rate limit (2 minutes): the send fails, and is let go.
        hs.rateLimitNext("PUT", /\/send\//, { retryAfterMs: 600_000 });
        hs.message(room, ALICE, "!decision Keep the monorepo.");
        const [reply] = await hs.waitForSent((e) => isMessage(e) && e.room_id === room, 1, 60_000);
        expect(String(reply?.content.body)).toMatch(
          /^Recorded decision \*?D-1\*?: Keep the monorepo\. Exported to webhook \(http:\/\/127\.0\.0\.1:\d+\)\.$/,
        );
        expect(hs.messagesIn(room)).toHaveLength(1);
      } finally {
        await receiver.stop();
      }
    },
  );
});
