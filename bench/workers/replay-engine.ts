/**
 * Subject of the engine and memory benchmarks: replays a corpus through the full core, exactly as
 * `npm run replay` does (LocalPlatform + createEngine, scenario parsing, every feature, SQLite file).
 *
 *   replay-engine.ts --corpus FILE --db FILE [--limit N] [--passes K] [--idle-ms MS]
 *
 * With --passes K the same engine and database replay the corpus K times; each later pass is moved
 * forward in time past the previous one and its message ids are made unique, so the bot sees K times
 * the history, not the same events again. After each pass it reports resident memory after a full GC
 * (run with --expose-gc), which is what the memory benchmark compares; with --idle-ms, read once the
 * process has then been idle that long and collected again, as a bot is between bursts.
 */

import { LocalPlatform } from "../../src/adapters/local/local-platform.js";
import { readScenarioFile, replayLines } from "../../src/adapters/local/replay.js";
import { openBenchApp } from "./app.js";
import { finish, option, progressReporter, send } from "./ipc.js";

const DAY_MS = 86_400_000;

export interface PassFigures {
  pass: number;
  messages: number;
  seconds: number;
  /** CPU time of this process during the pass (user + system), in seconds. */
  cpuSeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** V8's heap as reserved from the system (used or not), and memory held outside it (buffers, SQLite's is not counted). */
  heapTotalBytes: number;
  externalBytes: number;
  /** With --idle-ms: RSS and V8's reserved heap right after the first GC, before the idle time. */
  beforeIdle?: { rssBytes: number; heapTotalBytes: number };
}

async function main(): Promise<void> {
  const corpus = option("corpus")!;
  const dbFile = option("db")!;
  const limit = Number(option("limit", "0"));
  const passes = Number(option("passes", "1"));
  const idleMs = Number(option("idle-ms", "0"));

  const app = await openBenchApp(dbFile);
  const actionsBySource: Record<string, number> = {};
  let actions = 0;
  const platform = new LocalPlatform({
    app,
    onAction: (output) => {
      // Serialise as the replay CLI does; only the write to stdout is left out.
      JSON.stringify(output);
      actions++;
      actionsBySource[output.source] = (actionsBySource[output.source] ?? 0) + 1;
    },
  });

  const progress = progressReporter(limit > 0 ? limit * passes : undefined);
  const figures: PassFigures[] = [];
  let first: number | undefined;
  let last = 0;
  let offsetMs = 0;
  let total = 0;
  for (let pass = 1; pass <= passes; pass++) {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    // Wrapped only when needed: each async generator layer costs the subject per line, not the baseline.
    const source = limit > 0 ? limited(readScenarioFile(corpus), limit) : readScenarioFile(corpus);
    const lines =
      passes === 1
        ? source
        : shifted(source, pass, offsetMs, (at) => {
            first ??= at;
            if (pass === 1) last = at;
          });
    const summary = await replayLines(lines, platform, { onProgress: (n) => progress(total + n) });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    total += summary.events;
    if (summary.problems.length > 0)
      throw new Error(
        `corpus has ${summary.problems.length} malformed lines (first: ${summary.problems[0]!.problem})`,
      );
    // The next pass starts a day after this one ended, on the same virtual timeline.
    if (passes > 1) offsetMs = pass * (last - first! + DAY_MS);
    globalThis.gc?.();
    let beforeIdle: PassFigures["beforeIdle"];
    if (idleMs > 0) {
      // Right after a busy pass V8 keeps the heap it grew for it; idle, it gives the unused part back.
      const busy = process.memoryUsage();
      beforeIdle = { rssBytes: busy.rss, heapTotalBytes: busy.heapTotal };
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      globalThis.gc?.();
    }
    const mem = process.memoryUsage();
    figures.push({
      pass,
      messages: summary.events,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      externalBytes: mem.external,
      ...(beforeIdle ? { beforeIdle } : {}),
    });
    await send({ kind: "progress", pass, done: total });
  }
  await platform.stop();
  await app.db.close();
  await finish({
    messages: figures[0]!.messages,
    seconds: figures[0]!.seconds,
    cpuSeconds: figures[0]!.cpuSeconds,
    passes: figures,
    actions,
    actionsBySource,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    gcExposed: typeof globalThis.gc === "function",
  });
}

async function* limited(lines: AsyncIterable<string>, limit: number): AsyncIterable<string> {
  let n = 0;
  for await (const line of lines) {
    if (limit > 0 && n >= limit) return;
    n++;
    yield line;
  }
}

/** Pass 1 as is; later passes moved forward by `offsetMs`, with ids suffixed so they are new messages. */
async function* shifted(
  lines: AsyncIterable<string>,
  pass: number,
  offsetMs: number,
  seen: (atMs: number) => void,
): AsyncIterable<string> {
  for await (const line of lines) {
    if (pass === 1) {
      const at = /"at":\s*"([^"]+)"/.exec(line)?.[1];
      if (at) seen(Date.parse(at));
      yield line;
      continue;
    }
    const o = JSON.parse(line) as Record<string, unknown>;
    o.at = new Date(Date.parse(String(o.at)) + offsetMs).toISOString();
    for (const key of ["id", "thread", "target"])
      if (typeof o[key] === "string") o[key] = `${o[key]}~${pass}`;
    yield JSON.stringify(o);
  }
}

main().catch((err) => {
  process.stderr.write(`replay-engine: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
