import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { openDatabase } from "../../../src/storage/database.js";
import { migrateToLatest } from "../../../src/storage/migrate.js";

it("applies pending migrations in one transaction: a failure leaves the database as it was", async () => {
  const folder = mkdtempSync(join(tmpdir(), "outloud-migrations-"));
  writeFileSync(
    join(folder, "0001-good.ts"),
    `export async function up(db) { await db.schema.createTable("first").addColumn("x", "text").execute(); }`,
  );
  writeFileSync(
    join(folder, "0002-broken.ts"),
    `export async function up(db) { throw new Error("half-way"); }`,
  );
  const handle = await openDatabase({ url: ":memory:", migrate: false });
  try {
    await expect(migrateToLatest(handle.db, folder)).rejects.toThrow(/half-way/);
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
      handle.db,
    );
    expect(tables.rows.map((r) => r.name)).not.toContain("first");
  } finally {
    await handle.close();
  }
});
