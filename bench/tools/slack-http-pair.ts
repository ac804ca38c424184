/**
 * Two Slack HTTP servers under the same offered load at the same time, and each one's CPU per event
 * per step: a paired comparison of two versions of the code (or of the bot and bare Bolt) that a busy
 * machine disturbs alike, for judging a change of a few per cent that `npm run bench -- slack-http`,
 * run twice minutes apart, cannot tell from the noise. A is `bench/workers/slack-server.ts` of another
 * checkout (e.g. `git archive main | tar -x -C /tmp/base`, node_modules linked), B this one's; both
 * warm up at 1,000 events/s, then each step offers RATE events/s to both for STEP_MS, lets them settle
 * 1.5 s and reads their CPU time. Prints each step and the median of B/A.
 *
 *   npx tsx bench/tools/slack-http-pair.ts OTHER_CHECKOUT [STEPS=6] [RATE=200] [STEP_MS=5000] [MODE_A=bot] [MODE_B=bot]
 */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LongRunningWorker, startWorker as startB } from "../lib/child.js";
import { resetConnections, runStep } from "../lib/load.js";
import { DEV_CORPUS, MessageEventStream, sampleTexts } from "../lib/slack-fixtures.js";
import { median } from "../lib/stats.js";

const [otherTree, reps = "6", rateS = "200", stepS = "5000", modeA = "bot", modeB = "bot"] =
  process.argv.slice(2);
if (!otherTree)
  throw new Error("usage: slack-http-pair.ts OTHER_CHECKOUT [STEPS] [RATE] [STEP_MS] [MODE_A] [MODE_B]");
const { startWorker: startA } = (await import(`${otherTree}/bench/lib/child.ts`)) as {
  startWorker: typeof startB;
};
const texts = sampleTexts(DEV_CORPUS);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fake = await startB("fake-slack", []);
const dir = mkdtempSync(join(tmpdir(), "slack-http-pair-"));
const api = String(fake.ready.apiUrl);
const a = await startA("slack-server", ["--mode", modeA, "--api-url", api, "--db", join(dir, "a.sqlite")]);
const b = await startB("slack-server", ["--mode", modeB, "--api-url", api, "--db", join(dir, "b.sqlite")]);
const sa = new MessageEventStream(texts);
const sb = new MessageEventStream(texts);
const [pa, pb] = [Number(a.ready.port), Number(b.ready.port)];
const cpu = async (w: LongRunningWorker) => Number((await w.ask("cpu")).ms);
await runStep({ port: pa, rate: 1000, durationMs: 3000, build: () => sa.next() });
await runStep({ port: pb, rate: 1000, durationMs: 3000, build: () => sb.next() });
await sleep(2000);
const ratios: number[] = [];
const rate = Number(rateS);
for (let i = 0; i < Number(reps); i++) {
  const [a0, b0] = [await cpu(a), await cpu(b)];
  const [ra, rb] = await Promise.all([
    runStep({ port: pa, rate, durationMs: Number(stepS), build: () => sa.next() }),
    runStep({ port: pb, rate, durationMs: Number(stepS), build: () => sb.next() }),
  ]);
  await sleep(1500);
  const [a1, b1] = [await cpu(a), await cpu(b)];
  const [ea, eb] = [(a1 - a0) / ra.sent, (b1 - b0) / rb.sent];
  ratios.push(eb / ea);
  console.log(
    `step ${i + 1}: A ${ea.toFixed(3)} B ${eb.toFixed(3)} ms/event, B/A ${(eb / ea).toFixed(3)}; p99 A ${ra.p99Ms.toFixed(1)} B ${rb.p99Ms.toFixed(1)}; failed ${ra.failed}/${rb.failed}`,
  );
}
ratios.sort((x, y) => x - y);
console.log(`median B/A ${median(ratios).toFixed(3)}  all ${ratios.map((r) => r.toFixed(3)).join(" ")}`);
resetConnections();
// Stopped, or they outlive this process and load the machine for whatever runs next.
await Promise.all([a.stop(), b.stop(), fake.stop()].map((p) => p.catch(() => undefined)));
process.exit(0);
