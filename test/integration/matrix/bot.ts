/**
 * Starts the real Matrix adapter (real matrix-js-sdk, real engine and SQLite) against a FakeHomeserver,
 * with a log that records every line so tests can check that no token or message text is ever logged.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMatrixPlatform } from "../../../src/adapters/matrix/start.js";
import type { Logger } from "../../../src/core/logger.js";
import type { Clock } from "../../../src/core/ports.js";
import type { Scheduler } from "../../../src/core/scheduler.js";
import type { PlatformRuntime } from "../../../src/runtime/runtime.js";
import { type DatabaseHandle, openDatabase } from "../../../src/storage/database.js";
import type { FakeHomeserver } from "../../helpers/fake-homeserver.js";
import { scenarioConfig } from "../../helpers/scenario.js";

export const BOT = "@outloud:example.test";
export const TOKEN = "syt_secret_bot_token";
export const ALICE = "@alice:example.test";
export const BOB = "@bob:example.test";
export const CAROL = "@carol:example.test";

export interface RunningBot {
  adapter: PlatformRuntime;
  db: DatabaseHandle;
  logs: string[];
  stop(): Promise<void>;
}

export interface BotOptions {
  settings?: Record<string, unknown>;
  /** OUTLOUD_DATA_DIR, shared across restarts (the SQLite file lives there); a fresh one by default. */
  dataDir?: string;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Serve the health routes on 127.0.0.1 (0: any free port). */
  healthPort?: number;
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), "outloud-matrix-"));
}

export async function startBot(hs: FakeHomeserver, options: BotOptions = {}): Promise<RunningBot> {
  const config = scenarioConfig(options.settings ?? {}, {
    OUTLOUD_DATA_DIR: options.dataDir ?? freshDataDir(),
  });
  const db = await openDatabase({ url: config.databaseUrl });
  const logs: string[] = [];
  const record =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      logs.push(JSON.stringify({ level, msg, ...fields }));
    };
  const log: Logger = {
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  };
  const adapter = await startMatrixPlatform({
    app: { config, db, log },
    credentials: { homeserverUrl: hs.url, userId: BOT, accessToken: TOKEN },
    clock: options.clock,
    scheduler: options.scheduler,
    pollTimeoutMs: 2000,
    healthPort: options.healthPort,
    healthHost: "127.0.0.1",
  });
  return {
    adapter,
    db,
    logs,
    async stop() {
      await adapter.stop();
      await db.close();
    },
  };
}
