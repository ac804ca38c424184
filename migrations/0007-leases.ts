import type { Kysely } from "kysely";

// Leases: one replica at a time does a job such as consuming Matrix /sync (src/core/leases.ts).
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("leases")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("holder", "text", (c) => c.notNull())
    .addColumn("generation", "integer", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("acquired_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("leases_pk", ["workspace", "name"])
    .execute();
}
