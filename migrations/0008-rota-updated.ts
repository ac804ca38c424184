import type { Kysely } from "kysely";

// Rotas: when anything deciding a rota's announcement last changed (its settings, members, absences),
// so every replica on the database can re-arm just the rotas changed through another one.
// `updated_at` stays what it was: the last change of the rota's own settings (late announcements).
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("rotas")
    .addColumn("changed_at", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db
    .updateTable("rotas")
    .set((eb) => ({ changed_at: eb.ref("updated_at") }))
    .execute();
  await db.schema.createIndex("rotas_changed").on("rotas").column("changed_at").execute();
}
