/**
 * 5. Start-up: time from opening the database to taking events (migrations checked, every rota loaded
 * and its next announcement armed, Slack adapter listening) with 10,000 rotas in the database vs an
 * empty one. Each start is a fresh process; empty and full alternate ABBA over the rounds; medians.
 */
import { join } from "node:path";
import { runWorker, startWorker } from "./lib/child.js";
import { alternation, median, ratio } from "./lib/stats.js";
import { fmt, fmtRatio } from "./lib/table.js";
import type { BenchContext, Benchmark, BenchResult } from "./lib/types.js";

const ROTAS = 10_000;
const QUICK_ROTAS = 1_000;

export const startupBenchmark: Benchmark = {
  name: "startup",
  title: "Start-up with 10,000 rotas in the database vs an empty one",
  async run(ctx: BenchContext): Promise<BenchResult> {
    const rotas = ctx.quick ? QUICK_ROTAS : ROTAS;
    const rounds = ctx.quick ? 1 : 2;
    const dbs = { baseline: join(ctx.tmpDir, "empty.sqlite"), subject: join(ctx.tmpDir, "rotas.sqlite") };
    ctx.status.show(`startup: seeding ${fmt(rotas)} rotas`, true);
    await runWorker("rota-bot", ["--db", dbs.baseline, "--rotas", "0", "--seed-only"]);
    await runWorker("rota-bot", ["--db", dbs.subject, "--rotas", String(rotas), "--seed-only"]);

    const fake = await startWorker("fake-slack", ["--channels", "0"]);
    const readyMs = { baseline: [] as number[], subject: [] as number[] };
    const readyCpuMs = { baseline: [] as number[], subject: [] as number[] };
    const spawnToReadyMs = { baseline: [] as number[], subject: [] as number[] };
    try {
      for (const [i, side] of alternation(rounds).entries()) {
        ctx.status.show(
          `startup: ${side === "subject" ? `${fmt(rotas)} rotas` : "empty"} (${i + 1}/${2 * rounds})`,
          true,
        );
        const spawned = performance.now();
        const bot = await startWorker(
          "rota-bot",
          ["--db", dbs[side], "--api-url", String(fake.ready.apiUrl)],
          {
            nodeFlags: side === "subject" ? ctx.subjectFlags : [],
          },
        );
        spawnToReadyMs[side].push(performance.now() - spawned);
        readyMs[side].push(Number(bot.ready.readyMs));
        readyCpuMs[side].push(Number(bot.ready.readyCpuMs));
        await bot.stop();
      }
    } finally {
      await fake.stop().catch(() => undefined);
    }
    const cpuEmpty = median(readyCpuMs.baseline);
    const cpuFull = median(readyCpuMs.subject);
    const empty = median(readyMs.baseline);
    const full = median(readyMs.subject);
    const spawnEmpty = median(spawnToReadyMs.baseline);
    const spawnFull = median(spawnToReadyMs.subject);
    return {
      name: "startup",
      rows: [
        {
          measure: `CPU ms from database open to ready, empty vs ${fmt(rotas)} rotas (median of ${rounds})`,
          baseline: `${fmt(cpuEmpty)} ms`,
          subject: `${fmt(cpuFull)} ms`,
          ratio: fmtRatio(ratio(cpuFull, cpuEmpty)),
        },
        {
          measure: "database open → ready (wall time)",
          baseline: `${fmt(empty)} ms`,
          subject: `${fmt(full)} ms`,
          ratio: fmtRatio(ratio(full, empty)),
        },
        {
          measure: "process spawn → ready (module loading included)",
          baseline: `${fmt(spawnEmpty)} ms`,
          subject: `${fmt(spawnFull)} ms`,
          ratio: fmtRatio(ratio(spawnFull, spawnEmpty)),
        },
        {
          measure: "extra start-up per 1,000 rotas, CPU / wall",
          subject: `${fmt(((cpuFull - cpuEmpty) / rotas) * 1000)} / ${fmt(((full - empty) / rotas) * 1000)} ms`,
        },
      ],
      figures: { rotas, rounds, readyMs, readyCpuMs, spawnToReadyMs },
      notes: [],
    };
  },
};
