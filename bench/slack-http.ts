/**
 * 2. Slack HTTP path: signed Events API requests at fixed offered rates into the bot's Bolt receiver
 * (every listener, dedup in the database, every feature) vs a bare Bolt app with a no-op listener.
 * Each server runs in its own process against its own fake Slack Web API process; the load generator
 * is this process. For each server: a warm-up, a step at 200 events/s (p50/p99), then a ladder of
 * rates (doubling, then bisecting) to find the highest rate with every request answered 2xx and
 * ack p99 under 100 ms. Sides alternate ABBA over the rounds; medians.
 */
import { join } from "node:path";
import { type LongRunningWorker, startWorker } from "./lib/child.js";
import {
  climbLadder,
  FIXED_RATE,
  type LadderRun,
  ladderRows,
  P99_LIMIT_MS,
  summariseLadders,
} from "./lib/ladder.js";
import { resetConnections, runStep } from "./lib/load.js";
import { DEV_CORPUS, MessageEventStream, sampleTexts } from "./lib/slack-fixtures.js";
import { alternation, ratio } from "./lib/stats.js";
import { fmt } from "./lib/table.js";
import type { BenchContext, Benchmark, BenchResult } from "./lib/types.js";

const TARGET_RATE_RATIO = 0.8;
const TARGET_P99_RATIO = 1.5;
/** Server CPU per event at most 1.4 times bare Bolt's. */
const TARGET_CPU_RATIO = 1.4;

type Side = "baseline" | "subject";

interface SideRun extends LadderRun {
  apiCalls: unknown;
  /** The server's event-loop delay over the whole run. */
  loopDelayMs: { p50: number; p99: number; max: number };
}

export const slackHttpBenchmark: Benchmark = {
  name: "slack-http",
  title: "Slack Events API: ack latency and highest sustained rate, bot vs bare Bolt",
  async run(ctx: BenchContext): Promise<BenchResult> {
    // Three runs a side: the fixed-rate steps of one run agree within a few per cent, while runs of the
    // same server differ by a quarter (a fresh process each: where it lands, how its heap grew).
    const rounds = ctx.quick ? 1 : 3;
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
    const summary = summariseLadders(runs);
    const rateRatio = ratio(summary.rate.subject, summary.rate.baseline);
    const p99Ratio = ratio(summary.p99.subject, summary.p99.baseline);
    const lost = runs.reduce((n, r) => n + r.fixed.failed, 0);
    return {
      name: "slack-http",
      rows: ladderRows(
        summary,
        {
          rate: `highest events/s with ack p99 < ${P99_LIMIT_MS} ms (median of ${rounds})`,
          cpu: `server CPU ms per event at ${FIXED_RATE} events/s (after-ack work included)`,
        },
        { rateRatio: TARGET_RATE_RATIO, p99Ratio: TARGET_P99_RATIO, cpuRatio: TARGET_CPU_RATIO },
      ),
      figures: {
        rounds,
        stepMs,
        highestRate: summary.rate,
        cpuMsPerEvent: summary.cpu,
        p50AtFixedMs: summary.p50,
        p99AtFixedMs: summary.p99,
        rateRatio,
        p99Ratio,
        cpuRatio: ratio(summary.cpu.subject, summary.cpu.baseline),
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
    const climb = await climbLadder({
      step: (rate, what, durationMs) => {
        ctx.status.show(`${label}: ${what} at ${fmt(rate)} events/s`, true);
        return runStep({ port, rate, durationMs, build: () => stream.next() });
      },
      cpuMs: async () => Number((await server!.ask("cpu")).ms),
      servers: 1,
      stepMs,
      warmUpMs: stepMs,
    });
    resetConnections();
    const stopped = await server.stop<{ loopDelayMs: SideRun["loopDelayMs"] }>();
    server = undefined;
    const apiCalls = await fake.stop();
    return {
      side,
      ...climb,
      apiCalls,
      loopDelayMs: stopped.loopDelayMs,
    };
  } finally {
    resetConnections();
    await server?.stop().catch(() => undefined);
    await fake.stop().catch(() => undefined);
  }
}
