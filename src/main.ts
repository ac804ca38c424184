/**
 * npm start: config → database → platforms. With Slack or Matrix credentials in the environment the
 * real adapters run (side by side if both are set); with none, the terminal playground starts on the
 * embedded defaults (SQLite under OUTLOUD_DATA_DIR).
 */

import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { runPlayground } from "./adapters/local/playground.js";
import { startMatrix } from "./adapters/matrix/start.js";
import { startSlack } from "./adapters/slack/start.js";
import type { AppContext } from "./app.js";
import { platformsConfigured } from "./config/platforms.js";
import { environment, readConfig } from "./config/read.js";
import { errorMessage } from "./core/error-message.js";
import { installLastResortHandlers } from "./last-resort.js";
import { createLogger } from "./logging.js";
import type { PlatformRuntime } from "./runtime/runtime.js";
import { type DatabaseHandle, makeDirectory, openDatabase } from "./storage/database.js";

function fail(lines: string[]): never {
  process.stderr.write(`Outloud cannot start:\n${lines.map((l) => `  - ${l}`).join("\n")}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const env = environment();
  const loaded = readConfig(env);
  if (!loaded.ok) fail(loaded.problems);
  const config = loaded.config;
  const wanted = platformsConfigured(config);
  const playground = !wanted.slack && !wanted.matrix;
  let db: DatabaseHandle;
  try {
    // The playground keeps its clock and log in the data folder even when the database is PostgreSQL.
    if (playground) makeDirectory(config.dataDir);
    db = await openDatabase({ url: config.databaseUrl });
  } catch (err) {
    fail([`database: ${errorMessage(err)}`]);
  }
  // The playground's terminal is a chat transcript: its logs go to a file beside the database instead.
  const logFile = playground ? join(config.dataDir, "playground.log") : undefined;
  const log = createLogger(
    config.env.LOG_LEVEL,
    logFile ? createWriteStream(logFile, { flags: "a" }) : process.stderr,
  );
  for (const w of config.warnings) log.warn(w);
  installLastResortHandlers(log);
  const app: AppContext = { config, db, log };

  if (playground) {
    for (const w of config.warnings) process.stderr.write(`warning: ${w}\n`);
    await runPlayground({
      app,
      input: process.stdin,
      output: process.stdout,
      interactive: Boolean(process.stdin.isTTY),
      statePath: join(config.dataDir, "playground.json"),
    });
    await db.close();
    return;
  }

  const adapters: PlatformRuntime[] = [];
  try {
    // Platform adapters are added here, one line each.
    if (wanted.slack) adapters.push(await startSlack(app));
    if (wanted.matrix) adapters.push(await startMatrix(app));
  } catch (err) {
    for (const a of adapters) await a.stop().catch(() => {});
    await db.close();
    fail([errorMessage(err)]);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    for (const a of adapters) {
      await a
        .stop()
        .catch((err) => log.error("adapter failed to stop", { adapter: a.name, error: errorMessage(err) }));
    }
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  log.info("outloud running", { platforms: adapters.map((a) => a.name) });
}

main().catch((err) => {
  process.stderr.write(`Outloud stopped: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
