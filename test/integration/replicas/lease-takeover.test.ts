/**
 * Two replicas on one database keep a lease the way the Matrix adapter does for /sync: one works, the
 * other stands by; when the worker dies, goes quiet or loses its database, the standby takes over
 * within 30 seconds and the old one stops. Driven step by step on a virtual clock.
 */
import { expect, it, vi } from "vitest";
import { SystemClock, VirtualClock } from "../../../src/core/clocks.js";
import { type Lease, LeaseKeeper } from "../../../src/core/leases.js";
import { silentLogger } from "../../../src/logging.js";
import type { DatabaseHandle } from "../../../src/storage/database.js";
import { SqlLeaseStore } from "../../../src/storage/leases.js";
import { describeEachDatabase } from "../../helpers/databases.js";

const STEP_MS = 5_000;

class Replica {
  /** What the replica is doing: "working" between onAcquired and onLost. */
  readonly history: string[] = [];
  readonly keeper: LeaseKeeper;

  constructor(name: string, handle: DatabaseHandle, clock: VirtualClock | SystemClock, ttlMs?: number) {
    this.keeper = new LeaseKeeper({
      store: new SqlLeaseStore(handle.db),
      clock,
      log: silentLogger,
      workspace: "example.org",
      name: "matrix.sync",
      holder: name,
      ttlMs,
      onAcquired: (lease: Lease) => {
        this.history.push(`start g${lease.generation} at ${clock.now().toISOString().slice(11, 19)}`);
      },
      onLost: (lease: Lease) => {
        this.history.push(`stop g${lease.generation} at ${clock.now().toISOString().slice(11, 19)}`);
      },
    });
  }

  get working(): boolean {
    return this.keeper.lease !== undefined;
  }
}

describeEachDatabase("lease take-over between replicas", (db) => {
  const start = new Date("2026-11-25T10:00:00Z");

  async function twoReplicas() {
    const clock = new VirtualClock(start);
    const a = new Replica("replica-a", db().handle, clock);
    const b = new Replica("replica-b", await db().reopen(), clock);
    /** Moves the clock one step and lets the given (living) replicas check their lease. */
    const step = async (...alive: Replica[]) => {
      clock.set(new Date(clock.now().getTime() + STEP_MS));
      for (const r of alive) await r.keeper.check();
    };
    return { clock, a, b, step };
  }

  it("keeps exactly one replica working while both are alive", async () => {
    const { a, b, step } = await twoReplicas();
    await a.keeper.check();
    await b.keeper.check();
    for (let i = 0; i < 20; i++) {
      await step(a, b);
      expect([a.working, b.working]).toEqual([true, false]);
    }
    expect(a.history).toEqual(["start g1 at 10:00:00"]);
    expect(b.history).toEqual([]);
  });

  it("lets the standby take over within 30 seconds when the worker dies", async () => {
    const { clock, a, b, step } = await twoReplicas();
    await a.keeper.check();
    await b.keeper.check();
    await step(a, b);
    const lastRenewal = clock.now().getTime();
    // a dies: it never checks again and never releases.
    while (!b.working) await step(b);
    expect(clock.now().getTime() - lastRenewal).toBeLessThanOrEqual(30_000);
    expect(b.history).toEqual(["start g2 at 10:00:25"]);
  });

  it("stops a worker that went quiet once the standby has taken over", async () => {
    const { a, b, step } = await twoReplicas();
    await a.keeper.check();
    await b.keeper.check();
    // a pauses (a long GC, a frozen VM) for a minute; b takes over meanwhile.
    for (let i = 0; i < 12; i++) await step(b);
    expect(b.working).toBe(true);
    await step(a, b);
    expect(a.working).toBe(false);
    expect(a.history).toEqual(["start g1 at 10:00:00", "stop g1 at 10:01:05"]);
    expect(b.working).toBe(true);
  });

  it("hands over at the next check when the worker shuts down cleanly", async () => {
    const { a, b, step } = await twoReplicas();
    await a.keeper.check();
    await b.keeper.check();
    await a.keeper.stop();
    await step(b);
    expect(b.history).toEqual(["start g2 at 10:00:05"]);
    expect(a.history).toEqual(["start g1 at 10:00:00", "stop g1 at 10:00:00"]);
  });

  it("stops working once its lease has expired when it cannot reach the database", async () => {
    const clock = new VirtualClock(start);
    const cutOff = await db().reopen();
    const a = new Replica("replica-a", cutOff, clock);
    const b = new Replica("replica-b", db().handle, clock);
    await a.keeper.check();
    await cutOff.close();
    const step = async () => {
      clock.set(new Date(clock.now().getTime() + STEP_MS));
      await a.keeper.check();
      await b.keeper.check();
      // Never both at once, at any step.
      expect(a.working && b.working).toBe(false);
    };
    // Renewals fail; a carries on while the lease surely is still its own, then stops.
    await step();
    expect(a.working).toBe(true);
    while (a.working) await step();
    expect(a.history).toEqual(["start g1 at 10:00:00", "stop g1 at 10:00:20"]);
    while (!b.working) await step();
    expect(b.history).toEqual(["start g2 at 10:00:20"]);
  });

  it("keeps checking on its own timer once started, and hands over on stop", async () => {
    // Real time, short lease: start() must keep renewing without anyone calling check().
    const clock = new SystemClock();
    const a = new Replica("replica-a", db().handle, clock, 1500);
    const b = new Replica("replica-b", await db().reopen(), clock, 1500);
    a.keeper.start();
    await vi.waitFor(() => expect(a.working).toBe(true));
    b.keeper.start();
    // Several lease lifetimes pass: a keeps renewing, b keeps standing by.
    await new Promise((r) => setTimeout(r, 3500));
    expect([a.working, b.working]).toEqual([true, false]);
    await a.keeper.stop();
    await vi.waitFor(() => expect(b.working).toBe(true));
    await b.keeper.stop();
    expect(a.history).toHaveLength(2);
    expect(b.history).toHaveLength(2);
  });
});
