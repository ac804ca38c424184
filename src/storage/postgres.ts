/** PostgreSQL behind the same query layer (the `pg` driver). */
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { DatabaseHandle } from "./database.js";
import type { Database } from "./schema.js";

export interface PostgresOptions {
  /** Use this schema instead of `public` (tests give each run its own). */
  schema?: string;
  poolSize?: number;
}

export async function openPostgresDatabase(url: string, options: PostgresOptions = {}): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", close: () => db.destroy() };
}
