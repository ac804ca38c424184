import { expect, it } from "vitest";
import { VirtualClock } from "../../../src/core/clocks.js";
import { Scheduler } from "../../../src/core/scheduler.js";
import { silentLogger } from "../../../src/logging.js";
import { LiveSchedulerDriver } from "../../../src/runtime/live-scheduler.js";

it("is alive once started and while it keeps up; not when due work has waited for minutes, nor once stopped", async () => {
  const t0 = new Date("2026-11-25T09:00:00Z");
  const clock = new VirtualClock(t0);
  const scheduler = new Scheduler(silentLogger);
  const driver = new LiveSchedulerDriver(scheduler, clock);
  expect(driver.alive()).toBe(false);
  let release = () => {};
  const hung = new Promise<void>((resolve) => {
    release = resolve;
  });
  // A task that does not finish, and one due just after it that therefore cannot run.
  scheduler.at(t0, "hangs", () => hung);
  scheduler.at(new Date(t0.getTime() + 60_000), "waits", async () => {});
  driver.start();
  await new Promise((resolve) => setImmediate(resolve));
  expect(driver.alive()).toBe(true);
  clock.set(new Date(t0.getTime() + 3 * 60_000));
  expect(driver.alive()).toBe(true);
  clock.set(new Date(t0.getTime() + 7 * 60_000));
  expect(driver.alive()).toBe(false);
  release();
  await driver.stop();
  expect(driver.alive()).toBe(false);
});
