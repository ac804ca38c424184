/**
 * 1. Engine throughput: the ubuntu-irc corpus through the full core vs the read-parse-insert baseline,
 * each run in its own process on a fresh SQLite file, alternated ABBA over several rounds; medians.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { runWorker } from "./lib/child.js";
import { alternation, median, ratio } from "./lib/stats.js";
import { fmt, fmtRatio } from "./lib/table.js";
import type { BenchContext, Benchmark, BenchResult } from "./lib/types.js";

const TARGET_RATIO = 0.5;
/** CPU per message at most twice the bare loop's, with every feature on. */
const TARGET_CPU_RATIO = 2;
/** A slice big enough to warm the JIT and the database, small enough for a development loop. */
const QUICK_LIMIT = 20_000;

interface ReplayRun {
  messages: number;
  seconds: number;
  cpuSeconds: number;
  actions?: number;
  actionsBySource?: Record<string, number>;
  maxRssBytes: number;
}

export const engineBenchmark: Benchmark = {
  name: "engine",
  title: "Engine throughput on the ubuntu-irc corpus",
  async run(ctx: BenchContext): Promise<BenchResult> {
    const rounds = ctx.quick ? 1 : 2;
    const limit = ctx.quick ? QUICK_LIMIT : 0;
    const rates = { baseline: [] as number[], subject: [] as number[] };
    const cpuPerMessage = { baseline: [] as number[], subject: [] as number[] };
    const runs: Array<{ side: string } & ReplayRun> = [];
    let lastSubject: ReplayRun | undefined;
    const order = alternation(rounds);
    for (const [i, side] of order.entries()) {
      const db = join(ctx.tmpDir, `${side}-${i}.sqlite`);
      const label = `engine: ${side} (${i + 1}/${order.length})`;
      const run = await runWorker<ReplayRun>(
        side === "subject" ? "replay-engine" : "replay-baseline",
        ["--corpus", ctx.corpus, "--db", db, "--limit", String(limit)],
        {
          nodeFlags: side === "subject" ? ctx.subjectFlags : [],
          timeoutMs: 30 * 60_000,
          onMessage: (m) => ctx.status.show(`${label} ${fmt(Number(m.done))} messages`),
        },
      );
      rmSync(db, { force: true });
      rmSync(`${db}-wal`, { force: true });
      rmSync(`${db}-shm`, { force: true });
      const rate = run.messages / run.seconds;
      rates[side].push(rate);
      cpuPerMessage[side].push((run.cpuSeconds * 1e6) / run.messages);
      runs.push({ side, ...run });
      if (side === "subject") lastSubject = run;
      ctx.status.log(`${label}: ${fmt(rate)} messages/s`);
    }
    const base = median(rates.baseline);
    const subject = median(rates.subject);
    const r = ratio(subject, base);
    const cpu = { baseline: median(cpuPerMessage.baseline), subject: median(cpuPerMessage.subject) };
    const messages = lastSubject?.messages ?? 0;
    const cpuRatio = ratio(cpu.subject, cpu.baseline);
    return {
      name: "engine",
      rows: [
        {
          // The headline: CPU time per message barely moves when other processes compete for the
          // cores, unlike wall time, so it is what a change is judged by.
          measure: `CPU µs per message, user + system (${fmt(messages)} messages, median of ${rounds})`,
          baseline: fmt(cpu.baseline, 1),
          subject: fmt(cpu.subject, 1),
          ratio: fmtRatio(cpuRatio),
          target: `≤ ${TARGET_CPU_RATIO}×`,
          met: cpuRatio <= TARGET_CPU_RATIO,
        },
        {
          measure: "messages/s",
          baseline: fmt(base),
          subject: fmt(subject),
          ratio: fmtRatio(r),
          target: `≥ ${TARGET_RATIO}×`,
          met: r >= TARGET_RATIO,
        },
        {
          measure: "bot actions over the corpus",
          subject: fmt(lastSubject?.actions ?? 0),
        },
      ],
      figures: {
        rounds,
        messages,
        baselineMessagesPerSecond: base,
        subjectMessagesPerSecond: subject,
        ratio: r,
        cpuMicrosecondsPerMessage: cpu,
        cpuRatio,
        actionsBySource: lastSubject?.actionsBySource ?? {},
        runs,
      },
      notes: [],
    };
  },
};
