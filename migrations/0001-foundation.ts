import type { Kysely } from "kysely";

// Foundation tables: exactly-once claims, processed platform events, and small settings.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("claims")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("claimed_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("claims_pk", ["workspace", "key"])
    .execute();
  await db.schema
    .createTable("processed_events")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("seen_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("processed_events_pk", ["workspace", "event_id"])
    .execute();
  await db.schema.createIndex("processed_events_seen_at").on("processed_events").column("seen_at").execute();
  await db.schema
    .createTable("settings")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("settings_pk", ["workspace", "scope", "key"])
    .execute();
}
