import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

// The core must stay portable: no platform SDK, no timer library, no storage or config code.
const FORBIDDEN = [
  /^@slack\//,
  /^matrix-js-sdk/,
  /^node-schedule/,
  /^kysely/,
  /^better-sqlite3/,
  /^pg$/,
  /\/(storage|config|adapters|exporters)\//,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

it("src/core imports nothing from Slack, Matrix, storage or config", () => {
  const offending: string[] = [];
  const files = sourceFiles("src/core");
  expect(files.length).toBeGreaterThan(5);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      if (FORBIDDEN.some((re) => re.test(m[1]!))) offending.push(`${file}: ${m[1]}`);
    }
  }
  expect(offending).toEqual([]);
});
