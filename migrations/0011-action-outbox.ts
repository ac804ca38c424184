import type { Kysely } from "kysely";

// The durable outbox of outgoing actions (src/outbox/): written before an action is sent, marked sent
// after, so that a crash while it waits (behind a 429, say) sends it again on start-up.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("action_outbox")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("platform", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("claimed_by", "text")
    .addColumn("claimed_until", "text")
    .addColumn("sent_at", "text")
    .addPrimaryKeyConstraint("action_outbox_pk", ["workspace", "key"])
    .execute();
  await db.schema
    .createIndex("action_outbox_unsent")
    .on("action_outbox")
    .columns(["platform", "sent_at", "claimed_until"])
    .execute();
}
