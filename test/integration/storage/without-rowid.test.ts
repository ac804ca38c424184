/**
 * Migration 0009 on an SQLite database that already holds rows: the hot tables become WITHOUT ROWID
 * tables, with every row, key and index they had.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../../src/storage/database.js";
import { migrateToLatest } from "../../../src/storage/migrate.js";
import { migrationsBefore } from "../../helpers/migrations-before.js";

const REBUILT = [
  "processed_events",
  "claims",
  "nudge_cooldowns",
  "nudge_deliveries",
  "nudge_mutes",
  "nudge_pairs",
];
let dir: string;
let handle: DatabaseHandle | undefined;

afterEach(async () => {
  await handle?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("keeps every row, key and index of the tables it rebuilds without rowid", async () => {
  dir = mkdtempSync(join(tmpdir(), "outloud-rowid-"));
  handle = await openDatabase({ url: join(dir, "outloud.sqlite"), migrate: false });
  const { db } = handle;
  await migrateToLatest(db, migrationsBefore(dir, 9));
  const at = "2026-12-01T09:00:00.000Z";
  await db.insertInto("processed_events").values({ workspace: "T1", event_id: "Ev1", seen_at: at }).execute();
  await db
    .insertInto("claims")
    .values({ workspace: "T1", key: "rota:C1:2026-12-01", claimed_at: at })
    .execute();
  await db
    .insertInto("nudge_cooldowns")
    .values({ workspace: "T1", user_id: "U1", kind: "be-kind", last_at: at })
    .execute();
  await db
    .insertInto("nudge_deliveries")
    .values({
      workspace: "T1",
      user_id: "U1",
      day: "2026-12-01",
      slot: 1,
      kind: "be-kind",
      delivered_at: at,
      about: "m1",
    })
    .execute();
  await db
    .insertInto("nudge_mutes")
    .values({ workspace: "T1", user_id: "U1", kind: "all", until: null, created_at: at })
    .execute();
  await db
    .insertInto("nudge_pairs")
    .values({ workspace: "T1", kind: "dm-to-channel", people: "U1,U2", day: "2026-12-01", claimed_at: at })
    .execute();

  // 0009 and whatever came after it (0010-digest, …) are applied now.
  expect(await migrateToLatest(db)).toContain("0009-sqlite-without-rowid");

  const { rows: tables } = await sql<{ name: string; sql: string }>`
    select name, sql from sqlite_master where type = 'table'`.execute(db);
  for (const table of REBUILT) {
    expect(tables.find((t) => t.name === table)?.sql, table).toMatch(/WITHOUT ROWID$/);
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    expect(rows[0]!.n, table).toBe(1);
  }
  const { rows: indexes } = await sql<{ name: string }>`
    select name from sqlite_master where type = 'index' and sql is not null`.execute(db);
  expect(indexes.map((i) => i.name)).toEqual(
    expect.arrayContaining(["processed_events_seen_at", "nudge_deliveries_at"]),
  );
  // The key still decides what is new.
  const again = await db
    .insertInto("processed_events")
    .values({ workspace: "T1", event_id: "Ev1", seen_at: at })
    .onConflict((oc) => oc.columns(["workspace", "event_id"]).doNothing())
    .executeTakeFirst();
  expect(Number(again.numInsertedOrUpdatedRows ?? 0)).toBe(0);
});
