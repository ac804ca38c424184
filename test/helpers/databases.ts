/**
 * Runs a store test suite against every database Outloud supports: SQLite (a fresh in-memory
 * database) and PostgreSQL (a fresh schema of its own on 127.0.0.1:5432, dropped afterwards, so
 * parallel runs never see each other's data). Use it for every store's contract tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/storage/database.js";
import { createSchema, POSTGRES_URL } from "./postgres-schemas.js";

export { POSTGRES_URL, sweepAbandonedSchemas } from "./postgres-schemas.js";

export interface TestDatabase {
  handle: DatabaseHandle;
  /** PostgreSQL: the schema of its own. */
  schema?: string;
  /** Opens a second, independent connection to the same database (a second process, in effect). */
  reopen(): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

/** A fresh SQLite file in a temporary folder (a file, not `:memory:`, so `reopen` sees the same data). */
export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "outloud-db-"));
  const file = join(dir, "outloud.sqlite");
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase({ url: file });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const others: DatabaseHandle[] = [];
  return {
    handle,
    async reopen() {
      const h = await openDatabase({ url: file });
      others.push(h);
      return h;
    },
    async drop() {
      try {
        await Promise.allSettled([...others, handle].map((h) => h.close()));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A fresh PostgreSQL schema of its own (see postgres-schemas.ts), migrated. Dropped by `drop()`, also
 * when opening fails.
 */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const schema = await createSchema();
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase({ url: POSTGRES_URL, schema: schema.name });
  } catch (err) {
    await schema.drop();
    throw err;
  }
  const others: DatabaseHandle[] = [];
  return {
    handle,
    schema: schema.name,
    async reopen() {
      const h = await openDatabase({ url: POSTGRES_URL, schema: schema.name });
      others.push(h);
      return h;
    },
    async drop() {
      try {
        // Close every pool first: an open transaction would hold locks that make the drop wait.
        await Promise.allSettled([...others, handle].map((h) => h.close()));
      } finally {
        await schema.drop();
      }
    },
  };
}

export const DATABASES = [
  { name: "sqlite", create: () => createSqliteDatabase() },
  { name: "postgres", create: () => createPostgresDatabase() },
] as const;

/**
 * `describeEachDatabase("ClaimStore", (db) => { it(...) })`: the suite runs once per database, with a
 * fresh migrated database before each test, reachable as `db()` inside tests.
 */
export function describeEachDatabase(title: string, suite: (db: () => TestDatabase) => void): void {
  for (const kind of DATABASES) {
    describe(`${title} [${kind.name}]`, () => {
      let current: TestDatabase | undefined;
      beforeEach(async () => {
        current = await kind.create();
      });
      afterEach(async () => {
        await current?.drop();
        current = undefined;
      });
      suite(() => {
        if (!current) throw new Error("no database: use db() inside a test");
        return current;
      });
    });
  }
}

/**
 * Makes every insert into `table` fail, as a full disk would (the error says `disk full`), until the
 * returned function is called: stands in for a crash between two writes that must go together.
 * `where`, a condition on the new row (`NEW.action LIKE '%…%'`), narrows it to some rows.
 */
export async function refuseInserts(
  handle: DatabaseHandle,
  table: string,
  where?: string,
): Promise<() => Promise<void>> {
  const trigger = `refuse_${table}`;
  const when = where ? `when (${where})` : "";
  if (handle.dialect === "sqlite") {
    await sql
      .raw(
        `create trigger ${trigger} before insert on ${table} ${when} begin select raise(abort, 'disk full'); end`,
      )
      .execute(handle.db);
    return async () => {
      await sql.raw(`drop trigger ${trigger}`).execute(handle.db);
    };
  }
  await sql
    .raw(
      `create function ${trigger}() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$`,
    )
    .execute(handle.db);
  await sql
    .raw(
      `create trigger ${trigger} before insert on ${table} for each row ${when} execute function ${trigger}()`,
    )
    .execute(handle.db);
  return async () => {
    await sql.raw(`drop trigger ${trigger} on ${table}`).execute(handle.db);
    await sql.raw(`drop function ${trigger}()`).execute(handle.db);
  };
}
