/**
 * Diagnostic: which SQL statements the core runs per replayed message, and how long SQLite spends in
 * each. Replays the first N corpus lines through the full core on a SQLite file and prints the
 * statements by frequency. It wraps better-sqlite3's `prepare` to count (Kysely prepares every statement
 * on each execution, so prepares = executions). A measuring tool, not a benchmark: the wrapping costs time.
 *
 *   npx tsx bench/tools/count-statements.ts [N=20000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import SqliteDatabase from "better-sqlite3";
import { LocalPlatform } from "../../src/adapters/local/local-platform.js";
import { readScenarioFile, replayLines } from "../../src/adapters/local/replay.js";
import { openBenchApp } from "../workers/app.js";

type Method = (...args: unknown[]) => unknown;
const CORPUS = resolve(
  fileURLToPath(new URL("../..", import.meta.url)),
  process.env.OUTLOUD_SHARED_DIR ?? "../shared",
  "corpora/ubuntu-irc/train.jsonl.gz",
);
const counts = new Map<string, { n: number; ms: number }>();

const proto = SqliteDatabase.prototype as unknown as { prepare: (sql: string) => Record<string, unknown> };
const prepare = proto.prepare;
proto.prepare = function (this: unknown, sql: string) {
  const stmt = prepare.call(this, sql);
  const c = counts.get(sql) ?? { n: 0, ms: 0 };
  counts.set(sql, c);
  for (const name of ["run", "all", "get"]) {
    const f = stmt[name] as Method | undefined;
    if (typeof f !== "function") continue;
    stmt[name] = function (this: unknown, ...args: unknown[]) {
      c.n++;
      const t = performance.now();
      try {
        return f.apply(this, args);
      } finally {
        c.ms += performance.now() - t;
      }
    };
  }
  return stmt;
};

const limit = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), "outloud-statements-"));
const app = await openBenchApp(join(dir, "count.sqlite"));
const platform = new LocalPlatform({ app, onAction: () => {} });
counts.clear(); // migrations are not what we are after
async function* firstLines(lines: AsyncIterable<string>): AsyncIterable<string> {
  let n = 0;
  for await (const line of lines) {
    if (n++ >= limit) return;
    yield line;
  }
}
const summary = await replayLines(firstLines(readScenarioFile(CORPUS)), platform);
await platform.stop();
await app.db.close();
rmSync(dir, { recursive: true, force: true });

const all = [...counts.values()].reduce((a, c) => ({ n: a.n + c.n, ms: a.ms + c.ms }), { n: 0, ms: 0 });
const per = (n: number) => (n / summary.events).toFixed(3);
process.stdout.write(
  `${summary.events} events, ${all.n} statements (${per(all.n)} per event), SQLite ${all.ms.toFixed(0)} ms\n`,
);
for (const [sql, c] of [...counts.entries()].sort((a, b) => b[1].n - a[1].n).slice(0, 25))
  process.stdout.write(`${per(c.n)}/event ${c.ms.toFixed(0).padStart(6)} ms  ${sql.slice(0, 160)}\n`);
