import { expect, it } from "vitest";
import { SqlLeaseStore } from "../../src/storage/leases.js";
import { describeEachDatabase } from "../helpers/databases.js";

const t0 = new Date("2026-11-25T09:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);
const TTL = 20_000;

describeEachDatabase("LeaseStore", (db) => {
  it("gives the lease to the first replica and refuses the second while it is held", async () => {
    const second = await db().reopen();
    const a = new SqlLeaseStore(db().handle.db);
    const b = new SqlLeaseStore(second.db);
    const lease = await a.acquire("hs", "matrix.sync", "replica-a", t0, TTL);
    expect(lease).toMatchObject({ holder: "replica-a", generation: 1, expiresAt: later(TTL) });
    expect(await b.acquire("hs", "matrix.sync", "replica-b", later(TTL - 1), TTL)).toBeUndefined();
    expect(await b.current("hs", "matrix.sync", later(1000))).toMatchObject({ holder: "replica-a" });
  });

  it("extends the holder's own lease without starting a new tenure", async () => {
    const leases = new SqlLeaseStore(db().handle.db);
    const first = await leases.acquire("hs", "matrix.sync", "a", t0, TTL);
    const again = await leases.acquire("hs", "matrix.sync", "a", later(5000), TTL);
    expect(again).toMatchObject({ generation: first!.generation, expiresAt: later(5000 + TTL) });
    const renewed = await leases.renew(again!, later(10_000), TTL);
    expect(renewed).toMatchObject({ generation: first!.generation, expiresAt: later(10_000 + TTL) });
  });

  it("lets another replica take an expired lease, and the old holder can no longer renew or release it", async () => {
    const leases = new SqlLeaseStore(db().handle.db);
    const old = (await leases.acquire("hs", "matrix.sync", "a", t0, TTL))!;
    const taken = await leases.acquire("hs", "matrix.sync", "b", later(TTL), TTL);
    expect(taken).toMatchObject({ holder: "b", generation: old.generation + 1 });

    expect(await leases.renew(old, later(TTL + 1), TTL)).toBeUndefined();
    await leases.release(old, later(TTL + 2));
    expect(await leases.current("hs", "matrix.sync", later(TTL + 3))).toMatchObject({ holder: "b" });
    // Nor can it simply take it back while b holds it.
    expect(await leases.acquire("hs", "matrix.sync", "a", later(TTL + 4), TTL)).toBeUndefined();
  });

  it("frees a released lease at once, and the next tenure gets a higher generation", async () => {
    const leases = new SqlLeaseStore(db().handle.db);
    const first = (await leases.acquire("hs", "matrix.sync", "a", t0, TTL))!;
    await leases.release(first, later(1000));
    expect(await leases.current("hs", "matrix.sync", later(1000))).toBeUndefined();
    const next = await leases.acquire("hs", "matrix.sync", "b", later(1000), TTL);
    expect(next).toMatchObject({ holder: "b", generation: 2 });
    await leases.release(next!, later(2000));
    // The same replica coming back is a new tenure too: fencing tokens never repeat.
    expect(await leases.acquire("hs", "matrix.sync", "b", later(2000), TTL)).toMatchObject({ generation: 3 });
  });

  it("keeps leases of different names and workspaces apart", async () => {
    const leases = new SqlLeaseStore(db().handle.db);
    expect(await leases.acquire("hs1", "matrix.sync", "a", t0, TTL)).toBeDefined();
    expect(await leases.acquire("hs2", "matrix.sync", "b", t0, TTL)).toMatchObject({ holder: "b" });
    expect(await leases.acquire("hs1", "digest", "b", t0, TTL)).toMatchObject({ holder: "b" });
  });

  it("lets exactly one of several replicas racing for an expired lease win", async () => {
    const handles = [db().handle, ...(await Promise.all([1, 2, 3, 4].map(() => db().reopen())))];
    const stores = handles.map((h) => new SqlLeaseStore(h.db));
    await stores[0]!.acquire("hs", "matrix.sync", "dead", t0, TTL);
    for (let round = 1; round <= 5; round++) {
      const at = later(round * 2 * TTL);
      const results = await Promise.all(
        stores.map((s, i) => s.acquire("hs", "matrix.sync", `r${i}`, at, TTL)),
      );
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.generation).toBe(round + 1);
      expect(await stores[0]!.current("hs", "matrix.sync", at)).toMatchObject({ holder: winners[0]!.holder });
    }
  });
});
