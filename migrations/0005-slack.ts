import type { Kysely } from "kysely";

// Slack OAuth installations: one row per workspace (or Enterprise Grid org), tokens encrypted.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("slack_installations")
    .addColumn("workspace", "text", (c) => c.notNull().primaryKey())
    .addColumn("team_id", "text")
    .addColumn("enterprise_id", "text")
    .addColumn("is_enterprise_install", "integer", (c) => c.notNull())
    .addColumn("bot_user_id", "text")
    .addColumn("installation", "text", (c) => c.notNull())
    .addColumn("installed_at", "text", (c) => c.notNull())
    .execute();
}
