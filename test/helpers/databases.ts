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
  /** Opens a second, independent connection to the same database (a second process, in effect). */
  reopen(): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

/** A fresh SQLite file in a temporary folder (a file, not `:memory:`, so `reopen` sees the same data). */
export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "outloud-db-"));
  const file = join(dir, "outloud.sqlite");
  const handle = await openDatabase({ url: file });
  const others: DatabaseHandle[] = [];
  return {
    handle,
    async reopen() {
      const h = await openDatabase({ url: file });
      others.push(h);
      return h;
    },
    async drop() {
      for (const h of others) await h.close();
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const handle = await openDatabase({ url: POSTGRES_URL, schema });
  const others: DatabaseHandle[] = [];
  return {
    handle,
    async reopen() {
      const h = await openDatabase({ url: POSTGRES_URL, schema });
      others.push(h);
      return h;
    },
    async drop() {
      for (const h of others) await h.close();
      await handle.close();
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
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
