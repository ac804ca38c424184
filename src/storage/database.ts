/**
 * Opens the database behind every store: SQLite through better-sqlite3 by default, PostgreSQL when a
 * `postgres://` URL is given. Both go through one Kysely query layer, so stores are written once.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SqliteDatabase from "better-sqlite3";
import {
  type Driver,
  Kysely,
  type SqliteDatabase as KyselySqliteDatabase,
  SqliteAdapter,
  SqliteDialect,
} from "kysely";
import type { DialectName } from "./dialect.js";
import { migrateToLatest } from "./migrate.js";
import { DatabaseHealth, ResilientDriver } from "./resilient-driver.js";
import type { Database } from "./schema.js";
import { deferUntilCommitted } from "./transaction-scope.js";

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Whether writes succeed lately (a full disk, an unreachable server: not). */
  health: DatabaseHealth;
  /**
   * Runs `work` in one transaction that every store's queries inside it join: all of it commits or
   * none does. Only database work belongs inside (transaction-scope.ts).
   */
  atomically<T>(work: () => Promise<T>): Promise<T>;
  /** Inside `atomically`: runs `then` once it committed, and says true. Outside: false. */
  afterCommit(then: () => void): boolean;
  /**
   * SQLite: a number that changes whenever another connection (another process) committed to the file
   * (`PRAGMA data_version`), so a store can tell that only its own writes happened since a read.
   * Absent for PostgreSQL, where that cannot be known without a query.
   */
  externalChanges?: () => number;
  close(): Promise<void>;
}

/** `atomically` and `afterCommit` of a handle, over the driver its dialect created. */
export function transactionScopes(
  db: Kysely<Database>,
  driver: () => ResilientDriver,
): Pick<DatabaseHandle, "atomically" | "afterCommit"> {
  return {
    atomically: (work) => driver().atomically(db, work),
    afterCommit: (then) => deferUntilCommitted(driver(), then),
  };
}

/** How long /readyz waits for the write probe before calling the database unavailable. */
const PROBE_TIMEOUT_MS = 2000;

/**
 * Whether the database takes a write now: one small upsert (a read would pass on a full disk or a
 * read-only file). Also how a database that was unavailable is noticed to be back.
 */
export async function databaseWritable(handle: DatabaseHandle): Promise<boolean> {
  const at = new Date().toISOString();
  const write = handle.db
    .insertInto("settings")
    .values({ workspace: "", scope: "outloud.health", key: "write-probe", value: JSON.stringify(at) })
    .onConflict((oc) => oc.columns(["workspace", "scope", "key"]).doUpdateSet({ value: JSON.stringify(at) }))
    .execute()
    .then(
      () => true,
      () => false,
    );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([write, late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface OpenOptions {
  /** `postgres://…` for PostgreSQL; otherwise a SQLite file path, or `:memory:`. */
  url: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** PostgreSQL only: the schema to use instead of `public`. */
  schema?: string;
}

// SQLite runs DDL inside transactions perfectly well; Kysely's stock adapter just doesn't claim it.
// Claiming it makes the migrator apply every pending migration in one transaction.
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class OutloudSqliteDialect extends SqliteDialect {
  driver: ResilientDriver | undefined;

  constructor(
    config: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly health: DatabaseHealth,
  ) {
    super(config);
  }

  override createAdapter(): SqliteAdapter {
    return new TransactionalSqliteAdapter();
  }

  override createDriver(): Driver {
    this.driver = new ResilientDriver(super.createDriver(), { health: this.health });
    return this.driver;
  }
}

/**
 * Creates a folder and its missing parents one level at a time. Node 20's `mkdirSync(…, {recursive})`
 * loops forever at 100% CPU under a path it cannot create, such as /proc/nope; one level at a time
 * fails at once with the real reason.
 */
export function makeDirectory(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirectory(parent);
  try {
    mkdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    throw new Error(`cannot create the folder ${dir} (${code ?? String(err)})`);
  }
}

export function openSqlite(file: string): SqliteDatabase.Database {
  if (file !== ":memory:") makeDirectory(dirname(file));
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma("journal_mode = WAL");
  // NORMAL is durable across process crashes in WAL mode; only a power loss can drop the last commit.
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  return sqlite;
}

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  const handle = isPostgresUrl(options.url)
    ? await openPostgres(options.url, options.schema)
    : openSqliteHandle(options.url);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(handle.db);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }
  return handle;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * Kysely prepares every query anew; preparing was 14% of the engine's CPU in the benchmark. The same
 * SQL text always compiles to the same statement, so keep the most recent ones. Kysely runs one query
 * at a time on the connection, so a cached statement is never in use twice at once.
 */
function withStatementCache(sqlite: SqliteDatabase.Database, size = 500): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) {
        // Move to the back: the map's first key is the least recently used.
        cache.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
    close: () => sqlite.close(),
  };
}

function openSqliteHandle(file: string): DatabaseHandle {
  const connection = openSqlite(file);
  const sqlite = withStatementCache(connection);
  const health = new DatabaseHealth();
  const dialect = new OutloudSqliteDialect({ database: sqlite }, health);
  const db = new Kysely<Database>({ dialect });
  const scopes = transactionScopes(db, () => dialect.driver!);
  const dataVersion = connection.prepare("PRAGMA data_version").pluck();
  const externalChanges = () => dataVersion.get() as number;
  return { db, dialect: "sqlite", health, ...scopes, externalChanges, close: () => db.destroy() };
}

// Loaded lazily: SQLite users never load the pg driver.
async function openPostgres(url: string, schema?: string): Promise<DatabaseHandle> {
  const { openPostgresDatabase } = await import("./postgres.js");
  return openPostgresDatabase(url, { schema });
}
