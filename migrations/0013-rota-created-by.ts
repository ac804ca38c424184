import type { Kysely } from "kysely";

// Rotas: who set each one up, so "who may change a rota" can include its creator (rota.whoMayChange).
// Rotas set up before this have none: their members may still change them.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("rotas").addColumn("created_by", "text").execute();
}
