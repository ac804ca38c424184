import { expect, it } from "vitest";
import type { DeliveryRequest } from "../../src/core/nudges/store.js";
import { SqlNudgeStore } from "../../src/storage/nudge-store.js";
import { describeEachDatabase } from "../helpers/databases.js";

const t0 = new Date("2026-11-25T09:00:00Z");
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

function request(overrides: Partial<DeliveryRequest> = {}): DeliveryRequest {
  return {
    workspace: "T1",
    kind: "be-kind",
    recipients: [{ user: "alice", day: "2026-11-25" }],
    at: t0,
    cooldownMinutes: 60,
    dailyCap: 3,
    about: "m1",
    ...overrides,
  };
}

describeEachDatabase("NudgeStore", (db) => {
  it("records a delivery inside a transaction while the daily purge, begun outside it, waits", async () => {
    const { handle } = db();
    const store = new SqlNudgeStore(handle.db);
    let began!: () => void;
    const begun = new Promise<void>((resolve) => {
      began = resolve;
    });
    // The purge's timer fires outside the delivery's transaction, once that has begun.
    const purge = begun.then(() => store.purge(minutes(-60 * 24 * 30)));
    const delivered = handle.atomically(async () => {
      expect(await store.mutes("T1", "alice", t0)).toEqual([]);
      began();
      await new Promise((resolve) => setImmediate(resolve));
      return store.recordDelivery(request());
    });
    const late = new Promise((resolve) => setTimeout(() => resolve("still waiting after 5 s"), 5000).unref());
    expect(await Promise.race([delivered, late])).toEqual({ ok: true });
    await purge;
    expect(await store.recordDelivery(request({ at: minutes(30) }))).toEqual({
      ok: false,
      reason: "cooldown",
      user: "alice",
    });
  });

  it("refuses the same kind to the same person within the cooldown, and allows it after", async () => {
    const store = new SqlNudgeStore(db().handle.db);
    expect(await store.recordDelivery(request())).toEqual({ ok: true });
    expect(await store.recordDelivery(request({ at: minutes(59) }))).toEqual({
      ok: false,
      reason: "cooldown",
      user: "alice",
    });
    // Another kind is not in cooldown.
    expect(await store.recordDelivery(request({ kind: "no-hello", at: minutes(1) }))).toEqual({ ok: true });
    expect(await store.recordDelivery(request({ at: minutes(60) }))).toEqual({ ok: true });
  });

  it("caps nudges per person per local day, and starts again the next day", async () => {
    const store = new SqlNudgeStore(db().handle.db);
    const kinds = ["be-kind", "no-hello", "broadcast", "out-of-hours"];
    const results = [];
    for (const [i, kind] of kinds.entries())
      results.push(await store.recordDelivery(request({ kind, at: minutes(i) })));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(results[3]).toEqual({ ok: false, reason: "cap", user: "alice" });
    expect(await store.deliveredOn("T1", "alice", "2026-11-25")).toBe(3);
    const tomorrow = request({
      kind: "out-of-hours",
      at: minutes(24 * 60),
      recipients: [{ user: "alice", day: "2026-11-26" }],
    });
    expect(await store.recordDelivery(tomorrow)).toEqual({ ok: true });
  });

  it("records for all recipients or for none", async () => {
    const store = new SqlNudgeStore(db().handle.db);
    await store.recordDelivery(
      request({ kind: "channel-to-thread", recipients: [{ user: "bob", day: "2026-11-25" }] }),
    );
    const both = request({
      kind: "channel-to-thread",
      at: minutes(5),
      recipients: [
        { user: "alice", day: "2026-11-25" },
        { user: "bob", day: "2026-11-25" },
      ],
    });
    expect(await store.recordDelivery(both)).toEqual({ ok: false, reason: "cooldown", user: "bob" });
    // alice's part was rolled back: she has nothing recorded and no cooldown.
    expect(await store.deliveredOn("T1", "alice", "2026-11-25")).toBe(0);
    expect(await store.recordDelivery(request({ kind: "channel-to-thread", at: minutes(6) }))).toEqual({
      ok: true,
    });
  });

  it("never hands out more than the cap when two connections race for the last slots", async () => {
    const second = await db().reopen();
    const a = new SqlNudgeStore(db().handle.db);
    const b = new SqlNudgeStore(second.db);
    const attempts = [];
    for (let i = 0; i < 6; i++) {
      const store = i % 2 === 0 ? a : b;
      attempts.push(store.recordDelivery(request({ kind: `k${i}`, at: minutes(i) })));
    }
    const results = await Promise.all(attempts);
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(await a.deliveredOn("T1", "alice", "2026-11-25")).toBe(3);
  });

  it("lets only one of two connections pass the same cooldown", async () => {
    const second = await db().reopen();
    const a = new SqlNudgeStore(db().handle.db);
    const b = new SqlNudgeStore(second.db);
    const results = await Promise.all([a.recordDelivery(request()), b.recordDelivery(request())]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("keeps mutes until they end, per kind or for all, and unmutes", async () => {
    const store = new SqlNudgeStore(db().handle.db);
    await store.mute("T1", "alice", { kind: "be-kind", until: minutes(60) });
    await store.mute("T1", "alice", { kind: "all" });
    expect((await store.mutes("T1", "alice", minutes(30))).map((m) => m.kind).sort()).toEqual([
      "all",
      "be-kind",
    ]);
    expect((await store.mutes("T1", "alice", minutes(61))).map((m) => m.kind)).toEqual(["all"]);
    expect(await store.mutes("T2", "alice", minutes(30))).toEqual([]);
    expect(await store.unmute("T1", "alice", "all")).toBe(1);
    expect(await store.unmute("T1", "alice")).toBe(1);
    expect(await store.mutes("T1", "alice", minutes(30))).toEqual([]);
  });

  it("stores personal working hours per workspace", async () => {
    const store = new SqlNudgeStore(db().handle.db);
    await store.setHours("T1", "alice", { start: "08:00", end: "16:00", days: [1, 2, 3, 4] });
    expect(await store.hours("T1", "alice")).toEqual({ start: "08:00", end: "16:00", days: [1, 2, 3, 4] });
    await store.setHours("T1", "alice", { start: "10:00", end: "18:00", days: [1, 2, 3, 4, 5] });
    expect((await store.hours("T1", "alice"))?.start).toBe("10:00");
    expect(await store.hours("T2", "alice")).toBeUndefined();
  });

  it("allows one DM nudge per pair of people per day, whatever their order", async () => {
    const store = new SqlNudgeStore(db().handle.db);
    expect(await store.claimPair("T1", "dm-to-channel", ["bob", "alice"], "2026-11-25", t0)).toBe(true);
    expect(await store.claimPair("T1", "dm-to-channel", ["alice", "bob"], "2026-11-25", t0)).toBe(false);
    expect(await store.claimPair("T1", "dm-to-channel", ["alice", "bob"], "2026-11-26", t0)).toBe(true);
    expect(await store.claimPair("T1", "dm-to-channel", ["alice", "carol"], "2026-11-25", t0)).toBe(true);
  });

  it("purges deliveries, cooldowns, pair claims and ended mutes older than the retention, nothing newer", async () => {
    const store = new SqlNudgeStore(db().handle.db);
    await store.recordDelivery(request());
    await store.claimPair("T1", "dm-to-channel", ["alice", "bob"], "2026-11-25", t0);
    await store.mute("T1", "alice", { kind: "be-kind", until: minutes(10) });
    await store.mute("T1", "alice", { kind: "all" });
    const later = new Date(t0.getTime() + 31 * 24 * 60 * 60_000);
    await store.recordDelivery(request({ at: later, recipients: [{ user: "bob", day: "2026-12-26" }] }));
    const removed = await store.purge(new Date(t0.getTime() + 30 * 24 * 60 * 60_000));
    expect(removed).toBe(4);
    expect(await store.deliveredOn("T1", "alice", "2026-11-25")).toBe(0);
    expect(await store.deliveredOn("T1", "bob", "2026-12-26")).toBe(1);
    expect(await store.claimPair("T1", "dm-to-channel", ["alice", "bob"], "2026-11-25", later)).toBe(true);
    expect((await store.mutes("T1", "alice", later)).map((m) => m.kind)).toEqual(["all"]);
    // The purged cooldown no longer blocks.
    expect(
      await store.recordDelivery(request({ at: later, recipients: [{ user: "alice", day: "2026-12-26" }] })),
    ).toEqual({ ok: true });
  });

  it("keeps not-helpful marks per person and kind, counts them per kind, and purges old ones", async () => {
    const store = new SqlNudgeStore(db().handle.db);
    await store.markUnhelpful("T1", "alice", "be-kind", t0);
    await store.markUnhelpful("T1", "alice", "be-kind", minutes(60));
    await store.markUnhelpful("T1", "bob", "be-kind", minutes(1));
    await store.markUnhelpful("T1", "bob", "no-hello", minutes(2));
    await store.markUnhelpful("T2", "carol", "be-kind", minutes(3));
    expect(await store.unhelpfulSince("T1", "alice", "be-kind", t0)).toBe(2);
    expect(await store.unhelpfulSince("T1", "alice", "be-kind", minutes(1))).toBe(1);
    expect(await store.unhelpfulSince("T1", "alice", "no-hello", t0)).toBe(0);
    expect(await store.unhelpfulCounts("T1")).toEqual(
      new Map([
        ["be-kind", 3],
        ["no-hello", 1],
      ]),
    );
    expect(await store.unhelpfulCounts()).toEqual(
      new Map([
        ["be-kind", 4],
        ["no-hello", 1],
      ]),
    );
    await store.purge(minutes(30));
    expect(await store.unhelpfulSince("T1", "alice", "be-kind", t0)).toBe(1);
  });

  it("tells the kind of the last nudge a person got", async () => {
    const store = new SqlNudgeStore(db().handle.db);
    expect(await store.lastDelivery("T1", "alice")).toBeUndefined();
    await store.recordDelivery(request());
    await store.recordDelivery(request({ kind: "no-hello", at: minutes(5) }));
    expect(await store.lastDelivery("T1", "alice")).toEqual({ kind: "no-hello", at: minutes(5) });
  });
});
