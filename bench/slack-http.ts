/**
 * 2. Slack HTTP path: signed Events API requests at fixed offered rates into the bot's Bolt receiver
 * (every listener, dedup in the database, every feature) vs a bare Bolt app with a no-op listener.
 * Each server runs in its own process against its own fake Slack Web API process; the load generator
 * is this process. For each server: a warm-up, a step at 200 events/s (p50/p99), then a ladder of
 * rates (doubling, then bisecting) to find the highest rate with every request answered 2xx and
 * ack p99 under 100 ms. Sides alternate ABBA over the rounds; medians.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type LongRunningWorker, startWorker } from "./lib/child.js";
import { resetConnections, runStep, type StepResult } from "./lib/load.js";
import { MessageEventStream, sampleTexts } from "./lib/slack-fixtures.js";
import { alternation, median, ratio } from "./lib/stats.js";
import { fmt, fmtRatio } from "./lib/table.js";
import type { BenchContext, Benchmark, BenchResult } from "./lib/types.js";

const P99_LIMIT_MS = 100;
const FIXED_RATE = 200;
const LADDER = [100, 200, 400, 800, 1600, 3200, 6400];
const BISECTIONS = 3;
const TARGET_RATE_RATIO = 0.8;
const TARGET_P99_RATIO = 1.5;
const DEV_CORPUS = resolve(
  fileURLToPath(new URL("..", import.meta.url)),
  "../shared/corpora/ubuntu-irc/dev.jsonl",
);

type Side = "baseline" | "subject";

interface SideRun {
  side: Side;
  fixed: StepResult;
  /** Server CPU time per event at the fixed rate, after-ack work included: robust on a busy machine. */
  cpuMsPerEvent: number;
  highestRate: number;
  ladder: StepResult[];
  apiCalls: unknown;
  /** The server's event-loop delay over the whole run. */
  loopDelayMs: { p50: number; p99: number; max: number };
}

export const slackHttpBenchmark: Benchmark = {
  name: "slack-http",
  title: "Slack Events API: ack latency and highest sustained rate, bot vs bare Bolt",
  async run(ctx: BenchContext): Promise<BenchResult> {
    const rounds = ctx.quick ? 1 : 2;
    const stepMs = ctx.quick ? 2000 : 3000;
    const texts = sampleTexts(DEV_CORPUS);
    const runs: SideRun[] = [];
    const order = alternation(rounds);
    for (const [i, side] of order.entries()) {
      const label = `slack-http: ${side === "subject" ? "bot" : "bare Bolt"} (${i + 1}/${order.length})`;
      const run = await measureServer(ctx, side, join(ctx.tmpDir, `bot-${i}.sqlite`), stepMs, texts, label);
      runs.push(run);
      ctx.status.log(
        `${label}: highest ${fmt(run.highestRate)}/s; at ${FIXED_RATE}/s p50 ${fmt(run.fixed.p50Ms, 1)} ms, p99 ${fmt(run.fixed.p99Ms, 1)} ms; loop delay max ${fmt(run.loopDelayMs.max)} ms`,
      );
    }
    const pick = (side: Side, f: (r: SideRun) => number) =>
      median(runs.filter((r) => r.side === side).map(f));
    const rate = {
      baseline: pick("baseline", (r) => r.highestRate),
      subject: pick("subject", (r) => r.highestRate),
    };
    const p50 = {
      baseline: pick("baseline", (r) => r.fixed.p50Ms),
      subject: pick("subject", (r) => r.fixed.p50Ms),
    };
    const p99 = {
      baseline: pick("baseline", (r) => r.fixed.p99Ms),
      subject: pick("subject", (r) => r.fixed.p99Ms),
    };
    const cpu = {
      baseline: pick("baseline", (r) => r.cpuMsPerEvent),
      subject: pick("subject", (r) => r.cpuMsPerEvent),
    };
    const rateRatio = ratio(rate.subject, rate.baseline);
    const p99Ratio = ratio(p99.subject, p99.baseline);
    const lost = runs.reduce((n, r) => n + r.fixed.failed, 0);
    return {
      name: "slack-http",
      rows: [
        {
          measure: `highest events/s with ack p99 < ${P99_LIMIT_MS} ms (median of ${rounds})`,
          baseline: fmt(rate.baseline),
          subject: fmt(rate.subject),
          ratio: fmtRatio(rateRatio),
          target: `≥ ${TARGET_RATE_RATIO}×`,
          met: rateRatio >= TARGET_RATE_RATIO,
        },
        {
          measure: `ack p50 at ${FIXED_RATE} events/s`,
          baseline: `${fmt(p50.baseline, 1)} ms`,
          subject: `${fmt(p50.subject, 1)} ms`,
          ratio: fmtRatio(ratio(p50.subject, p50.baseline)),
        },
        {
          measure: `ack p99 at ${FIXED_RATE} events/s`,
          baseline: `${fmt(p99.baseline, 1)} ms`,
          subject: `${fmt(p99.subject, 1)} ms`,
          ratio: fmtRatio(p99Ratio),
          target: `≤ ${TARGET_P99_RATIO}×`,
          met: p99Ratio <= TARGET_P99_RATIO,
        },
        {
          measure: `server CPU ms per event at ${FIXED_RATE} events/s (after-ack work included)`,
          baseline: fmt(cpu.baseline, 2),
          subject: fmt(cpu.subject, 2),
          ratio: fmtRatio(ratio(cpu.subject, cpu.baseline)),
        },
      ],
      figures: {
        rounds,
        stepMs,
        highestRate: rate,
        cpuMsPerEvent: cpu,
        p50AtFixedMs: p50,
        p99AtFixedMs: p99,
        rateRatio,
        p99Ratio,
        runs,
      },
      notes: lost > 0 ? [`${lost} request(s) at ${FIXED_RATE}/s were not acknowledged with 2xx`] : [],
    };
  },
};

