/**
 * The AppContext a benchmark worker runs the core in: the default configuration (every feature at its
 * defaults, which is how a new install runs) plus bench/outloud.bench.yaml when present, a SQLite FILE
 * database (the durable path users run, not `:memory:`) or a `postgres://` URL, and logs at warn
 * level on stderr.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AppContext } from "../../src/app.js";
import { loadConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/logging.js";
import { isPostgresUrl, openDatabase } from "../../src/storage/database.js";

const BENCH_CONFIG = fileURLToPath(new URL("../outloud.bench.yaml", import.meta.url));

/** `database`: a SQLite file, or a `postgres://` URL (its `search_path` option picks the schema). */
export async function openBenchApp(
  database: string,
  env: Record<string, string | undefined> = {},
): Promise<AppContext> {
  const files = existsSync(BENCH_CONFIG)
    ? [{ path: BENCH_CONFIG, text: readFileSync(BENCH_CONFIG, "utf8") }]
    : [];
  const databaseUrl = isPostgresUrl(database) ? database : `sqlite:${database}`;
  // Warnings by default; the worker's LOG_LEVEL (bench/lib/child.ts) may ask for less.
  const logLevel = process.env.LOG_LEVEL ?? "warn";
  const loaded = loadConfig(files, { LOG_LEVEL: logLevel, ...env, DATABASE_URL: databaseUrl });
  if (!loaded.ok) throw new Error(`bench config: ${loaded.problems.join("; ")}`);
  const db = await openDatabase({ url: loaded.config.databaseUrl });
  return { config: loaded.config, db, log: createLogger(loaded.config.env.LOG_LEVEL) };
}
