/**
 * 3. Memory: one process replays the corpus five times on one engine and database (each pass later in
 * time, with new message ids), and reports resident memory after a full GC at the end of pass 1 and of
 * pass 5, once the process has been idle for a while. Per-room and per-thread state must be bounded,
 * so pass 5 should look like pass 1.
 */
import { join } from "node:path";
import { runWorker } from "./lib/child.js";
import { growth } from "./lib/stats.js";
import { fmt, fmtMiB, fmtRatio } from "./lib/table.js";
import type { BenchContext, Benchmark, BenchResult } from "./lib/types.js";
import type { PassFigures } from "./workers/replay-engine.js";

const TARGET_GROWTH = 0.2;
const PASSES = 5;
/**
 * How long the process idles after each pass before memory is read. Right after a busy pass V8 still
 * holds the heap it grew for it (218 → 292 MiB reserved for 68 MiB in use, 2026-12-06), and how much
 * it keeps varies from run to run; its memory reducer gives the unused part back some 8 s into an idle
 * spell, which is how a bot spends the time between bursts.
 */
const IDLE_MS = 12_000;

interface MemoryRun {
  passes: PassFigures[];
  maxRssBytes: number;
  gcExposed: boolean;
}

export const memoryBenchmark: Benchmark = {
  name: "memory",
  title: "Resident memory after replaying the corpus once and five times",
  async run(ctx: BenchContext): Promise<BenchResult> {
    const limit = ctx.quick ? 20_000 : 0;
    const run = await runWorker<MemoryRun>(
      "replay-engine",
      [
        "--corpus",
        ctx.corpus,
        "--db",
        join(ctx.tmpDir, "memory.sqlite"),
        "--limit",
        String(limit),
        "--passes",
        String(PASSES),
        "--idle-ms",
        String(ctx.quick ? 0 : IDLE_MS),
      ],
      {
        nodeFlags: ["--expose-gc"],
        // Five full replays: allow for a slow, shared machine rather than lose the figure.
        timeoutMs: 60 * 60_000,
        onMessage: (m) => ctx.status.show(`memory: ${fmt(Number(m.done))} messages replayed`),
      },
    );
    if (!run.gcExposed) throw new Error("memory worker ran without --expose-gc");
    const first = run.passes[0]!;
    const last = run.passes[run.passes.length - 1]!;
    const rssGrowth = growth(first.rssBytes, last.rssBytes);
    const heapGrowth = growth(first.heapUsedBytes, last.heapUsedBytes);
    const pct = (g: number) => `${g >= 0 ? "+" : ""}${fmt(g * 100, 1)}%`;
    const cpuPerMessage = (p: PassFigures) => (p.cpuSeconds * 1e6) / p.messages;
    return {
      name: "memory",
      rows: [
        {
          // Work per message must not grow with the history behind it (pass 1 also warms the JIT).
          measure: `CPU µs per message, pass 1 → pass ${PASSES}`,
          baseline: fmt(cpuPerMessage(first), 1),
          subject: fmt(cpuPerMessage(last), 1),
          ratio: fmtRatio(cpuPerMessage(last) / cpuPerMessage(first)),
        },
        {
          measure: `RSS after GC, idle, pass 1 → pass ${PASSES} (${fmt(first.messages)} messages a pass)`,
          baseline: fmtMiB(first.rssBytes),
          subject: fmtMiB(last.rssBytes),
          ratio: pct(rssGrowth),
          target: `< +${TARGET_GROWTH * 100}%`,
          met: rssGrowth < TARGET_GROWTH,
        },
        {
          measure: `V8 heap used after GC, pass 1 → pass ${PASSES}`,
          baseline: fmtMiB(first.heapUsedBytes),
          subject: fmtMiB(last.heapUsedBytes),
          ratio: pct(heapGrowth),
        },
        { measure: "peak RSS (getrusage maxrss)", subject: fmtMiB(run.maxRssBytes) },
      ],
      figures: { passes: run.passes, rssGrowth, heapGrowth, maxRssBytes: run.maxRssBytes },
      notes: [],
    };
  },
};
