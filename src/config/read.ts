/** The impure edge of configuration: reads `.env` and the config files named by OUTLOUD_CONFIG. */
import { existsSync, readFileSync } from "node:fs";
import { parse as parseDotenv } from "dotenv";
import { type ConfigFile, type ConfigResult, loadConfig } from "./load.js";

const DEFAULT_CONFIG = "config/outloud.yaml";

/** The process environment, with `.env` filling in what is not already set. */
export function environment(
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const dotenvPath = `${cwd}/.env`;
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  return { ...fromFile, ...env };
}

export function readConfig(env: Record<string, string | undefined>, extraFiles: string[] = []): ConfigResult {
  const named = (env.OUTLOUD_CONFIG ?? DEFAULT_CONFIG)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const files: ConfigFile[] = [];
  const problems: string[] = [];
  for (const path of [...named, ...extraFiles]) {
    if (!existsSync(path)) {
      // The default file is optional; a file someone named explicitly must exist.
      if (path !== DEFAULT_CONFIG || extraFiles.includes(path))
        problems.push(`${path}: config file not found`);
      continue;
    }
    files.push({ path, text: readFileSync(path, "utf8") });
  }
  const result = loadConfig(files, env);
  if (problems.length === 0) return result;
  return {
    ok: false,
    problems: [...problems, ...(result.ok ? [] : result.problems)],
    warnings: result.ok ? result.config.warnings : result.warnings,
  };
}
