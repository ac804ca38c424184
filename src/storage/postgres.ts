/** PostgreSQL behind the same query layer (the `pg` driver). */
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { DatabaseHandle } from "./database.js";
import type { Database } from "./schema.js";

export async function openPostgresDatabase(url: string): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", close: () => db.destroy() };
}
