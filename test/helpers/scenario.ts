/**
 * Scenario tests run replay-format lines through the real engine, storage and replay platform, on a
 * virtual clock, and look at the actions the bot printed: the same path as `npm run replay`.
 *
 *   const run = await runScenario([{ type: "command", at: "2026-11-25T09:00:00Z", user: "alice",
 *     room: "#team", text: "/rota who" }]);
 *   expect(run.outputs).toContainEqual(expect.objectContaining({ action: "notice" }));
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { LocalPlatform } from "../../src/adapters/local/local-platform.js";
import { type ReplaySummary, replayLines } from "../../src/adapters/local/replay.js";
import type { ReplayOutput } from "../../src/adapters/local/scenario.js";
import type { Config } from "../../src/config/load.js";
import { loadConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/logging.js";
import { SqlActionOutboxStore } from "../../src/storage/action-outbox-store.js";
import { type DatabaseHandle, openDatabase } from "../../src/storage/database.js";

export type ScenarioInput = Record<string, unknown> | string;

export interface ScenarioOptions {
  /** Behaviour settings, as they would appear in config/outloud.yaml (e.g. `{ rota: { lateAnnouncement: "none" } }`). */
  settings?: Record<string, unknown>;
  /** Extra environment variables. OUTLOUD_DATA_DIR defaults to a fresh temporary folder. */
  env?: Record<string, string>;
  /** A database URL or SQLite file shared across restarts; defaults to a file in the data folder. */
  databaseUrl?: string;
  /** Every action goes through the durable outbox first, as on Slack and Matrix. */
  outbox?: boolean;
}

/** Builds a validated Config the way start-up does; throws with every problem if it is invalid. */
export function scenarioConfig(
  settings: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Config {
  const result = loadConfig([{ path: "scenario.yaml", text: stringify(settings) }], env);
  if (!result.ok) throw new Error(`bad scenario config:\n${result.problems.join("\n")}`);
  return result.config;
}

export class ScenarioSession {
  readonly outputs: ReplayOutput[] = [];
  readonly problems: ReplaySummary["problems"] = [];
  platform!: LocalPlatform;
  db!: DatabaseHandle;
  readonly config: Config;
  private readonly ownsDataDir: string | undefined;

  constructor(private readonly options: ScenarioOptions = {}) {
    const env = { ...options.env };
    if (!env.OUTLOUD_DATA_DIR) {
      this.ownsDataDir = mkdtempSync(join(tmpdir(), "outloud-scenario-"));
      env.OUTLOUD_DATA_DIR = this.ownsDataDir;
    }
    this.config = scenarioConfig(options.settings, env);
  }

  /** Opens the database and a fresh platform (as a process start would). */
  async open(): Promise<this> {
    this.db = await openDatabase({ url: this.options.databaseUrl ?? this.config.databaseUrl });
    this.platform = new LocalPlatform({
      app: { config: this.config, db: this.db, log: silentLogger },
      onAction: (output) => this.outputs.push(output),
      ...(this.options.outbox
        ? { outbox: { store: new SqlActionOutboxStore(this.db.db), holder: "scenario" } }
        : {}),
    });
    return this;
  }

  /** Feeds lines (objects or raw JSON text) and returns the actions they caused. */
  async feed(lines: ScenarioInput[]): Promise<ReplayOutput[]> {
    const before = this.outputs.length;
    const text = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l)));
    const summary = await replayLines(text, this.platform);
    this.problems.push(...summary.problems);
    return this.outputs.slice(before);
  }

  /** Moves the virtual clock (running what falls due) without an event. */
  async advanceTo(at: string): Promise<ReplayOutput[]> {
    return this.feed([{ type: "tick", at }]);
  }

  /** Stops the engine and closes the database, then starts again on the same database at `at`. */
  async restart(at: string): Promise<ReplayOutput[]> {
    await this.platform.stop();
    await this.db.close();
    await this.open();
    const before = this.outputs.length;
    await this.platform.startAt(new Date(at));
    return this.outputs.slice(before);
  }

  async close(): Promise<void> {
    await this.platform.stop();
    await this.db.close();
    if (this.ownsDataDir) rmSync(this.ownsDataDir, { recursive: true, force: true });
  }
}

/** Runs a whole scenario on a fresh database and returns what the bot did. */
export async function runScenario(lines: ScenarioInput[], options: ScenarioOptions = {}) {
  const session = await new ScenarioSession(options).open();
  try {
    const outputs = await session.feed(lines);
    return { outputs, problems: session.problems, config: session.config };
  } finally {
    await session.close();
  }
}
