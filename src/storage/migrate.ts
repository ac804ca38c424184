/**
 * Forward-only migrations from `migrations/`, applied at start-up in one transaction (under a lock on
 * PostgreSQL, so replicas starting together migrate once). A database that has migrations this code
 * does not know is newer than the code: we refuse to touch it.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    const files = readdirSync(this.folder)
      .filter((f) => /^\d{4}-[\w-]+\.(ts|js)$/.test(f) && !f.endsWith(".d.ts"))
      .sort();
    for (const file of files) {
      const module = (await import(pathToFileURL(join(this.folder, file)).href)) as Migration;
      migrations[file.replace(/\.(ts|js)$/, "")] = module;
    }
    return migrations;
  }
}

export class DatabaseNewerThanCodeError extends Error {}

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function migrateToLatest(db: Kysely<any>, folder = MIGRATIONS_DIR): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new FolderMigrationProvider(folder),
    migrationTableName: "outloud_migrations",
    migrationLockTableName: "outloud_migrations_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/previously executed migration .* is missing/.test(message)) {
      throw new DatabaseNewerThanCodeError(
        `The database was migrated by a newer version of Outloud (${message.replace(/^corrupted migrations: /, "")}). Upgrade Outloud or use another database.`,
      );
    }
    throw new Error(`Database migration failed: ${message}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
