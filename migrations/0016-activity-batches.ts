import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";

// Message facts (ids, times, flags: never text) are kept in batches: one row per room for the facts
// written together (src/storage/digest-store.ts), instead of one row, with three index entries, per
// message. SQLite's own insert and delete of those rows was the largest cost the engine paid per
// message. The rows of activity_messages move into batches of at most 256 facts per room.

/** Facts per batch row when moving old rows; the store writes at most this many per flush. */
const MOVE_ROWS = 256;

// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("activity_batches")
    .addColumn("batch_id", "text", (c) => c.primaryKey())
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("room_name", "text", (c) => c.notNull())
    .addColumn("room_kind", "text", (c) => c.notNull())
    .addColumn("first_at", "text", (c) => c.notNull())
    .addColumn("last_at", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("facts", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("activity_batches_workspace_last")
    .on("activity_batches")
    .columns(["workspace", "last_at"])
    .execute();
  await db.schema.createIndex("activity_batches_first").on("activity_batches").column("first_at").execute();

  const rooms = await db
    .selectFrom("activity_messages")
    .select(["workspace", "room_id"])
    .distinct()
    .execute();
  for (const { workspace, room_id } of rooms) {
    const rows = await db
      .selectFrom("activity_messages")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("room_id", "=", room_id)
      .orderBy("at")
      .orderBy("message_id")
      .execute();
    // Cut where the batch is full or the room's name or kind changed (each batch row has one).
    let from = 0;
    for (let i = 1; i <= rows.length; i++) {
      const cut =
        i === rows.length ||
        i - from === MOVE_ROWS ||
        rows[i]!.room_name !== rows[from]!.room_name ||
        rows[i]!.room_kind !== rows[from]!.room_kind;
      if (!cut) continue;
      await insertBatch(db, rows.slice(from, i));
      from = i;
    }
  }
  await db.schema.dropTable("activity_messages").execute();
}

// biome-ignore lint/suspicious/noExplicitAny: as above.
async function insertBatch(db: Kysely<any>, batch: any[]): Promise<void> {
  const first = batch[0];
  const last = batch[batch.length - 1];
  // The tuple of src/storage/digest-store.ts: id, user, time (ms), thread root or 0, mentions or 0, flags.
  const facts = batch.map((r) => {
    const mentions = JSON.parse(r.mentions) as string[];
    const flags = r.broadcast | (r.question << 1) | (r.decision_language << 2) | (r.call_link << 3);
    return [
      r.message_id,
      r.user_id,
      Date.parse(r.at),
      r.thread_root ?? 0,
      mentions.length ? mentions : 0,
      flags,
    ];
  });
  await db
    .insertInto("activity_batches")
    .values({
      batch_id: randomUUID(),
      workspace: first.workspace,
      room_id: first.room_id,
      room_name: first.room_name,
      room_kind: first.room_kind,
      first_at: first.at,
      last_at: last.at,
      count: batch.length,
      facts: JSON.stringify(facts),
    })
    .execute();
}
