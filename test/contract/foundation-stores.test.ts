import { expect, it } from "vitest";
import {
  SqlClaimStore,
  SqlProcessedEventStore,
  SqlSettingsStore,
} from "../../src/storage/foundation-stores.js";
import { describeEachDatabase } from "../helpers/databases.js";

const t0 = new Date("2026-11-25T09:00:00Z");

describeEachDatabase("ClaimStore", (db) => {
  it("lets only the first of two connections claim a key", async () => {
    const second = await db().reopen();
    const a = new SqlClaimStore(db().handle.db);
    const b = new SqlClaimStore(second.db);
    expect(await a.claim("T1", "rota:C1:2026-11-25", t0)).toBe(true);
    expect(await b.claim("T1", "rota:C1:2026-11-25", t0)).toBe(false);
    expect(await b.isClaimed("T1", "rota:C1:2026-11-25")).toBe(true);
  });

  it("gives each key to exactly one of five replicas claiming all of them at once", async () => {
    const handles = [db().handle, ...(await Promise.all([1, 2, 3, 4].map(() => db().reopen())))];
    const keys = Array.from({ length: 20 }, (_, i) => `rota:C${i}:2026-11-25`);
    const wins = await Promise.all(
      handles.map(async (h) => {
        const claims = new SqlClaimStore(h.db);
        const results = await Promise.all(keys.map((key) => claims.claim("T1", key, t0)));
        return keys.filter((_, i) => results[i]);
      }),
    );
    expect(wins.flat().sort()).toEqual([...keys].sort());
  });

  it("keeps workspaces apart", async () => {
    const claims = new SqlClaimStore(db().handle.db);
    expect(await claims.claim("T1", "k", t0)).toBe(true);
    expect(await claims.claim("T2", "k", t0)).toBe(true);
    expect(await claims.isClaimed("T3", "k")).toBe(false);
  });

  it("purges old claims by prefix only, treating _ and % literally", async () => {
    const claims = new SqlClaimStore(db().handle.db);
    await claims.claim("T1", "nudge_x:1", t0);
    await claims.claim("T1", "nudgeAx:2", t0);
    await claims.claim("T1", "rota:1", t0);
    expect(await claims.purge("nudge_x:", new Date("2026-11-26T00:00:00Z"))).toBe(1);
    expect(await claims.isClaimed("T1", "nudgeAx:2")).toBe(true);
    expect(await claims.isClaimed("T1", "rota:1")).toBe(true);
  });
});

describeEachDatabase("ProcessedEventStore", (db) => {
  it("reports a redelivered event as a duplicate", async () => {
    const events = new SqlProcessedEventStore(db().handle.db);
    expect(await events.markProcessed("T1", "Ev1", t0)).toBe(true);
    expect(await events.markProcessed("T1", "Ev1", t0)).toBe(false);
    expect(await events.markProcessed("T2", "Ev1", t0)).toBe(true);
  });

  it("lets one of several replicas receiving the same event at once act on it", async () => {
    const handles = [db().handle, ...(await Promise.all([1, 2].map(() => db().reopen())))];
    const firsts = await Promise.all(
      handles.flatMap((h) =>
        [1, 2].map(() => new SqlProcessedEventStore(h.db).markProcessed("T1", "Ev42", t0)),
      ),
    );
    expect(firsts.filter(Boolean)).toHaveLength(1);
  });

  it.each([
    { gather: "one turn of the event loop", gatherMs: 0 },
    { gather: "2 ms", gatherMs: 2 },
  ])("acts once on each event of a burst that arrives with its own redeliveries (gathering $gather)", async ({
    gatherMs,
  }) => {
    const events = new SqlProcessedEventStore(db().handle.db, { gatherMs });
    expect(await events.markProcessed("T1", "Ev0", t0)).toBe(true);
    // 20 events, each delivered twice, arriving together with a redelivery of one seen earlier.
    const ids = ["Ev0", ...Array.from({ length: 20 }, (_, i) => `Ev${i + 1}`)];
    const deliveries = [...ids, ...ids.slice(1).reverse()];
    const firsts = await Promise.all(deliveries.map((id) => events.markProcessed("T1", id, t0)));
    const actedOn = deliveries.filter((_, i) => firsts[i]);
    expect(actedOn.sort()).toEqual(ids.slice(1).sort());
  });

  it("writes a batch as soon as `gatherRows` marks have come, without waiting out the gathering", async () => {
    const events = new SqlProcessedEventStore(db().handle.db, { gatherMs: 3_600_000, gatherRows: 5 });
    const ids = ["A", "B", "C", "D", "E"];
    const first = await Promise.all(ids.map((id) => events.markProcessed("T1", id, t0)));
    expect(first).toEqual([true, true, true, true, true]);
    // Redelivered beside as many new ones: only the new are acted on.
    const again = [...ids, "F", "G", "H", "I", "J"];
    const firsts = await Promise.all(again.map((id) => events.markProcessed("T1", id, t0)));
    expect(again.filter((_, i) => firsts[i])).toEqual(["F", "G", "H", "I", "J"]);
  });

  it("forgets events older than the retention", async () => {
    const events = new SqlProcessedEventStore(db().handle.db);
    await events.markProcessed("T1", "old", t0);
    await events.markProcessed("T1", "new", new Date("2026-11-27T00:00:00Z"));
    expect(await events.purge(new Date("2026-11-26T00:00:00Z"))).toBe(1);
    expect(await events.markProcessed("T1", "new", t0)).toBe(false);
  });
});

describeEachDatabase("SettingsStore", (db) => {
  it("stores, replaces and deletes JSON values per workspace and scope", async () => {
    const settings = new SqlSettingsStore(db().handle.db);
    await settings.set("T1", "room:C1", "nudges", { thread: false });
    await settings.set("T1", "room:C1", "nudges", { thread: true });
    expect(await settings.get("T1", "room:C1", "nudges")).toEqual({ thread: true });
    expect(await settings.get("T2", "room:C1", "nudges")).toBeUndefined();
    await settings.delete("T1", "room:C1", "nudges");
    expect(await settings.get("T1", "room:C1", "nudges")).toBeUndefined();
  });
});
