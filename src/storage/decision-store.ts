/**
 * Decisions and their export outbox over the query layer, for SQLite and PostgreSQL. The few
 * dialect differences are full-text search (FTS5 vs tsvector) and how due outbox rows are claimed
 * (one conditional UPDATE under SQLite's single writer; FOR UPDATE SKIP LOCKED on PostgreSQL).
 */
import { randomUUID } from "node:crypto";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { ExportReceipt } from "../core/decisions/exporter.js";
import {
  type DecisionRecord,
  decisionId,
  type ExportState,
  type ExportStatus,
  type Person,
} from "../core/decisions/model.js";
import {
  type DecisionQuery,
  type DecisionStore,
  type ExportFailure,
  type NewDecision,
  type OutboxItem,
  SupersedeError,
} from "../core/decisions/store.js";
import type { DecisionTables } from "./decision-tables.js";
import { type DialectName, dialectOf } from "./dialect.js";
import { withTransaction } from "./resilient-driver.js";
import type { Database } from "./schema.js";

type DecisionRow = Selectable<DecisionTables["decisions"]>;
type ExportRow = Selectable<DecisionTables["decision_exports"]>;

// Errors are shown to users in `/decision show`; keep them short and bounded in the database too.
const MAX_ERROR = 500;

export class SqlDecisionStore implements DecisionStore {
  private readonly dialect: DialectName;

  constructor(private readonly db: Kysely<Database>) {
    this.dialect = dialectOf(db);
  }

  async record(input: NewDecision, targets: readonly string[]): Promise<DecisionRecord> {
    return withTransaction(this.db, async (trx) => {
      const counter = await trx
        .insertInto("decision_counters")
        .values({ workspace: input.workspace, last_number: 1 })
        .onConflict((oc) =>
          oc.column("workspace").doUpdateSet({ last_number: sql<number>`decision_counters.last_number + 1` }),
        )
        .returning("last_number")
        .executeTakeFirstOrThrow();
      const number = Number(counter.last_number);
      const now = input.at.toISOString();
      const row: DecisionRow = {
        workspace: input.workspace,
        number,
        title: input.title,
        text: input.text,
        author_id: input.author.id,
        author_name: input.author.name,
        room_id: input.room.id,
        room_name: input.room.name,
        room_private: input.room.private ? 1 : 0,
        thread: input.thread ?? null,
        link: input.link ?? null,
        participants: JSON.stringify(input.participants),
        created_at: now,
        status: "accepted",
        supersedes: input.supersedes ?? null,
        superseded_by: null,
      };
      await trx.insertInto("decisions").values(row).execute();
      if (this.dialect === "sqlite") {
        await sql`insert into decisions_fts (workspace, number, title, text)
          values (${input.workspace}, ${number}, ${input.title}, ${input.text})`.execute(trx);
      }
      await this.queue(trx, input.workspace, number, targets, input.at);
      if (input.supersedes !== undefined) {
        const updated = await trx
          .updateTable("decisions")
          .set({ status: "superseded", superseded_by: number })
          .where("workspace", "=", input.workspace)
          .where("number", "=", input.supersedes)
          .where("status", "=", "accepted")
          .executeTakeFirst();
        // Throwing rolls back the new decision and its outbox rows with it.
        if (Number(updated.numUpdatedRows) === 0) throw new SupersedeError(decisionId(input.supersedes));
        // The old document must now say "superseded by": re-export it wherever it went.
        await this.queue(
          trx,
          input.workspace,
          input.supersedes,
          await this.targetsOf(trx, input.workspace, input.supersedes),
          input.at,
        );
      }
      return toRecord(row);
    });
  }

