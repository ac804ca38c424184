/**
 * Migration 0014 on an SQLite database that already holds decisions: the export outbox is rebuilt
 * without its reference to `decisions` (SQLite cannot drop one otherwise), keeping every row and its
 * due index, and an undo made after the upgrade leaves a withdrawal that outlives the decision.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../../src/storage/database.js";
import { SqlDecisionStore } from "../../../src/storage/decision-store.js";
import { migrateToLatest } from "../../../src/storage/migrate.js";
import { migrationsBefore } from "../../helpers/migrations-before.js";

let dir: string;
let handle: DatabaseHandle | undefined;

afterEach(async () => {
  await handle?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("keeps the outbox's rows and lets an undone decision's withdrawal outlive it", async () => {
  dir = mkdtempSync(join(tmpdir(), "outloud-withdrawals-"));
  handle = await openDatabase({ url: join(dir, "outloud.sqlite"), migrate: false });
  const { db } = handle;
  await migrateToLatest(db, migrationsBefore(dir, 14));
  const at = "2026-12-01T09:00:00.000Z";
  // Written as Outloud before 0014 wrote them (its store now writes columns these tables lack).
  await sql`insert into decisions (workspace, number, title, text, author_id, author_name, room_id, room_name,
    participants, created_at, status) values ('T1', 1, 'Use PostgreSQL', 'Use PostgreSQL.', 'U1', 'Alice',
    'C1', 'team', '[]', ${at}, 'accepted')`.execute(db);
  await sql`insert into decision_exports (workspace, number, target, status, attempts, next_attempt_at,
    external_ref, location, updated_at) values ('T1', 1, 'markdown', 'exported', 1, ${at},
    '0001-use-postgresql.md', '0001-use-postgresql.md', ${at})`.execute(db);
  const store = new SqlDecisionStore(db);

  await migrateToLatest(db);
  expect(await store.exports("T1", 1)).toEqual([
    { target: "markdown", status: "exported", attempts: 1, location: "0001-use-postgresql.md" },
  ]);
  const { rows } = await sql<{ name: string }>`
    select name from sqlite_master where tbl_name = 'decision_exports' and type = 'index' and sql is not null`.execute(
    db,
  );
  expect(rows.map((r) => r.name)).toEqual(["decision_exports_due"]);

  const decision = await store.get("T1", 1);
  expect(decision).toMatchObject({ id: "D-1", title: "Use PostgreSQL" });
  await store.remove("T1", 1, new Date(at), ["markdown"]);
  expect(await store.get("T1", 1)).toBeUndefined();
  const [withdrawal] = await store.claimDue(new Date(at), 60_000, 1);
  expect(withdrawal).toMatchObject({ target: "markdown", withdraw: decision });
});
