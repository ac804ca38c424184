/** PostgreSQL behind the same query layer (the `pg` driver), for several replicas on one database. */
import { type Driver, Kysely, PostgresAdapter, PostgresDialect } from "kysely";
import pg from "pg";
import { type DatabaseHandle, transactionScopes } from "./database.js";
import { DatabaseHealth, ResilientDriver } from "./resilient-driver.js";
import type { Database } from "./schema.js";

export interface PostgresOptions {
  /** Use this schema instead of `public` (tests give each run its own). It must exist. */
  schema?: string;
  poolSize?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

// SQLite hands back plain numbers; make PostgreSQL do the same so stores read counts and sums alike.
// `count(*)` and `sum(integer)` are int8 and `avg`/`sum(bigint)` numeric, which pg returns as strings
// to avoid losing precision; our counts are far below 2^53.
const INT8 = 20;
const NUMERIC = 1700;
const sameNumbersAsSqlite = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

// migrate.ts holds a lock of its own per schema for the whole run; Kysely's extra lock is one for the
// whole database, which would make every schema (every parallel test) migrate one at a time.
class PerSchemaLockAdapter extends PostgresAdapter {
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

class OutloudPostgresDialect extends PostgresDialect {
  driver: ResilientDriver | undefined;

  constructor(
    config: ConstructorParameters<typeof PostgresDialect>[0],
    private readonly health: DatabaseHealth,
  ) {
    super(config);
  }

  override createAdapter(): PostgresAdapter {
    return new PerSchemaLockAdapter();
  }

  override createDriver(): Driver {
    this.driver = new ResilientDriver(super.createDriver(), { health: this.health });
    return this.driver;
  }
}

export async function openPostgresDatabase(
  url: string,
  options: PostgresOptions = {},
): Promise<DatabaseHandle> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(
      `PostgreSQL schema name must be lower-case letters, digits and _ (got ${options.schema})`,
    );
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: sameNumbersAsSqlite,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    // An unreachable server fails a connection attempt in seconds (then retried), not a TCP timeout.
    connectionTimeoutMillis: 5000,
  });
  // A connection that breaks (server restart, failover, pg_terminate_backend) emits 'error' on its
  // client, idle in the pool or checked out in a query; without a listener that event would end the
  // process. The query in flight fails on its own and is retried (resilient-driver.ts); the pool
  // drops the broken client and the next query opens a new one.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const health = new DatabaseHealth();
  const dialect = new OutloudPostgresDialect({ pool }, health);
  const db = new Kysely<Database>({ dialect });
  try {
    // Fail at start-up with the driver's message (wrong host, password, database), not at the first event.
    await pool.query("select 1");
  } catch (err) {
    await db.destroy();
    throw new Error(`cannot connect to PostgreSQL: ${err instanceof Error ? err.message : String(err)}`);
  }
  const scopes = transactionScopes(db, () => dialect.driver!);
  return { db, dialect: "postgres", health, ...scopes, close: () => db.destroy() };
}