  async get(workspace: string, number: number): Promise<DecisionRecord | undefined> {
    const row = await this.db
      .selectFrom("decisions")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("number", "=", number)
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async list(workspace: string, query: DecisionQuery): Promise<DecisionRecord[]> {
    let q = this.db.selectFrom("decisions").selectAll().where("workspace", "=", workspace);
    if (query.room) {
      // `#team` (a name), `C123` or `#C123` (an id, as Slack renders an unnamed channel link), `#team` as a local id.
      const typed = query.room;
      const bare = typed.replace(/^[#~]/, "");
      q = q.where((eb) => eb.or([eb("room_id", "in", [typed, bare]), eb("room_name", "=", bare)]));
    }
    if (query.since) q = q.where("created_at", ">=", query.since.toISOString());
    const rows = await q.orderBy("number", "desc").limit(query.limit).execute();
    return rows.map(toRecord);
  }

  async search(workspace: string, words: string, limit: number): Promise<DecisionRecord[]> {
    const terms = searchTerms(words);
    if (terms.length === 0) return this.searchText(workspace, words.trim(), limit);
    if (this.dialect === "postgres") {
      // Any word may match (OR); ts_rank puts decisions matching more of them, in the title, first.
      // Each word also matches as a prefix: "postgres" finds "PostgreSQL".
      const query = terms.map((t) => `${t}:*`).join(" | ");
      const result = await sql<DecisionRow>`
        select d.* from decisions d, to_tsquery('english', ${query}) q
        where d.workspace = ${workspace} and d.search @@ q
        order by ts_rank(d.search, q) desc, d.number desc limit ${limit}`.execute(this.db);
      return result.rows.map(toRecord);
    }
    // Each term quoted: FTS5 operators and column filters typed by a user are plain words here.
    const match = terms.map((t) => `"${t}"*`).join(" OR ");
    const result = await sql<DecisionRow>`
      select d.* from decisions_fts f
      join decisions d on d.workspace = f.workspace and d.number = f.number
      where decisions_fts match ${match} and f.workspace = ${workspace}
      order by bm25(decisions_fts, 0, 0, 5.0, 1.0), d.number desc limit ${limit}`.execute(this.db);
    return result.rows.map(toRecord);
  }

  /**
   * Text with no letters or digits ("🎉", "+1", "¯\\_(ツ)_/¯") has no words for the full-text index:
   * it is found as it was typed, in the title or the text, newest first.
   */
  private async searchText(workspace: string, text: string, limit: number): Promise<DecisionRecord[]> {
    if (text === "") return [];
    // `%`, `_` and the escape character itself are literal here, not patterns.
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db
      .selectFrom("decisions")
      .selectAll()
      .where("workspace", "=", workspace)
      .where((eb) =>
        eb.or([
          sql<boolean>`${eb.ref("title")} like ${pattern} escape '\\'`,
          sql<boolean>`${eb.ref("text")} like ${pattern} escape '\\'`,
        ]),
      )
      .orderBy("number", "desc")
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async remove(
    workspace: string,
    number: number,
    now: Date,
    withdrawFrom: readonly string[],
  ): Promise<ExportState[]> {
    return withTransaction(this.db, async (trx) => {
      const row = await trx
        .selectFrom("decisions")
        .selectAll()
        .where("workspace", "=", workspace)
        .where("number", "=", number)
        .executeTakeFirst();
      if (!row) return [];
      const exportRows = await this.exportRows(trx, workspace, number);
      const states = exportRows.map(toState);
      if (row.supersedes !== null) {
        await trx
          .updateTable("decisions")
          .set({ status: "accepted", superseded_by: null })
          .where("workspace", "=", workspace)
          .where("number", "=", row.supersedes)
          .execute();
        await this.queue(
          trx,
          workspace,
          row.supersedes,
          await this.targetsOf(trx, workspace, row.supersedes),
          now,
        );
      }
      await trx
        .updateTable("decisions")
        .set({ supersedes: null })
        .where("workspace", "=", workspace)
        .where("supersedes", "=", number)
        .execute();
      await trx
        .deleteFrom("decision_exports")
        .where("workspace", "=", workspace)
        .where("number", "=", number)
        .execute();
      // A target that may hold the decision (exported, or an attempt whose answer may have been lost)
      // gets a withdrawal, committed with the removal so neither a failure nor a crash forgets it.
      const undone = JSON.stringify(toRecord(row));
      const at = now.toISOString();
      for (const r of exportRows) {
        if (!withdrawFrom.includes(r.target) || (r.location === null && Number(r.attempts) === 0)) continue;
        await trx
          .insertInto("decision_exports")
          .values({
            ...r,
            kind: "withdraw",
            undone_decision: undone,
            ...dueNow(at),
          })
          .execute();
      }
      await trx
        .deleteFrom("decisions")
        .where("workspace", "=", workspace)
        .where("number", "=", number)
        .execute();
      if (this.dialect === "sqlite") {
        await sql`delete from decisions_fts where workspace = ${workspace} and number = ${number}`.execute(
          trx,
        );
      }
      return states;
    });
  }

  async exports(workspace: string, number: number): Promise<ExportState[]> {
    return (await this.exportRows(this.db, workspace, number)).map(toState);
  }

  async requeue(workspace: string, number: number, now: Date, targets?: readonly string[]): Promise<number> {
    return withTransaction(this.db, async (trx) => {
      const existing = await this.targetsOf(trx, workspace, number);
      const wanted = targets ? existing.filter((t) => targets.includes(t)) : existing;
      await this.queue(trx, workspace, number, wanted, now);
      return wanted.length;
    });
  }

  async claimDue(
    now: Date,
    leaseMs: number,
    limit: number,
    only?: { workspace: string; number: number },
  ): Promise<OutboxItem[]> {
    const at = now.toISOString();
    const token = randomUUID();
    let due = this.db
      .selectFrom("decision_exports")
      .select(["workspace", "number", "target"])
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", at)
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<=", at)]))
      .orderBy("next_attempt_at")
      .limit(limit);
    if (only) due = due.where("workspace", "=", only.workspace).where("number", "=", only.number);
    // Two PostgreSQL workers skip each other's rows instead of waiting; SQLite has a single writer,
    // so the one UPDATE below is already atomic there.
    if (this.dialect === "postgres") due = due.forUpdate().skipLocked();
    const rows = await this.db
      .updateTable("decision_exports")
      .set({
        lease_until: new Date(now.getTime() + leaseMs).toISOString(),
        claim_token: token,
        attempts: sql<number>`attempts + 1`,
        updated_at: at,
      })
      .where(({ eb, refTuple }) =>
        eb(refTuple("workspace", "number", "target"), "in", due.$asTuple("workspace", "number", "target")),
      )
      .returningAll()
      .execute();
    return rows.map((r) => ({
      workspace: r.workspace,
      number: Number(r.number),
      target: r.target,
      attempts: Number(r.attempts),
      previous:
        r.external_ref && r.location !== null ? { ref: r.external_ref, location: r.location } : undefined,
      withdraw: r.kind === "withdraw" && r.undone_decision ? undoneDecision(r.undone_decision) : undefined,
      token,
    }));
  }

  async markExported(item: OutboxItem, receipt: ExportReceipt, now: Date): Promise<boolean> {
    return this.finish(item, {
      status: "exported",
      external_ref: receipt.ref,
      location: receipt.location,
      last_error: null,
      updated_at: now.toISOString(),
    });
  }

  async finishWithdrawal(item: OutboxItem): Promise<boolean> {
    const result = await this.db
      .deleteFrom("decision_exports")
      .where("workspace", "=", item.workspace)
      .where("number", "=", item.number)
      .where("target", "=", item.target)
      .where("kind", "=", "withdraw")
      .where("claim_token", "=", item.token)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async markAttemptFailed(
    item: OutboxItem,
    error: string,
    now: Date,
    retryAt: Date | undefined,
  ): Promise<boolean> {
    return this.finish(item, {
      status: retryAt ? "pending" : "failed",
      next_attempt_at: (retryAt ?? now).toISOString(),
      last_error: error.slice(0, MAX_ERROR),
      updated_at: now.toISOString(),
    });
  }

  async nextDue(): Promise<Date | undefined> {
    const row = await this.db
      .selectFrom("decision_exports")
      .select(
        sql<
          string | null
        >`min(case when lease_until > next_attempt_at then lease_until else next_attempt_at end)`.as("due"),
      )
      .where("status", "=", "pending")
      .executeTakeFirst();
    return row?.due ? new Date(row.due) : undefined;
  }

  async pendingCount(): Promise<number> {
    const row = await this.db
      .selectFrom("decision_exports")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("status", "=", "pending")
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async failures(workspace: string): Promise<ExportFailure[]> {
    const rows = await this.db
      .selectFrom("decision_exports")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("status", "=", "failed")
      .orderBy("number")
      .orderBy("target")
      .execute();
    return rows.map((r) => ({
      number: Number(r.number),
      target: r.target,
      attempts: Number(r.attempts),
      error: r.last_error ?? "unknown error",
      failedAt: new Date(r.updated_at),
    }));
  }

  private async finish(item: OutboxItem, set: Partial<ExportRow>): Promise<boolean> {
    const result = await this.db
      .updateTable("decision_exports")
      .set({ ...set, lease_until: null, claim_token: null })
      .where("workspace", "=", item.workspace)
      .where("number", "=", item.number)
      .where("target", "=", item.target)
      .where("claim_token", "=", item.token)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Makes rows due now (inserting missing ones); a claim in flight loses its token, so its report is ignored. */
  private async queue(
    trx: Transaction<Database>,
    workspace: string,
    number: number,
    targets: readonly string[],
    now: Date,
  ): Promise<void> {
    const at = now.toISOString();
    for (const target of targets) {
      const fresh = dueNow(at);
      await trx
        .insertInto("decision_exports")
        .values({
          workspace,
          number,
          target,
          kind: "export",
          undone_decision: null,
          external_ref: null,
          location: null,
          ...fresh,
        })
        .onConflict((oc) => oc.columns(["workspace", "number", "target"]).doUpdateSet(fresh))
        .execute();
    }
  }

  private async targetsOf(db: Kysely<Database>, workspace: string, number: number): Promise<string[]> {
    return (await this.exportRows(db, workspace, number)).map((r) => r.target);
  }

  private exportRows(db: Kysely<Database>, workspace: string, number: number): Promise<ExportRow[]> {
    return db
      .selectFrom("decision_exports")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("number", "=", number)
      .orderBy("target")
      .execute();
  }
}

/** The columns of an outbox row made due at `at` with fresh attempts and no claim. */
function dueNow(at: string) {
  return {
    status: "pending",
    attempts: 0,
    next_attempt_at: at,
    lease_until: null,
    claim_token: null,
    last_error: null,
    updated_at: at,
  };
}

/** Words of a search, letters and digits only: whatever else is typed cannot become query syntax. */
export function searchTerms(words: string): string[] {
  return (words.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 20);
}

function toRecord(row: DecisionRow): DecisionRecord {
  const record: DecisionRecord = {
    workspace: row.workspace,
    id: decisionId(Number(row.number)),
    number: Number(row.number),
    title: row.title,
    text: row.text,
    author: { id: row.author_id, name: row.author_name },
    room: { id: row.room_id, name: row.room_name, ...(row.room_private ? { private: true } : {}) },
    participants: JSON.parse(row.participants) as Person[],
    at: new Date(row.created_at),
    status: row.status === "superseded" ? "superseded" : "accepted",
  };
  if (row.thread !== null) record.thread = row.thread;
  if (row.link !== null) record.link = row.link;
  if (row.supersedes !== null) record.supersedes = decisionId(Number(row.supersedes));
  if (row.superseded_by !== null) record.supersededBy = decisionId(Number(row.superseded_by));
  return record;
}

/** The decision a withdrawal row carries, as `toRecord` made it before the row was removed. */
function undoneDecision(json: string): DecisionRecord {
  const d = JSON.parse(json) as Omit<DecisionRecord, "at"> & { at: string };
  return { ...d, at: new Date(d.at) };
}

function toState(row: ExportRow): ExportState {
  const state: ExportState = {
    target: row.target,
    status: row.status as ExportStatus,
    attempts: Number(row.attempts),
  };
  if (row.status === "pending") state.nextAttemptAt = new Date(row.next_attempt_at);
  if (row.last_error !== null) state.lastError = row.last_error;
  if (row.location !== null) state.location = row.location;
  return state;
}
