import { type Kysely, sql } from "kysely";
import { dialectOf } from "../src/storage/dialect.js";

// Decisions, their per-workspace short-id counter, the export outbox, and full-text search
// (an FTS5 table on SQLite, a generated tsvector column with a GIN index on PostgreSQL).
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("decisions")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("author_id", "text", (c) => c.notNull())
    .addColumn("author_name", "text", (c) => c.notNull())
    .addColumn("room_id", "text", (c) => c.notNull())
    .addColumn("room_name", "text", (c) => c.notNull())
    .addColumn("room_private", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("thread", "text")
    .addColumn("link", "text")
    .addColumn("participants", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("supersedes", "integer")
    .addColumn("superseded_by", "integer")
    .addPrimaryKeyConstraint("decisions_pk", ["workspace", "number"])
    .execute();
  await db.schema
    .createIndex("decisions_room")
    .on("decisions")
    .columns(["workspace", "room_id", "created_at"])
    .execute();
  await db.schema
    .createIndex("decisions_created")
    .on("decisions")
    .columns(["workspace", "created_at"])
    .execute();
  await db.schema
    .createTable("decision_counters")
    .addColumn("workspace", "text", (c) => c.primaryKey())
    .addColumn("last_number", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("decision_exports")
    .addColumn("workspace", "text", (c) => c.notNull())
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", "text", (c) => c.notNull())
    .addColumn("lease_until", "text")
    .addColumn("claim_token", "text")
    .addColumn("last_error", "text")
    .addColumn("external_ref", "text")
    .addColumn("location", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("decision_exports_pk", ["workspace", "number", "target"])
    .addForeignKeyConstraint(
      "decision_exports_decision",
      ["workspace", "number"],
      "decisions",
      ["workspace", "number"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
  await db.schema
    .createIndex("decision_exports_due")
    .on("decision_exports")
    .columns(["status", "next_attempt_at"])
    .execute();

  if (dialectOf(db) === "postgres") {
    await sql`alter table decisions add column search tsvector generated always as (
      setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', text), 'B')) stored`.execute(
      db,
    );
    await sql`create index decisions_search on decisions using gin (search)`.execute(db);
  } else {
    // Kept in step by the store (same transaction), not by triggers: one place to read.
    await sql`create virtual table decisions_fts using fts5(
      workspace unindexed, number unindexed, title, text, tokenize = 'porter unicode61')`.execute(db);
  }
}
