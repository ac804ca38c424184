/**
 * The bot as it runs in production: `npm start` (node with tsx as a loader, as package.json says) with
 * MATRIX_* in the environment, its SQLite data directory kept across restarts, health routes on
 * HEALTH_PORT bound to HOST. Its logs (pino JSON on stderr) are kept for the tests to read.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../helpers/processes.js";
import type { Account } from "./synapse.js";

export interface BotProcessOptions {
  homeserverUrl: string;
  account: Account;
  /** config/outloud.yaml content for this bot. */
  config?: string;
  /** Where the health routes listen (HOST); 127.0.0.1 by default. */
  host?: string;
}

export class BotProcess {
  readonly dataDir = mkdtempSync(join(tmpdir(), "outloud-synapse-bot-"));
  /** Every line the bot logged, across its restarts. */
  logs = "";
  healthPort = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(private readonly options: BotProcessOptions) {
    writeFileSync(join(this.dataDir, "outloud.yaml"), options.config ?? "");
  }

  get host(): string {
    return this.options.host ?? "127.0.0.1";
  }

  /** Starts `npm start` and resolves once /readyz says it is synced and ready. */
  async start(): Promise<void> {
    this.healthPort = await freePort();
    const { account, homeserverUrl } = this.options;
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        LOG_LEVEL: "info",
        OUTLOUD_DATA_DIR: this.dataDir,
        OUTLOUD_CONFIG: join(this.dataDir, "outloud.yaml"),
        MATRIX_HOMESERVER_URL: homeserverUrl,
        MATRIX_USER_ID: account.userId,
        MATRIX_ACCESS_TOKEN: account.accessToken,
        MATRIX_DEVICE_ID: account.deviceId,
        HEALTH_PORT: String(this.healthPort),
        HOST: this.host,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    child.stderr?.on("data", (d) => {
      this.logs += d;
    });
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode}:\n${this.logs}`);
      const ready = await fetch(`http://${this.host}:${this.healthPort}/readyz`).catch(() => undefined);
      if (ready?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`the bot never became ready:\n${this.logs}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Sends `signal` and waits for the process to end; returns its exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null)
      return this.child?.exitCode ?? null;
    this.child.kill(signal);
    return this.exited;
  }

  /** Stops the bot (if running) and removes its data directory. */
  async dispose(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.stop(signal);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Log lines (parsed) whose message matches `pattern`. */
  logged(pattern: RegExp): Array<Record<string, unknown>> {
    return this.logs
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => pattern.test(String(l.msg)));
  }
}
