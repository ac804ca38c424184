/**
 * Forward-only migrations from `migrations/`, applied at start-up in one transaction and under a lock,
 * so that replicas starting together migrate once: the first applies what is pending, the others wait
 * for it and then find nothing to do. A database that has migrations this code does not know is newer
 * than the code: we refuse to touch it.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  sql,
} from "kysely";
import { dialectOf } from "./dialect.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));
export const MIGRATION_TABLE = "outloud_migrations";
const MIGRATION_LOCK_TABLE = "outloud_migrations_lock";

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

/** Applies every pending migration; returns the names of those this call applied (none if another process did). */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function migrateToLatest(db: Kysely<any>, folder = MIGRATIONS_DIR): Promise<string[]> {
  const provider = new FolderMigrationProvider(folder);
  // One connection for the whole run, so the lock and the migration share a session.
  const { error, results } =
    dialectOf(db) === "postgres"
      ? await db.connection().execute((conn) => migratePostgres(conn, provider))
      : await oneSqliteMigrationAtATime(() =>
          db.connection().execute((conn) => migrateSqlite(conn, provider)),
        );
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

// PostgreSQL: a session advisory lock per schema (several deployments or test runs can share one
// database in different schemas), held from before the migration tables are created until the end.
// The server drops it if the process dies, so a crashed replica never blocks the others.
// biome-ignore lint/suspicious/noExplicitAny: see migrateToLatest.
async function migratePostgres(conn: Kysely<any>, provider: MigrationProvider): Promise<MigrationResultSet> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(conn);
  const schema = rows[0]?.schema;
  if (!schema)
    throw new Error("no schema of the search_path exists in this PostgreSQL database; create it first");
  const lockKey = `outloud-migrations:${schema}`;
  await sql`select pg_advisory_lock(hashtextextended(${lockKey}, 0))`.execute(conn);
  try {
    // Naming the schema matters: without it, Kysely finds the migration table of any schema and
    // would think this one is already set up. Kysely wraps the migrations in one transaction itself.
    return await migrator(conn, provider, { migrationTableSchema: schema }).migrateToLatest();
  } finally {
    await sql`select pg_advisory_unlock(hashtextextended(${lockKey}, 0))`.execute(conn);
  }
}

// SQLite: BEGIN IMMEDIATE takes the database's write lock before anything is read, so a second
// process waits (busy_timeout) for the first to commit and then sees the migrations done. A plain
// BEGIN would read first and fail with SQLITE_BUSY when upgrading to a write after the other commits.
// biome-ignore lint/suspicious/noExplicitAny: see migrateToLatest.
async function migrateSqlite(conn: Kysely<any>, provider: MigrationProvider): Promise<MigrationResultSet> {
  await sql`begin immediate`.execute(conn);
  let outcome: MigrationResultSet;
  try {
    outcome = await migrator(conn, provider, { disableTransactions: true }).migrateToLatest();
  } catch (err) {
    await sql`rollback`.execute(conn);
    throw err;
  }
  // All or nothing: a failed migration leaves the database as it was.
  await sql.raw(outcome.error ? "rollback" : "commit").execute(conn);
  return outcome;
}

// better-sqlite3 is synchronous: a second connection of this process waiting for the first one's
// write lock would block the very thread the first needs to finish. Other processes simply wait.
let sqliteMigrations: Promise<unknown> = Promise.resolve();
function oneSqliteMigrationAtATime<T>(run: () => Promise<T>): Promise<T> {
  const next = sqliteMigrations.then(run, run);
  sqliteMigrations = next.catch(() => {});
  return next;
}

function migrator(
  // biome-ignore lint/suspicious/noExplicitAny: see migrateToLatest.
  db: Kysely<any>,
  provider: MigrationProvider,
  options: { migrationTableSchema?: string; disableTransactions?: boolean },
): Migrator {
  return new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    // Numbers are handed out per concern (0002 rota … 0007 leases) and land in any order; each
    // concern's tables are independent, so a late 0006 may run after 0007. Unknown executed
    // migrations are still refused (newer database).
    allowUnorderedMigrations: true,
    ...options,
  });
}
