/**
 * What an enabled AsyncLocalStorage costs every promise of the process on this Node (issue 21):
 * `npx tsx bench/tools/als-micro.ts none|enabled|disabled` prints CPU ns per awaited promise, with no
 * storage ever used, with one left enabled after a `run`, and with one disabled again (ScopedStorage).
 * Run each mode in its own process, a few times, minutes apart.
 */
import { AsyncLocalStorage } from "node:async_hooks";

async function awaitMany(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve(i);
}

const mode = process.argv[2] ?? "none";
if (mode !== "none") {
  const storage = new AsyncLocalStorage<number>();
  await storage.run(1, () => awaitMany(1));
  if (mode === "disabled") storage.disable();
}
await awaitMany(200_000); // warm-up
const before = process.cpuUsage();
await awaitMany(2_000_000);
const used = process.cpuUsage(before);
console.log(
  `${mode}: ${(((used.user + used.system) / 2_000_000) * 1000).toFixed(1)} ns CPU per awaited promise`,
);
