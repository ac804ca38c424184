import { expect, it } from "vitest";
import { VirtualClock } from "../../../src/core/clocks.js";
import { Scheduler } from "../../../src/core/scheduler.js";
import { silentLogger } from "../../../src/logging.js";

it("runs due tasks in time order, each at its own time, when the virtual clock moves", async () => {
  const clock = new VirtualClock(new Date("2026-11-25T08:00:00Z"));
  const scheduler = new Scheduler(silentLogger);
  const seen: string[] = [];
  scheduler.at(new Date("2026-11-25T09:30:00Z"), "b", async () => {
    seen.push(`b@${clock.now().toISOString()}`);
  });
  scheduler.at(new Date("2026-11-25T09:00:00Z"), "a", async () => {
    seen.push(`a@${clock.now().toISOString()}`);
    // A task may schedule follow-up work that is also due before the target time.
    scheduler.at(new Date("2026-11-25T09:10:00Z"), "a2", async () => {
      seen.push(`a2@${clock.now().toISOString()}`);
    });
  });
  scheduler.at(new Date("2026-11-25T11:00:00Z"), "later", async () => {
    seen.push("later");
  });
  await clock.advanceTo(new Date("2026-11-25T10:00:00Z"), scheduler);
  expect(seen).toEqual([
    "a@2026-11-25T09:00:00.000Z",
    "a2@2026-11-25T09:10:00.000Z",
    "b@2026-11-25T09:30:00.000Z",
  ]);
  expect(clock.now().toISOString()).toBe("2026-11-25T10:00:00.000Z");
  expect(scheduler.next()?.toISOString()).toBe("2026-11-25T11:00:00.000Z");
});

it("replaces a pending task with the same key, and a failing task does not stop the others", async () => {
  const clock = new VirtualClock(new Date("2026-11-25T08:00:00Z"));
  const scheduler = new Scheduler(silentLogger);
  const seen: string[] = [];
  scheduler.at(new Date("2026-11-25T09:00:00Z"), "rota:#team", async () => {
    seen.push("old");
  });
  scheduler.at(new Date("2026-11-25T09:05:00Z"), "rota:#team", async () => {
    seen.push("new");
  });
  scheduler.at(new Date("2026-11-25T09:01:00Z"), "broken", async () => {
    throw new Error("boom");
  });
  await clock.advanceTo(new Date("2026-11-25T10:00:00Z"), scheduler);
  expect(seen).toEqual(["new"]);
});

it("runs a periodic task on its interval, and once (not once per missed slot) when the clock jumps", async () => {
  const clock = new VirtualClock(new Date("2026-11-25T08:00:00Z"));
  const scheduler = new Scheduler(silentLogger);
  const runs: string[] = [];
  scheduler.every("sync", 60_000, clock.now(), async () => {
    runs.push(clock.now().toISOString().slice(5, 16));
  });
  await clock.advanceTo(new Date("2026-11-25T08:01:00Z"), scheduler);
  await clock.advanceTo(new Date("2026-11-25T08:02:30Z"), scheduler);
  expect(runs).toEqual(["11-25T08:01", "11-25T08:02"]);
  // A replay crossing a quiet week: one run in the latest slot, then back on its interval.
  await clock.advanceTo(new Date("2026-12-02T08:03:10Z"), scheduler);
  expect(runs.slice(2)).toEqual(["12-02T08:03"]);
  await clock.advanceTo(new Date("2026-12-02T08:04:00Z"), scheduler);
  expect(runs.slice(3)).toEqual(["12-02T08:04"]);
  scheduler.cancel("sync");
  await clock.advanceTo(new Date("2026-12-02T09:00:00Z"), scheduler);
  expect(runs).toHaveLength(4);
});

it("runs due tasks a few at a time when allowed, in time order, never two with the same key at once", async () => {
  const scheduler = new Scheduler(silentLogger);
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 9, minute));
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const task = (name: string) => () =>
    new Promise<void>((resolve) => {
      started.push(name);
      finish.set(name, resolve);
    });
  scheduler.at(at(0), "a", async () => {
    // Work for the same key, due at once: it waits for this run to end.
    scheduler.at(at(0), "a", task("a again"));
    await task("a")();
  });
  for (const [i, name] of ["b", "c", "d"].entries()) scheduler.at(at(i + 1), name, task(name));
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  const done = scheduler.runDue(at(30), { concurrency: 2 });
  await settle();
  expect(started).toEqual(["a", "b"]);
  finish.get("b")!();
  await settle();
  expect(started).toEqual(["a", "b", "c"]);
  finish.get("a")!();
  await settle();
  expect(started).toEqual(["a", "b", "c", "a again"]);
  for (const name of ["c", "a again"]) finish.get(name)!();
  await settle();
  expect(started).toEqual(["a", "b", "c", "a again", "d"]);
  finish.get("d")!();
  expect(await done).toBe(5);
  expect(scheduler.size).toBe(0);
});
