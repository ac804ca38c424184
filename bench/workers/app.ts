/**
 * The AppContext a benchmark worker runs the core in: the default configuration (every feature at its
 * defaults, which is how a new install runs) plus bench/outloud.bench.yaml when present, a SQLite FILE
 * database (the durable path users run, not `:memory:`) and logs at warn level on stderr.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AppContext } from "../../src/app.js";
import { loadConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/logging.js";
import { openDatabase } from "../../src/storage/database.js";

const BENCH_CONFIG = fileURLToPath(new URL("../outloud.bench.yaml", import.meta.url));

export async function openBenchApp(
  databaseFile: string,
  env: Record<string, string | undefined> = {},
): Promise<AppContext> {
  const files = existsSync(BENCH_CONFIG)
    ? [{ path: BENCH_CONFIG, text: readFileSync(BENCH_CONFIG, "utf8") }]
    : [];
  const loaded = loadConfig(files, { LOG_LEVEL: "warn", ...env, DATABASE_URL: `sqlite:${databaseFile}` });
  if (!loaded.ok) throw new Error(`bench config: ${loaded.problems.join("; ")}`);
  const db = await openDatabase({ url: loaded.config.databaseUrl });
  return { config: loaded.config, db, log: createLogger("warn") };
}
