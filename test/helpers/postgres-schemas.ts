/**
 * Schemas of their own on the shared PostgreSQL (127.0.0.1:5432, database `test`), for tests and the
 * benchmarks: named after the process that owns them (`t_<pid>_<random>`), so runs on one machine never
 * see each other's data, and the schema of a run that was killed is swept by the next one.
 * No vitest here: the benchmarks import it too.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface PostgresSchema {
  name: string;
  /** POSTGRES_URL with this schema as the search path: a `DATABASE_URL` for a bot process. */
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty schema (not migrated: whoever opens it first migrates it). */
export async function createSchema(): Promise<PostgresSchema> {
  await sweepOnce();
  const name = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`create schema ${name}`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("options", `-c search_path=${name}`);
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await adminQuery(`drop schema if exists ${name} cascade`);
    },
  };
}

export async function adminQuery(text: string): Promise<pg.QueryResult> {
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
 * Drops schemas whose process no longer runs (a run killed before it dropped its own). Only dead
 * owners: other runs on this machine share the database at the same time.
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
