/**
 * npm run bench [-- NAME…] [--quick] [--busy] [--profile] [--write-docs]
 *
 * Runs the benchmarks (all, or those named), prints one table on stdout and writes
 * bench/results.json. Progress goes to stderr on a terminal only. Every benchmark measures its
 * subject against a baseline in the same invocation; the ratio is the figure that matters on a
 * shared machine, and CPU time per unit of work the one that moves least with other load. --busy
 * runs everything beside a fixed background load (bench/lib/background-load.ts). --write-docs puts
 * the table and the machine into docs/PERFORMANCE.md (the idle or the busy block).
 * The method is described in docs/PERFORMANCE.md.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parsedOrUsage } from "../src/cli/common.js";
import { engineBenchmark } from "./engine.js";
import { fanoutBenchmark } from "./fanout.js";
import { type BackgroundLoad, startBackgroundLoad } from "./lib/background-load.js";
import { describeMachine, machineInfo } from "./lib/machine.js";
import { Status } from "./lib/status.js";
import { markdownTable, textTable } from "./lib/table.js";
import type { Benchmark, BenchResult } from "./lib/types.js";
import { memoryBenchmark } from "./memory.js";
import { slackCallsBenchmark } from "./slack-calls.js";
import { slackHttpBenchmark } from "./slack-http.js";
import { slackReplicasBenchmark } from "./slack-replicas.js";
import { startupBenchmark } from "./startup.js";

const BENCHMARKS: Benchmark[] = [
  engineBenchmark,
  slackHttpBenchmark,
  memoryBenchmark,
  fanoutBenchmark,
  startupBenchmark,
  slackReplicasBenchmark,
  slackCallsBenchmark,
];

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = join(ROOT, "bench/results.json");
const DOCS = join(ROOT, "docs/PERFORMANCE.md");
const CORPUS = resolve(
  ROOT,
  process.env.OUTLOUD_SHARED_DIR ?? "../shared",
  "corpora/ubuntu-irc/train.jsonl.gz",
);
const PROFILES = join(ROOT, "bench/profiles");
/** Where --write-docs puts the figures: one block for the idle machine, one for --busy. */
const DOCS_BLOCKS = {
  idle: { start: "<!-- bench:results:start -->", end: "<!-- bench:results:end -->" },
  busy: { start: "<!-- bench:results-busy:start -->", end: "<!-- bench:results-busy:end -->" },
};

const USAGE = `Usage: npm run bench [-- NAME…] [--quick] [--busy] [--profile] [--write-docs]
  NAME          one or more of: ${BENCHMARKS.map((b) => b.name).join(", ")} (default: all)
  --quick       one round on a slice of the corpus, for development (figures are not comparable)
  --busy        run beside a fixed background load: one core spun at nice 19 for the whole run
  --profile     write CPU profiles of the subject processes to bench/profiles/ (open in Chrome DevTools)
  --write-docs  also put the table into docs/PERFORMANCE.md (full runs only)`;

async function main(): Promise<number> {
  const args = parsedOrUsage(parse, USAGE);
  if (!args) return 2;
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = args.positionals.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(", ")}\n${USAGE}\n`);
    return 2;
  }
  const quick = args.values.quick ?? false;
  if (args.values["write-docs"] && quick) {
    process.stderr.write("--write-docs needs a full run: quick figures are not comparable\n");
    return 2;
  }
  if (!existsSync(CORPUS)) {
    process.stderr.write(`corpus not found: ${CORPUS}\n`);
    return 2;
  }
  const selected =
    args.positionals.length > 0 ? BENCHMARKS.filter((b) => args.positionals.includes(b.name)) : BENCHMARKS;

  const machine = machineInfo();
  const status = new Status();
  const started = Date.now();
  const results: BenchResult[] = [];
  const failures: string[] = [];
  const busy = args.values.busy ?? false;
  const load: BackgroundLoad | undefined = busy ? startBackgroundLoad() : undefined;
  for (const bench of selected) {
    status.log(`${bench.name}: ${bench.title}${quick ? " (quick)" : ""}`);
    const tmpDir = mkdtempSync(join(tmpdir(), `outloud-bench-${bench.name}-`));
    const t0 = Date.now();
    try {
      const subjectFlags = args.values.profile ? ["--cpu-prof", "--cpu-prof-dir", PROFILES] : [];
      const result = await bench.run({ quick, corpus: CORPUS, tmpDir, status, subjectFlags });
      result.figures.elapsedSeconds = (Date.now() - t0) / 1000;
      results.push(result);
    } catch (err) {
      // One broken benchmark must not cost the figures of the others.
      status.clear();
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${bench.name} failed: ${message}\n`);
      failures.push(bench.name);
      results.push({
        name: bench.name,
        rows: [{ measure: `FAILED: ${message}`, subject: "" }],
        figures: {},
        notes: [],
      });
    } finally {
      rmSync(tmpDir, { recursive: true, force: true });
    }
  }
  status.clear();
  if (load) {
    machine.backgroundLoad = { description: load.description, coreShare: load.coreShare() };
    load.stop();
  }

  const elapsed = (Date.now() - started) / 1000;
  process.stdout.write(
    `${textTable(results)}\n\n${describeMachine(machine)}; ${elapsed.toFixed(0)} s${quick ? " (quick)" : ""}\n`,
  );
  for (const r of results) for (const n of r.notes) process.stdout.write(`note (${r.name}): ${n}\n`);
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ machine, quick, busy, elapsedSeconds: elapsed, results }, null, 2)}\n`,
  );
  if (args.values["write-docs"]) writeDocs(results, machine, elapsed, busy ? "busy" : "idle");
  const missed = results.flatMap((r) =>
    r.rows.filter((row) => row.met === false).map((row) => `${r.name}: ${row.measure}`),
  );
  if (missed.length > 0) process.stdout.write(`targets missed:\n${missed.map((m) => `  ${m}`).join("\n")}\n`);
  return failures.length > 0 ? 1 : 0;
}

/** Replaces the figures block of docs/PERFORMANCE.md; the prose around it is left alone. */
function writeDocs(
  results: BenchResult[],
  machine: ReturnType<typeof machineInfo>,
  elapsed: number,
  which: keyof typeof DOCS_BLOCKS,
): void {
  const { start: startMark, end: endMark } = DOCS_BLOCKS[which];
  const doc = readFileSync(DOCS, "utf8");
  const start = doc.indexOf(startMark);
  const end = doc.indexOf(endMark);
  if (start < 0 || end < start) throw new Error(`${DOCS} has no ${startMark} … ${endMark} block`);
  const notes = results.flatMap((r) => r.notes.map((n) => `- ${r.name}: ${n}`));
  const command = which === "busy" ? "npm run bench -- --busy" : "npm run bench";
  const block = [
    startMark,
    `Measured with \`${command}\` on ${describeMachine(machine)}. Whole run: ${elapsed.toFixed(0)} s.`,
    "",
    markdownTable(results),
    ...(notes.length > 0 ? ["", ...notes] : []),
    "",
  ].join("\n");
  writeFileSync(DOCS, doc.slice(0, start) + block + doc.slice(end));
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: "boolean" },
      busy: { type: "boolean" },
      "write-docs": { type: "boolean" },
      profile: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
