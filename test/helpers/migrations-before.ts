import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { MIGRATIONS_DIR } from "../../src/storage/migrate.js";

/**
 * A folder (made under `parent`) with Outloud's migrations numbered below `number`, each re-exporting
 * the real one (whose imports then resolve): a database as an older Outloud left it, to test a
 * migration on rows it already holds.
 */
export function migrationsBefore(parent: string, number: number): string {
  const folder = mkdtempSync(join(parent, "migrations-"));
  for (const f of readdirSync(MIGRATIONS_DIR).filter((name) => Number(name.slice(0, 4)) < number))
    writeFileSync(
      join(folder, f),
      `export * from ${JSON.stringify(pathToFileURL(join(MIGRATIONS_DIR, f)).href)};\n`,
    );
  return folder;
}
