import type { Kysely } from "kysely";

// The daily responder rota: rotas, their member queue, absences, turns and pending questions.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("rotas")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("room_name", "text", (c) => c.notNull())
    .addColumn("room_kind", "text", (c) => c.notNull())
    .addColumn("time", "text", (c) => c.notNull())
    .addColumn("zone", "text", (c) => c.notNull())
    .addColumn("days", "text", (c) => c.notNull())
    .addColumn("holidays", "text")
    .addColumn("paused", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("late_announcement", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("rotas_pk", ["workspace", "room"])
    .execute();
  await db.schema
    .createTable("rota_members")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("member", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("left_at", "text")
    .addPrimaryKeyConstraint("rota_members_pk", ["workspace", "room", "member"])
    .execute();
  await db.schema
    .createTable("rota_away")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("member", "text", (c) => c.notNull())
    .addColumn("from_date", "text", (c) => c.notNull())
    .addColumn("to_date", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("rota_away_pk", ["workspace", "room", "member", "from_date"])
    .execute();
  await db.schema
    .createTable("rota_turns")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("local_date", "text", (c) => c.notNull())
    .addColumn("responder", "text", (c) => c.notNull())
    .addColumn("announced_at", "text", (c) => c.notNull())
    .addColumn("late", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("skipped", "text", (c) => c.notNull().defaultTo("[]"))
    .addPrimaryKeyConstraint("rota_turns_pk", ["workspace", "room", "local_date"])
    .execute();
  await db.schema
    .createTable("rota_questions")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("room", "text", (c) => c.notNull())
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("asker", "text", (c) => c.notNull())
    .addColumn("asked_at", "text", (c) => c.notNull())
    .addColumn("due_at", "text", (c) => c.notNull())
    .addColumn("answered_at", "text")
    .addColumn("nudged_at", "text")
    .addPrimaryKeyConstraint("rota_questions_pk", ["workspace", "room", "message_id"])
    .execute();
  await db.schema.createIndex("rota_questions_due").on("rota_questions").column("due_at").execute();
}
