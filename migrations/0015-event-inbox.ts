import type { Kysely } from "kysely";

// Events received but not yet fully handled (src/storage/foundation-stores.ts, used by Slack): Slack
// does not send an acknowledged event again, so one whose handling a crash cut short is handled from here.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("event_inbox")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("claimed_by", "text", (c) => c.notNull())
    .addColumn("claimed_until", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("event_inbox_pk", ["workspace", "event_id"])
    .execute();
  await db.schema.createIndex("event_inbox_claims").on("event_inbox").column("claimed_until").execute();
}
