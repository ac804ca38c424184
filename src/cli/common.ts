/** What the command-line tools (replay, eval, report, bench) share: input checks, config loading, exit codes. */
import { existsSync } from "node:fs";
import type { Config } from "../config/load.js";
import { environment, readConfig } from "../config/read.js";

/**
 * The command line as `parse` reads it, or nothing after a mistake (an unknown option, a missing
 * value), which is printed with the usage; the caller then exits with status 2.
 */
export function parsedOrUsage<T>(parse: () => T, usage: string): T | undefined {
  try {
    return parse();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : err}\n${usage}\n`);
    return undefined;
  }
}

/** The one input file a command takes, or nothing after printing the usage (none given, or several). */
export function singleInput(positionals: string[], usage: string): string | undefined {
  if (positionals.length === 1) return positionals[0];
  process.stderr.write(`${usage}\n`);
  return undefined;
}

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
