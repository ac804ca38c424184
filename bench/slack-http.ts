/**
 * 2. Slack HTTP path: signed Events API requests at fixed offered rates into the bot's Bolt receiver
 * (every listener, dedup in the database, every feature) vs a bare Bolt app with a no-op listener.
 * Each server runs in its own process against its own fake Slack Web API process; the load generator
 * is this process. For each server: a warm-up, a step at 200 events/s (p50/p99), then a ladder of
 * rates (doubling, then bisecting) to find the highest rate with every request answered 2xx and
 * ack p99 under 100 ms. Both servers run side by side in each round, paired in time (bench/lib/ladder.ts):
 * the fixed-rate steps go to both at once and the ladders take turns, so a busy spell of the machine
 * falls on both; which side goes first alternates over the rounds. Medians of the rounds.
 */
import { join } from "node:path";
import { type LongRunningWorker, startWorker } from "./lib/child.js";
import {
  climbLadders,
  FIXED_RATE,
  type LadderRun,
  ladderRows,
  P99_LIMIT_MS,
  summariseLadders,
} from "./lib/ladder.js";
import { resetConnections, runStep } from "./lib/load.js";
import { DEV_CORPUS, MessageEventStream, sampleTexts } from "./lib/slack-fixtures.js";
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
    // Three rounds: the steps of one round agree within a few per cent, while rounds differ (a fresh
    // process each: where it lands, how its heap grew).
    const rounds = ctx.quick ? 1 : 3;
    const stepMs = ctx.quick ? 2000 : 3000;
    const texts = sampleTexts(DEV_CORPUS);
    const runs: SideRun[] = [];
    for (let i = 0; i < rounds; i++) {
      const label = `slack-http: bot and bare Bolt (${i + 1}/${rounds})`;
      const order: Side[] = i % 2 === 0 ? ["baseline", "subject"] : ["subject", "baseline"];
      const round = await measureRound(ctx, order, i, stepMs, texts, label);
      runs.push(...round.map((run) => ({ ...run, round: i })));
      for (const run of round)
        ctx.status.log(
          `${label}, ${run.side === "subject" ? "bot" : "bare Bolt"}: highest ${fmt(run.highestRate)}/s; at ${FIXED_RATE}/s ${fmt(run.cpuMsPerEvent, 2)} CPU ms/event, p50 ${fmt(run.fixed.p50Ms, 1)} ms, p99 ${fmt(run.fixed.p99Ms, 1)} ms; loop delay max ${fmt(run.loopDelayMs.max)} ms`,
        );
    }
    const summary = summariseLadders(runs);
    const { rate: rateRatio, p99: p99Ratio, cpu: cpuRatio } = summary.ratios;
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
        cpuRatio,
        runs,
      },
      notes: [
        `each ratio is the median of the ${rounds} rounds' own ratios (both servers side by side in a round); the figures beside it are each side's medians`,
        ...(lost > 0 ? [`${lost} request(s) at ${FIXED_RATE}/s were not acknowledged with 2xx`] : []),
      ],
    };
  },
};

/** Both servers of one round, each with its own fake Web API, measured side by side. */
async function measureRound(
  ctx: BenchContext,
  order: Side[],
  round: number,
  stepMs: number,
  texts: string[],
  label: string,
): Promise<SideRun[]> {
  // Each worker is cleared once stopped: what is left is stopped in `finally`, after a failure.
  const started: Array<{ side: Side; fake?: LongRunningWorker; server?: LongRunningWorker }> = [];
  try {
    for (const side of order) {
      const fake = await startWorker("fake-slack", []);
      const entry: (typeof started)[number] = { side, fake };
      started.push(entry);
      entry.server = await startWorker(
        "slack-server",
        [
          ...["--mode", side === "subject" ? "bot" : "bare", "--api-url", String(fake.ready.apiUrl)],
          ...["--db", join(ctx.tmpDir, `bot-${round}.sqlite`)],
        ],
        { nodeFlags: side === "subject" ? ctx.subjectFlags : [] },
      );
    }
    const climbs = await climbLadders(
      started.map(({ side, server }) => {
        const port = Number(server!.ready.port);
        const stream = new MessageEventStream(texts);
        const name = side === "subject" ? "bot" : "bare Bolt";
        return {
          step: (rate: number, what: string, durationMs: number) => {
            ctx.status.show(`${label}: ${name}, ${what} at ${fmt(rate)} events/s`, true);
            return runStep({ port, rate, durationMs, build: () => stream.next() });
          },
          cpuMs: async () => Number((await server!.ask("cpu")).ms),
          servers: 1,
        };
      }),
      { stepMs, warmUpMs: stepMs },
    );
    resetConnections();
    const runs: SideRun[] = [];
    for (const [i, entry] of started.entries()) {
      const stopped = await entry.server!.stop<{ loopDelayMs: SideRun["loopDelayMs"] }>();
      entry.server = undefined;
      const apiCalls = await entry.fake!.stop();
      entry.fake = undefined;
      runs.push({ side: entry.side, ...climbs[i]!, apiCalls, loopDelayMs: stopped.loopDelayMs });
    }
    return runs;
  } finally {
    resetConnections();
    for (const { server, fake } of started) {
      await server?.stop().catch(() => undefined);
      await fake?.stop().catch(() => undefined);
    }
  }
}
