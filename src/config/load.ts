/**
 * loadConfig is a pure function of (config file texts, environment): it validates both with zod and
 * returns either the config or every problem found, each naming the key and what is wrong. main.ts
 * and `npm run config:check` print those problems and stop.
 */
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { exportConfigProblems } from "../exporters/index.js";
import { decisionsConfig } from "./decisions.js";
import { type Env, envSchema, OWNED_ENV_PREFIXES, SECRET_ENV_KEYS } from "./env.js";
import { type FileConfig, fileConfigSchema } from "./file.js";
import { matrixProblems, slackProblems } from "./platforms.js";

export interface ConfigFile {
  path: string;
  text: string;
}

export interface Config {
  env: Env;
  /** Behaviour settings, every default filled in. */
  settings: FileConfig;
  /** Absolute path of OUTLOUD_DATA_DIR. */
  dataDir: string;
  /** DATABASE_URL, or the SQLite file under the data directory. */
  databaseUrl: string;
  /** Config files that were read. */
  sources: string[];
  /** Not fatal: unknown environment variables that look like ours. */
  warnings: string[];
}

export type ConfigResult =
  | { ok: true; config: Config }
  | { ok: false; problems: string[]; warnings: string[] };

export function loadConfig(files: ConfigFile[], env: Record<string, string | undefined>): ConfigResult {
  const problems: string[] = [];
  const warnings = unknownEnvWarnings(env);

  const envResult = envSchema.safeParse(blankToUndefined(env));
  if (!envResult.success) {
    for (const issue of envResult.error.issues) {
      const key = issue.path.join(".");
      const shown = SECRET_ENV_KEYS.has(key) ? "" : ` (got ${JSON.stringify(env[key])})`;
      problems.push(`${key}: ${issue.message}${shown}`);
    }
  }

  let merged: Record<string, unknown> = {};
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parseYaml(file.text) ?? {};
    } catch (err) {
      // The yaml library's first line ends in ":" before a code frame we don't print.
      const first = err instanceof Error ? err.message.split("\n")[0]!.replace(/:\s*$/, "") : String(err);
      problems.push(`${file.path}: not valid YAML: ${first}`);
      continue;
    }
    if (!isPlainObject(doc)) {
      problems.push(`${file.path}: must be a mapping of settings (key: value)`);
      continue;
    }
    merged = deepMerge(merged, doc);
  }
  const fileResult = fileConfigSchema.safeParse(merged);
  if (!fileResult.success) {
    const where = files.map((f) => f.path).join(", ") || "config";
    for (const issue of fileResult.error.issues) problems.push(...describeIssue(issue, where));
  }

  // Platform variables that only work together (a bot token without a signing secret or app token).
  if (envResult.success) problems.push(...slackProblems(envResult.data), ...matrixProblems(envResult.data));
  // Settings that are each valid but don't fit the environment: a target switched on without its
  // secret. Checked even when another setting or variable is wrong, so every problem is reported at once.
  const decisions = fileResult.success
    ? fileResult.data.decisions
    : decisionsConfig.safeParse(merged.decisions ?? {}).data;
  if (decisions) {
    const secrets = envResult.success ? envResult.data : blankToUndefined(env);
    problems.push(...exportConfigProblems(decisions.export, secrets));
  }
  if (problems.length > 0 || !envResult.success || !fileResult.success)
    return { ok: false, problems, warnings };
  const dataDir = resolve(envResult.data.OUTLOUD_DATA_DIR);
  return {
    ok: true,
    config: {
      env: envResult.data,
      settings: fileResult.data,
      dataDir,
      databaseUrl: databaseUrlFrom(envResult.data.DATABASE_URL, dataDir),
      sources: files.map((f) => f.path),
      warnings,
    },
  };
}

function databaseUrlFrom(url: string | undefined, dataDir: string): string {
  if (!url) return join(dataDir, "outloud.sqlite");
  if (url.startsWith("sqlite:")) return url.slice("sqlite:".length).replace(/^\/\//, "");
  if (url.startsWith("file:")) return url.slice("file:".length).replace(/^\/\//, "");
  return url;
}

function describeIssue(issue: z.core.$ZodIssue, where: string): string[] {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(path);
    return issue.keys.map((key) => {
      const guess = closest(key, known);
      const full = [...path, key].join(".");
      return `${where}: ${full}: unknown setting${guess ? `, probably a typo of "${[...path, guess].join(".")}"` : ""}`;
    });
  }
  return [`${where}: ${path.join(".") || "(top level)"}: ${issue.message}`];
}

/** The keys the schema allows at a path, to suggest the intended one for a typo. */
function knownKeysAt(path: string[]): string[] {
  let schema: unknown = fileConfigSchema;
  for (const key of [...path, null]) {
    schema = unwrap(schema);
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    if (!shape) return [];
    if (key === null) return Object.keys(shape);
    schema = shape[key];
  }
  return [];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { _zod?: { def?: { innerType?: unknown } } };
  while (current?._zod?.def?.innerType) current = current._zod.def.innerType as typeof current;
  return current;
}

/** The known key within edit distance 2, if any. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function unknownEnvWarnings(env: Record<string, string | undefined>): string[] {
  const known = Object.keys(envSchema.shape);
  return Object.keys(env)
    .filter((k) => OWNED_ENV_PREFIXES.some((p) => k.startsWith(p)) && !known.includes(k))
    .map((k) => {
      const guess = closest(k, known);
      return `${k}: unknown environment variable${guess ? `, probably a typo of ${guess}` : ""}`;
    });
}

/** `FOO=` in a .env file means "not set", not "set to nothing". */
function blankToUndefined(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) out[k] = v === "" ? undefined : v;
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/**
 * The effective behaviour settings as `config:check --print` shows them. Secrets come only from the
 * environment, but a value under a key that names one (a token pasted into a URL setting) is hidden too.
 */
export function redactedSettings(value: unknown, key = ""): unknown {
  if (/secret|token|password/i.test(key)) return "REDACTED";
  if (Array.isArray(value)) return value.map((v) => redactedSettings(v));
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactedSettings(v, k)]));
  return value;
}

/** The environment as `config:check` prints it: secrets replaced by REDACTED. */
export function redactedEnv(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined) out[k] = SECRET_ENV_KEYS.has(k) ? "REDACTED" : v;
  }
  return out;
}