async function measureServer(
  ctx: BenchContext,
  side: Side,
  dbFile: string,
  stepMs: number,
  texts: string[],
  label: string,
): Promise<SideRun> {
  const fake = await startWorker("fake-slack", []);
  let server: LongRunningWorker | undefined;
  try {
    const apiUrl = String(fake.ready.apiUrl);
    server = await startWorker(
      "slack-server",
      ["--mode", side === "subject" ? "bot" : "bare", "--api-url", apiUrl, "--db", dbFile],
      { nodeFlags: side === "subject" ? ctx.subjectFlags : [] },
    );
    const port = Number(server.ready.port);
    const stream = new MessageEventStream(texts);
    const step = async (rate: number, what: string) => {
      ctx.status.show(`${label}: ${what} at ${fmt(rate)} events/s`, true);
      const result = await runStep({ port, rate, durationMs: stepMs, build: () => stream.next() });
      // Let work acknowledged but not yet done (the bot's after-ack processing) drain before the next step.
      await pause(1000);
      return result;
    };
    await step(FIXED_RATE, "warm-up");
    const cpuBefore = Number((await server.ask("cpu")).ms);
    const fixed = await step(FIXED_RATE, "fixed rate");
    const cpuMsPerEvent = (Number((await server.ask("cpu")).ms) - cpuBefore) / fixed.sent;
    const ladder: StepResult[] = [];
    const sustained = async (rate: number) => {
      const r = await step(rate, "ladder");
      ladder.push(r);
      return r.failed === 0 && r.p99Ms < P99_LIMIT_MS;
    };
    let pass = 0;
    let fail: number | undefined;
    for (const rate of LADDER) {
      if (await sustained(rate)) pass = rate;
      else {
        fail = rate;
        break;
      }
    }
    for (let k = 0; fail !== undefined && k < BISECTIONS; k++) {
      const mid = Math.round((pass + fail) / 2);
      if (await sustained(mid)) pass = mid;
      else fail = mid;
    }
    resetConnections();
    const stopped = await server.stop<{ loopDelayMs: SideRun["loopDelayMs"] }>();
    server = undefined;
    const apiCalls = await fake.stop();
    return {
      side,
      fixed,
      cpuMsPerEvent,
      highestRate: pass,
      ladder,
      apiCalls,
      loopDelayMs: stopped.loopDelayMs,
    };
  } finally {
    resetConnections();
    await server?.stop().catch(() => undefined);
    await fake.stop().catch(() => undefined);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
