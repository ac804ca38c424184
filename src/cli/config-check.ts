/**
 * npm run config:check [-- --print]: validates the environment and config files as start-up does,
 * without starting the bot; `--print` also shows every effective setting (defaults filled in).
 */

import { stringify } from "yaml";
import { redactedEnv, redactedSettings } from "../config/load.js";
import { platformsConfigured } from "../config/platforms.js";
import { environment, readConfig } from "../config/read.js";
import { isPostgresUrl } from "../storage/database.js";

const args = process.argv.slice(2);
if (args.some((a) => a !== "--print")) {
  process.stderr.write("usage: npm run config:check [-- --print]\n");
  process.exit(2);
}
const loaded = readConfig(environment());
for (const w of loaded.ok ? loaded.config.warnings : loaded.warnings) process.stderr.write(`warning: ${w}\n`);
if (!loaded.ok) {
  process.stderr.write(`Configuration has problems:\n${loaded.problems.map((p) => `  - ${p}`).join("\n")}\n`);
  process.exit(1);
}
const { config } = loaded;
const platforms = platformsConfigured(config);
const running =
  [platforms.slack && "Slack", platforms.matrix && "Matrix"].filter(Boolean).join(" and ") ||
  "the local playground";
process.stdout.write(
  [
    "Configuration OK.",
    `  files:     ${config.sources.join(", ") || "(none: all defaults)"}`,
    `  data dir:  ${config.dataDir}`,
    `  database:  ${isPostgresUrl(config.databaseUrl) ? "PostgreSQL" : `SQLite at ${config.databaseUrl}`}`,
    `  platforms: ${running}`,
    `  environment: ${JSON.stringify(redactedEnv(config.env))}`,
    "",
  ].join("\n"),
);
if (args.includes("--print"))
  process.stdout.write(`\nEffective settings:\n${stringify(redactedSettings(config.settings))}`);
