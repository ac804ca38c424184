/**
 * npm run replay -- FILE [--config F] [--db PATH] [--data DIR] [--pretty]
 * Runs a scenario through the same core and storage as live mode, on a virtual clock, and prints one
 * JSON line per bot action (or a readable line with --pretty). What it writes to files (the Markdown
 * export) goes under DIR, by default a temporary folder removed afterwards: never into the live
 * bot's OUTLOUD_DATA_DIR, which the same environment usually names.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { LocalPlatform } from "../adapters/local/local-platform.js";
import { readScenarioFile, replayLines } from "../adapters/local/replay.js";
import type { ReplayOutput } from "../adapters/local/scenario.js";
import type { Config } from "../config/load.js";
import { createLogger } from "../logging.js";
import { openDatabase } from "../storage/database.js";
import { cliConfig, filesExist, parsedOrUsage, runCli, singleInput } from "./common.js";
import { OutputWriter } from "./output.js";
import { Progress } from "./progress.js";

const USAGE = "Usage: npm run replay -- FILE [--config F] [--db PATH] [--data DIR] [--pretty]";
const HELP = `Runs a scenario (JSON Lines, .gz read too) through the bot on a virtual clock and prints
one JSON line per bot action. See README.md, "Scenario format".
  FILE          the scenario
  --config F    a config file added to OUTLOUD_CONFIG's
  --db PATH     keep the state in this SQLite file (default: in memory)
  --data DIR    write exports (decision files) here (default: a temporary folder, never the live data)
  --pretty      readable lines instead of JSON
  --help, -h    this help
`;

async function main(): Promise<number> {
  const args = parsedOrUsage(parse, USAGE);
  if (!args) return 2;
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n${HELP}`);
    return 0;
  }
  const file = singleInput(args.positionals, USAGE);
  if (!file) return 2;
  if (!filesExist([file])) return 2;
  const loaded = cliConfig(args.values.config);
  if (!loaded) return 2;
  const { env } = loaded;
  const dataDir = args.values.data
    ? resolve(args.values.data)
    : mkdtempSync(join(tmpdir(), "outloud-replay-"));
  try {
    return await replay(file, replayConfig(loaded.config, dataDir), env, args.values);
  } finally {
    if (!args.values.data) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The config with its data folder moved to the replay's: the Markdown export is written there (a
 * configured folder is ignored), committed if configured, but pushed nowhere.
 */
function replayConfig(config: Config, dataDir: string): Config {
  const { decisions } = config.settings;
  const markdown = decisions.export.markdown;
  const export_ = {
    ...decisions.export,
    markdown: { ...markdown, directory: "", git: { ...markdown.git, remote: "" } },
  };
  return {
    ...config,
    dataDir,
    settings: { ...config.settings, decisions: { ...decisions, export: export_ } },
  };
}

async function replay(
  file: string,
  config: Config,
  env: Record<string, string | undefined>,
  options: { db?: string; pretty?: boolean },
): Promise<number> {
  const log = createLogger(env.LOG_LEVEL === "debug" ? "debug" : "warn");
  const db = await openDatabase({ url: options.db ?? ":memory:" });
  const out = new OutputWriter(process.stdout);
  const pretty = options.pretty ?? false;
  const platform = new LocalPlatform({
    app: { config, db, log },
    onAction: (output) => out.write(pretty ? prettyLine(output) : JSON.stringify(output)),
  });
  const progress = new Progress(process.stderr, "lines");
  try {
    const summary = await replayLines(readScenarioFile(file), platform, {
      onProblem: (p) => {
        progress.clear();
        process.stderr.write(`${file}:${p.line}: ${p.problem} (line skipped)\n`);
      },
      onProgress: (n) => progress.update(n),
      afterEvent: () => out.waitIfBusy(),
    });
    progress.done(summary.lines);
    await platform.stop();
    await out.flush();
    if (summary.problems.length > 0) {
      process.stderr.write(`${summary.problems.length} malformed line(s) skipped\n`);
      return 1;
    }
    return 0;
  } finally {
    await db.close();
  }
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      config: { type: "string" },
      db: { type: "string" },
      data: { type: "string" },
      pretty: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function prettyLine(o: ReplayOutput): string {
  const where = [o.room, o.thread ? `thread ${o.thread}` : undefined].filter(Boolean).join(" ");
  const who = o.action === "notice" ? ` (private to ${o.user})` : o.action === "dm" ? ` to ${o.user}` : "";
  return `${o.at.replace("T", " ").replace(/\.\d+Z$/, "Z")} ${o.action}${who} ${where} [${o.source}]\n    ${o.text.replace(/\n/g, "\n    ")}`;
}

runCli("replay", main);
