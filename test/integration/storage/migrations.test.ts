/**
 * Start-up migrations on both databases, as operators meet them: several replicas starting at once
 * migrate once, a database from a newer Outloud is refused untouched, a failing migration leaves
 * nothing half-done.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../../src/storage/database.js";
import {
  DatabaseNewerThanCodeError,
  MIGRATION_TABLE,
  migrateToLatest,
} from "../../../src/storage/migrate.js";
import { POSTGRES_URL } from "../../helpers/databases.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const SLOW_MIGRATIONS = join(FIXTURES, "slow-migrations");
const FAILING_MIGRATIONS = join(FIXTURES, "failing-migrations");
const REPLICAS = 4;

/** An empty database (nothing migrated) that the test can open as often as it likes. */
interface EmptyDatabase {
  url: string;
  /** PostgreSQL schema, or "-" for SQLite. */
  schema: string;
  open(options?: { migrate?: boolean }): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

async function emptySqlite(): Promise<EmptyDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "outloud-migrate-"));
  const url = join(dir, "outloud.sqlite");
  return {
    url,
    schema: "-",
    open: (options = {}) => openDatabase({ url, ...options }),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function emptyPostgres(): Promise<EmptyDatabase> {
  const schema = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin(`create schema ${schema}`);
  return {
    url: POSTGRES_URL,
    schema,
    open: (options = {}) => openDatabase({ url: POSTGRES_URL, schema, ...options }),
    drop: () => admin(`drop schema if exists ${schema} cascade`),
  };
}

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function tableNames(handle: DatabaseHandle): Promise<string[]> {
  const query =
    handle.dialect === "sqlite"
      ? sql<{ name: string }>`select name from sqlite_master where type = 'table'`
      : sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = current_schema()`;
  const { rows } = await query.execute(handle.db);
  return rows.map((r) => r.name).sort();
}

async function executedMigrations(handle: DatabaseHandle): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(
    handle.db,
  );
  return rows.map((r) => r.name).sort();
}

/** Starts a replica process that connects, then waits for "go" before migrating. */
function startReplica(db: EmptyDatabase, folder: string) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ["--import", "tsx", join(FIXTURES, "migrate-child.ts"), db.url, db.schema, folder],
    { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } },
  );
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const ready = new Promise<void>((resolve) => {
    child.stdout.on("data", (d) => {
      stdout += d;
      if (stdout.includes("ready\n")) resolve();
    });
  });
  const exited = new Promise<{ code: number | null; applied?: string[]; stderr: string }>((resolve) => {
    child.on("close", (code) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      const applied = last.startsWith("{") ? (JSON.parse(last) as { applied: string[] }).applied : undefined;
      resolve({ code, applied, stderr });
    });
  });
  return { child, ready, exited, go: () => child.stdin.end("go\n") };
}

const kinds = [
  { name: "sqlite", create: emptySqlite },
  { name: "postgres", create: emptyPostgres },
] as const;

for (const kind of kinds) {
  describe(`start-up migrations [${kind.name}]`, () => {
    let db: EmptyDatabase | undefined;
    const handles: DatabaseHandle[] = [];
    const fresh = async () => {
      db = await kind.create();
      return db;
    };
    const open = async (options?: { migrate?: boolean }) => {
      const h = await db!.open(options);
      handles.push(h);
      return h;
    };
    afterEach(async () => {
      await Promise.allSettled(handles.splice(0).map((h) => h.close()));
      await db?.drop();
      db = undefined;
    });

    it(`migrates once when ${REPLICAS} replica processes start together`, async () => {
      const empty = await fresh();
      const replicas = Array.from({ length: REPLICAS }, () => startReplica(empty, SLOW_MIGRATIONS));
      try {
        await Promise.all(replicas.map((r) => r.ready));
        for (const r of replicas) r.go();
        const outcomes = await Promise.all(replicas.map((r) => r.exited));

        for (const o of outcomes) expect(o, o.stderr).toMatchObject({ code: 0 });
        const applied = outcomes.map((o) => o.applied);
        // Exactly one replica applied both steps; the others waited and found nothing to do.
        expect(applied.filter((a) => a?.length === 2)).toEqual([["0001-runs", "0002-notes"]]);
        expect(applied.filter((a) => a?.length === 0)).toHaveLength(REPLICAS - 1);
      } finally {
        for (const r of replicas) r.child.kill("SIGKILL");
      }

      const h = await open({ migrate: false });
      const { rows } = await sql<{ pid: number }>`select pid from runs`.execute(h.db);
      expect(rows).toHaveLength(1);
      expect(await executedMigrations(h)).toEqual(["0001-runs", "0002-notes"]);
    });

    it("migrates once when several connections of one process start together", async () => {
      await fresh();
      const replicas = await Promise.all(Array.from({ length: REPLICAS }, () => open({ migrate: false })));
      const applied = await Promise.all(replicas.map((r) => migrateToLatest(r.db, SLOW_MIGRATIONS)));
      expect(applied.filter((a) => a.length === 2)).toHaveLength(1);
      expect(applied.filter((a) => a.length === 0)).toHaveLength(REPLICAS - 1);
      const { rows } = await sql<{ pid: number }>`select pid from runs`.execute(replicas[0]!.db);
      expect(rows).toHaveLength(1);
    });

    it("applies Outloud's own migrations once and is a no-op on the next start", async () => {
      await fresh();
      const first = await open({ migrate: false });
      const applied = await migrateToLatest(first.db);
      expect(applied.length).toBeGreaterThan(0);
      expect(await executedMigrations(first)).toEqual([...applied].sort());
      const second = await open({ migrate: false });
      expect(await migrateToLatest(second.db)).toEqual([]);
      expect(await tableNames(second)).toEqual(
        expect.arrayContaining(["claims", "processed_events", "settings"]),
      );
    });

    it("refuses a database migrated by a newer Outloud, and leaves it untouched", async () => {
      await fresh();
      const current = await open();
      await sql`insert into settings (workspace, scope, key, value) values ('T1', 'workspace', 'k', '1')`.execute(
        current.db,
      );
      // What a newer version leaves behind: a migration this code has never heard of.
      await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp) values ('9999-from-the-future', ${new Date().toISOString()})`.execute(
        current.db,
      );
      const before = await executedMigrations(current);

      const error = await open().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(DatabaseNewerThanCodeError);
      expect((error as Error).message).toMatch(/newer version of Outloud.*9999-from-the-future/);

      expect(await executedMigrations(current)).toEqual(before);
      const { rows } = await sql<{ value: string }>`select value from settings where key = 'k'`.execute(
        current.db,
      );
      expect(rows).toEqual([{ value: "1" }]);
    });

    it("leaves nothing half-done when a migration fails", async () => {
      await fresh();
      const h = await open({ migrate: false });
      await expect(migrateToLatest(h.db, FAILING_MIGRATIONS)).rejects.toThrow(/Database migration failed/);
      const tables = await tableNames(h);
      expect(tables).not.toContain("kept_if_all_succeed");
      expect(tables).not.toContain("half_done");
      if (tables.includes(MIGRATION_TABLE)) expect(await executedMigrations(h)).toEqual([]);
    });
  });
}
