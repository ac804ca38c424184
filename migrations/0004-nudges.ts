import type { Kysely } from "kysely";

// Nudges: deliveries (cooldowns and the daily cap), mutes, personal working hours, and the
// pair-per-day claims of DM suggestions. Ids, kinds and times only: never message text.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per nudge a person received; `slot` 1..cap makes the daily cap a unique key, so two
  // processes can never both hand out the last slot.
  await db.schema
    .createTable("nudge_deliveries")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("slot", "integer", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("delivered_at", "text", (c) => c.notNull())
    .addColumn("about", "text")
    .addPrimaryKeyConstraint("nudge_deliveries_pk", ["workspace", "user_id", "day", "slot"])
    .execute();
  await db.schema.createIndex("nudge_deliveries_at").on("nudge_deliveries").column("delivered_at").execute();
  await db.schema
    .createTable("nudge_cooldowns")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("last_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("nudge_cooldowns_pk", ["workspace", "user_id", "kind"])
    .execute();
  await db.schema
    .createTable("nudge_mutes")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("until", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("nudge_mutes_pk", ["workspace", "user_id", "kind"])
    .execute();
  await db.schema
    .createTable("nudge_hours")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("start_time", "text", (c) => c.notNull())
    .addColumn("end_time", "text", (c) => c.notNull())
    .addColumn("days", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("nudge_hours_pk", ["workspace", "user_id"])
    .execute();
  await db.schema
    .createTable("nudge_pairs")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("people", "text", (c) => c.notNull())
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("claimed_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("nudge_pairs_pk", ["workspace", "kind", "people", "day"])
    .execute();
}
