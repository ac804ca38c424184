import type { Kysely } from "kysely";

// Digests and the live report: the rooms that get a weekly digest, the people who asked for a
// catch-up, and per message only what the figures need (ids, times, flags): never message text.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("digest_rooms")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("room_name", "text", (c) => c.notNull())
    .addColumn("room_kind", "text", (c) => c.notNull())
    .addColumn("weekday", "integer", (c) => c.notNull())
    .addColumn("time", "text", (c) => c.notNull())
    .addColumn("zone", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("digest_rooms_pk", ["workspace", "room_id"])
    .execute();
  await db.schema
    .createTable("digest_people")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("cadence", "text", (c) => c.notNull())
    .addColumn("email", "text")
    .addColumn("email_pending", "text")
    .addColumn("email_code", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("digest_people_pk", ["workspace", "user_id"])
    .execute();
  await db.schema
    .createTable("activity_messages")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("room_name", "text", (c) => c.notNull())
    .addColumn("room_kind", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("thread_root", "text")
    .addColumn("mentions", "text", (c) => c.notNull())
    .addColumn("broadcast", "integer", (c) => c.notNull())
    .addColumn("question", "integer", (c) => c.notNull())
    .addColumn("decision_language", "integer", (c) => c.notNull())
    .addColumn("call_link", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("activity_messages_pk", ["workspace", "room_id", "message_id"])
    .execute();
  await db.schema
    .createIndex("activity_messages_room_at")
    .on("activity_messages")
    .columns(["workspace", "room_id", "at"])
    .execute();
  await db.schema.createIndex("activity_messages_at").on("activity_messages").column("at").execute();
}
