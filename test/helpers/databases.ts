/**
 * Runs a store test suite against every database Outloud supports: SQLite (a fresh in-memory
 * database) and PostgreSQL (a fresh schema of its own on 127.0.0.1:5432, dropped afterwards, so
 * parallel runs never see each other's data). Use it for every store's contract tests.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/storage/database.js";

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

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
 * A fresh PostgreSQL schema of its own, named after this process (`t_<pid>_<random>`), migrated.
 * Dropped by `drop()`, also when opening fails; schemas left by killed test processes are swept
 * by the next run (see sweepAbandonedSchemas).
 */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  await sweepOnce();
  const schema = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`create schema ${schema}`);
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase({ url: POSTGRES_URL, schema });
  } catch (err) {
    await adminQuery(`drop schema ${schema} cascade`);
    throw err;
  }
  const others: DatabaseHandle[] = [];
  return {
    handle,
    schema,
    async reopen() {
      const h = await openDatabase({ url: POSTGRES_URL, schema });
      others.push(h);
      return h;
    },
    async drop() {
      try {
        // Close every pool first: an open transaction would hold locks that make the drop wait.
        await Promise.allSettled([...others, handle].map((h) => h.close()));
      } finally {
        await adminQuery(`drop schema if exists ${schema} cascade`);
      }
    },
  };
}

async function adminQuery(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

let swept: Promise<void> | undefined;
function sweepOnce(): Promise<void> {
  swept ??= sweepAbandonedSchemas().then(
    () => {},
    () => {},
  );
  return swept;
}

/**
 * Drops test schemas whose process no longer runs (a run killed before its afterEach). Only dead
 * owners: test files of other runs on this machine share the database at the same time.
 */
export async function sweepAbandonedSchemas(): Promise<string[]> {
  const { rows } = await adminQuery(
    "select nspname from pg_namespace where nspname ~ '^t_[0-9]+_[0-9a-f]+$'",
  );
  const dropped: string[] = [];
  for (const { nspname } of rows as { nspname: string }[]) {
    const pid = Number(nspname.split("_")[1]);
    if (isAlive(pid)) continue;
    await adminQuery(`drop schema if exists ${nspname} cascade`);
    dropped.push(nspname);
  }
  return dropped;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
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
