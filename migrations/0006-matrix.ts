import type { Kysely } from "kysely";

// Matrix adapter: the sync position (so a restart resumes where it stopped) and each person's DM room
// with the bot (where private notices go). Processed event ids use the foundation's processed_events.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("matrix_sync")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("account", "text", (c) => c.notNull())
    .addColumn("next_batch", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("matrix_sync_pk", ["workspace", "account"])
    .execute();
  await db.schema
    .createTable("matrix_dm_rooms")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("account", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("matrix_dm_rooms_pk", ["workspace", "account", "user_id"])
    .execute();
}
