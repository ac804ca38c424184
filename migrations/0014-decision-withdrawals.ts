import { type Kysely, sql } from "kysely";
import { dialectOf } from "../src/storage/dialect.js";

// The export outbox also carries withdrawals: `/decision undo` turns the rows of targets that can take
// a decision back into `withdraw` rows, retried like exports. They outlive the decision's row, so the
// outbox no longer references `decisions` (the store deletes a decision's export rows itself), and a
// withdrawal row keeps the undone decision as JSON: the exporter needs its number, title and fields.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === "postgres") {
    await sql`alter table decision_exports drop constraint decision_exports_decision`.execute(db);
    await sql`alter table decision_exports add column kind text not null default 'export'`.execute(db);
    await sql`alter table decision_exports add column undone_decision text`.execute(db);
    return;
  }
  // SQLite cannot drop a foreign key: the table is rebuilt without it, rows and index kept.
  await db.schema
    .createTable("decision_exports_next")
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
    .addColumn("kind", "text", (c) => c.notNull().defaultTo("export"))
    .addColumn("undone_decision", "text")
    .addPrimaryKeyConstraint("decision_exports_pk", ["workspace", "number", "target"])
    .execute();
  await sql`insert into decision_exports_next (workspace, number, target, status, attempts, next_attempt_at,
    lease_until, claim_token, last_error, external_ref, location, updated_at)
    select workspace, number, target, status, attempts, next_attempt_at, lease_until, claim_token,
    last_error, external_ref, location, updated_at from decision_exports`.execute(db);
  await db.schema.dropTable("decision_exports").execute();
  await sql`alter table decision_exports_next rename to decision_exports`.execute(db);
  await db.schema
    .createIndex("decision_exports_due")
    .on("decision_exports")
    .columns(["status", "next_attempt_at"])
    .execute();
}
