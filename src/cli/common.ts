/** What the command-line tools (replay, eval) share: input checks, config loading, exit codes. */
import { existsSync } from "node:fs";
import type { Config } from "../config/load.js";
import { environment, readConfig } from "../config/read.js";

/** Names the first file that does not exist on stderr; true when all exist. */
export function filesExist(files: string[]): boolean {
  const missing = files.find((f) => !existsSync(f));
  if (missing) process.stderr.write(`${missing}: no such file\n`);
  return missing === undefined;
}

/** The validated config, with `--config F` added to the configured files; problems go to stderr. */
export function cliConfig(
  extraFile: string | undefined,
): { config: Config; env: Record<string, string | undefined> } | undefined {
  const env = environment();
  const loaded = readConfig(env, extraFile ? [extraFile] : []);
  if (loaded.ok) return { config: loaded.config, env };
  for (const p of loaded.problems) process.stderr.write(`config: ${p}\n`);
  return undefined;
}

/** Runs a CLI's main, turning its result into the exit code and an unexpected failure into status 1. */
export function runCli(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`${name} failed: ${err instanceof Error ? err.stack : err}\n`);
      process.exitCode = 1;
    },
  );
}
