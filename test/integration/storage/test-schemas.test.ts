/**
 * Test runs share one PostgreSQL: each test database is a schema named after its process, dropped
 * afterwards; schemas of runs that were killed are swept by the next one, never those of live runs.
 */
import { readFileSync } from "node:fs";
import { afterAll, expect, it } from "vitest";
import { createPostgresDatabase, sweepAbandonedSchemas } from "../../helpers/databases.js";
import { adminQuery as query } from "../../helpers/postgres-schemas.js";

async function schemaExists(name: string): Promise<boolean> {
  const { rows } = await query(`select 1 from pg_namespace where nspname = '${name}'`);
  return rows.length === 1;
}

// Above the kernel's pid_max: no process can have this id.
const deadPid = Number(readFileSync("/proc/sys/kernel/pid_max", "utf8")) + 1;
const abandoned = `t_${deadPid}_0bad`;
const live = `t_${process.pid}_0ace`;

afterAll(async () => {
  await query(`drop schema if exists ${abandoned} cascade; drop schema if exists ${live} cascade`);
});

it("sweeps schemas whose process is gone, and keeps those of running processes", async () => {
  await query(`create schema ${abandoned}; create table ${abandoned}.claims (key text)`);
  await query(`create schema ${live}`);
  expect(await sweepAbandonedSchemas()).toContain(abandoned);
  expect(await schemaExists(abandoned)).toBe(false);
  expect(await schemaExists(live)).toBe(true);
});

it("drops a test database's schema, with everything in it, even while a second connection is open", async () => {
  const db = await createPostgresDatabase();
  const second = await db.reopen();
  const schema = db.schema!;
  expect(await schemaExists(schema)).toBe(true);
  expect(schema).toMatch(new RegExp(`^t_${process.pid}_`));
  await second.db
    .insertInto("settings")
    .values({ workspace: "T1", scope: "s", key: "k", value: "1" })
    .execute();
  await db.drop();
  expect(await schemaExists(schema)).toBe(false);
});
