import type { Kysely } from "kysely";

// "Not helpful" marks on nudges: who marked which kind, and when. Kinds and times only: never the
// nudge's text nor the message that caused it. Two marks of a kind in 30 days mute it for the person.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("nudge_feedback")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("marked_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("nudge_feedback_pk", ["workspace", "user_id", "kind", "marked_at"])
    .execute();
  await db.schema.createIndex("nudge_feedback_at").on("nudge_feedback").column("marked_at").execute();
}
