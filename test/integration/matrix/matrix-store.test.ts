/** The Matrix adapter's state store, on SQLite and PostgreSQL: sync position, DM rooms, handled ids. */
import { expect, it } from "vitest";
import { SqlProcessedEventStore } from "../../../src/storage/foundation-stores.js";
import { SqlLeaseStore } from "../../../src/storage/leases.js";
import { SqlMatrixStateStore } from "../../../src/storage/matrix-store.js";
import { describeEachDatabase } from "../../helpers/databases.js";

const t0 = new Date("2026-11-25T09:00:00Z");
const BOT = "@outloud:example.org";

describeEachDatabase("SqlMatrixStateStore", (db) => {
  it("keeps the latest sync position per workspace and bot account", async () => {
    const store = new SqlMatrixStateStore(db().handle.db);
    expect(await store.syncToken("example.org", BOT)).toBeUndefined();
    await store.saveSyncToken("example.org", BOT, "s10", t0);
    await store.saveSyncToken("example.org", BOT, "s42", t0);
    await store.saveSyncToken("example.org", "@other:example.org", "s7", t0);
    await store.saveSyncToken("elsewhere.org", BOT, "s99", t0);
    // A second process sees the same position (a restart, or a replica).
    const again = new SqlMatrixStateStore((await db().reopen()).db);
    expect(await again.syncToken("example.org", BOT)).toBe("s42");
    expect(await again.syncToken("example.org", "@other:example.org")).toBe("s7");
  });

  it("saves a fenced position only while that lease tenure holds, so an old holder never moves it", async () => {
    const store = new SqlMatrixStateStore(db().handle.db);
    const leases = new SqlLeaseStore(db().handle.db);
    const name = `matrix.sync:${BOT}`;
    const old = (await leases.acquire("example.org", name, "replica-a", t0, 20_000))!;
    expect(await store.saveSyncToken("example.org", BOT, "s10", t0, old)).toBe(true);
    // replica-a goes quiet; replica-b takes the expired lease and moves on.
    const later = new Date(t0.getTime() + 30_000);
    const taken = (await leases.acquire("example.org", name, "replica-b", later, 20_000))!;
    expect(await store.saveSyncToken("example.org", BOT, "s20", later, taken)).toBe(true);
    // The old holder wakes up with a stale batch, then a newer-looking one: both refused.
    expect(await store.saveSyncToken("example.org", BOT, "s15", later, old)).toBe(false);
    expect(await store.saveSyncToken("example.org", BOT, "s99", later, old)).toBe(false);
    expect(await store.syncToken("example.org", BOT)).toBe("s20");
    // Nor may it create the row for an account that has none yet.
    expect(await store.saveSyncToken("example.org", "@other:example.org", "s1", later, old)).toBe(false);
    expect(await store.syncToken("example.org", "@other:example.org")).toBeUndefined();
  });

  it("remembers each person's DM room with the bot, and replaces it when asked", async () => {
    const store = new SqlMatrixStateStore(db().handle.db);
    await store.saveDmRoom("example.org", BOT, "@alice:example.org", "!a:example.org", t0);
    expect(await store.dmRoom("example.org", BOT, "@alice:example.org")).toBe("!a:example.org");
    expect(await store.dmRoom("elsewhere.org", BOT, "@alice:example.org")).toBeUndefined();
    await store.saveDmRoom("example.org", BOT, "@alice:example.org", "!b:example.org", t0);
    expect(await store.dmRoom("example.org", BOT, "@alice:example.org")).toBe("!b:example.org");
  });

  it("tells which event ids were already handled, per workspace", async () => {
    const store = new SqlMatrixStateStore(db().handle.db);
    const processed = new SqlProcessedEventStore(db().handle.db);
    await processed.markProcessed("example.org", "$1", t0);
    await processed.markProcessed("example.org", "$3", t0);
    await processed.markProcessed("elsewhere.org", "$2", t0);
    expect([...(await store.processedAmong("example.org", ["$1", "$2", "$3", "$4"]))].sort()).toEqual([
      "$1",
      "$3",
    ]);
    expect(await store.processedAmong("example.org", [])).toEqual(new Set());
  });
});
