/**
 * Migration 0016 on a database that already holds message facts one row each (as 0010 kept them): every
 * fact is still there afterwards, with its flags, mentions and thread, read through the store.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../../src/storage/database.js";
import { SqlDigestStore } from "../../../src/storage/digest-store.js";
import { migrateToLatest } from "../../../src/storage/migrate.js";
import { migrationsBefore } from "../../helpers/migrations-before.js";

let dir: string;
let handle: DatabaseHandle | undefined;

afterEach(async () => {
  await handle?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("moves every message's facts into batches, each room's apart, and drops the old table", async () => {
  dir = mkdtempSync(join(tmpdir(), "outloud-batches-"));
  handle = await openDatabase({ url: join(dir, "outloud.sqlite"), migrate: false });
  const { db } = handle;
  await migrateToLatest(db, migrationsBefore(dir, 16));
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute)).toISOString();
  const row = (room: string, id: string, minute: number, extra: Record<string, unknown> = {}) => ({
    workspace: "T1",
    room_id: room,
    message_id: id,
    room_name: room === "C1" ? "payments" : "ops",
    room_kind: "public",
    user_id: "U1",
    at: at(minute),
    thread_root: null,
    mentions: "[]",
    broadcast: 0,
    question: 0,
    decision_language: 0,
    call_link: 0,
    ...extra,
  });
  // More than one batch's worth in C1 (256 a batch), and a few in C2.
  const rows = [
    ...Array.from({ length: 300 }, (_, i) => row("C1", `m${String(i).padStart(3, "0")}`, i % 60)),
    row("C2", "q1", 5, { question: 1, mentions: '["U2","U3"]', thread_root: "q0" }),
    row("C2", "q2", 6, { broadcast: 1, decision_language: 1, call_link: 1 }),
  ];
  for (let i = 0; i < rows.length; i += 50)
    await db
      .insertInto("activity_messages" as never)
      .values(rows.slice(i, i + 50) as never)
      .execute();

  await migrateToLatest(db);

  const store = new SqlDigestStore(db);
  const all = await store.messages("T1", new Date(at(0)), new Date(at(60)));
  expect(all).toHaveLength(302);
  expect(all.filter((f) => f.room.id === "C1").every((f) => f.room.name === "payments")).toBe(true);
  expect(await store.messages("T1", new Date(at(0)), new Date(at(60)), "C2")).toEqual([
    {
      workspace: "T1",
      room: { id: "C2", name: "ops", kind: "public" },
      id: "q1",
      user: "U1",
      at: new Date(at(5)),
      thread: "q0",
      mentions: ["U2", "U3"],
      broadcast: false,
      question: true,
      decisionLanguage: false,
      callLink: false,
    },
    {
      workspace: "T1",
      room: { id: "C2", name: "ops", kind: "public" },
      id: "q2",
      user: "U1",
      at: new Date(at(6)),
      mentions: [],
      broadcast: true,
      question: false,
      decisionLanguage: true,
      callLink: true,
    },
  ]);
  const tables = await db.introspection.getTables();
  expect(tables.map((t) => t.name)).not.toContain("activity_messages");
});
