/** Query-layer implementations of the foundation stores (src/core/stores.ts), for SQLite and PostgreSQL. */
import { CompiledQuery, type Kysely, sql } from "kysely";
import type {
  ClaimStore,
  EventInbox,
  KeptEvent,
  ProcessedEventStore,
  SettingsStore,
} from "../core/stores.js";
import { PreparedSql } from "./prepared.js";
import type { Database } from "./schema.js";
import { insideTransactionScope } from "./transaction-scope.js";

export class SqlClaimStore implements ClaimStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(workspace: string, key: string, at: Date): Promise<boolean> {
    const result = await this.db
      .insertInto("claims")
      .values({ workspace, key, claimed_at: at.toISOString() })
      .onConflict((oc) => oc.columns(["workspace", "key"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async isClaimed(workspace: string, key: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("claims")
      .select("key")
      .where("workspace", "=", workspace)
      .where("key", "=", key)
      .executeTakeFirst();
    return row !== undefined;
  }

  async purge(prefix: string, before: Date): Promise<number> {
    const { numAffectedRows } = await this.db.executeQuery(
      this.purgeSql.with({ length: prefix.length, prefix, before: before.toISOString() }),
    );
    return Number(numAffectedRows ?? 0);
  }

  /** Built once: a replay purges the nudges' claims once a virtual day (every 40 messages or so). */
  private readonly purgeSql = new PreparedSql<"length" | "prefix" | "before">((p) =>
    this.db
      .deleteFrom("claims")
      // substr rather than LIKE: keys contain `_`, and SQLite's LIKE has no default escape character.
      .where(sql<string>`substr(key, 1, ${p<number>("length")})`, "=", p<string>("prefix"))
      .where("claimed_at", "<", p<string>("before")),
  );
}

/** Ids asked about in one turn of the event loop, written together. */
interface PendingMark {
  workspace: string;
  eventId: string;
  at: string;
  /** Times its batch was a deadlock's victim. */
  tries: number;
  resolve(first: boolean): void;
  reject(err: Error): void;
}

/** Answers a mark: whether it was new, or why it could not be written. */
function settle(mark: PendingMark, first: boolean | Error): void {
  if (first instanceof Error) mark.reject(first);
  else mark.resolve(first);
}

/** Rows per statement: three parameters each, well under SQLite's limit of 32,766. */
const MAX_BATCH = 500;
const DEADLOCK_RETRIES = 3;

function byKey(a: { workspace: string; eventId: string }, b: { workspace: string; eventId: string }): number {
  return a.workspace === b.workspace
    ? a.eventId < b.eventId
      ? -1
      : a.eventId > b.eventId
        ? 1
        : 0
    : a.workspace < b.workspace
      ? -1
      : 1;
}

/** PostgreSQL's "deadlock detected" (40P01). */
function isDeadlock(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return e?.code === "40P01" || e?.cause?.code === "40P01";
}

/**
 * Marks are written in batches: the ids asked about while a batch gathers go into one multi-row insert
 * (one commit), so a burst of events costs one write, not one each. A batch gathers for one turn of
 * the event loop, or for `gatherMs` when the caller can wait that long (Slack has its acknowledgement
 * already; Matrix marks events one after another and cannot).
 */
export class SqlProcessedEventStore implements ProcessedEventStore, EventInbox {
  private pending: PendingMark[] = [];
  private readonly sqlByKindAndSize = new Map<string, string>();
  /** Events to keep with the next batch, by `workspace\0eventId`; dropped if handled before it. */
  private keepSoon = new Map<string, { workspace: string; eventId: string; event: KeptEvent }>();
  /** Kept events whose handling ended, to let go of with the next batch. */
  private handledSoon: { workspace: string; eventId: string }[] = [];
  /** The keys of the events written to the inbox and not yet let go of. */
  private readonly written = new Set<string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: { gatherMs?: number; gatherRows?: number } = {},
  ) {}

  markProcessed(workspace: string, eventId: string, at: Date): Promise<boolean> {
    // In a transaction with what the event leads to: written in it, alone, not in a batch that
    // others' marks would join (and be undone with, should it roll back).
    if (insideTransactionScope())
      return this.insert([{ workspace, eventId, at: at.toISOString() }]).then((fresh) => fresh.size > 0);
    // No closure of its own per mark (each would be named, and so redefined, by the TypeScript loader).
    return new Promise((resolve, reject) => {
      this.pending.push({ workspace, eventId, at: at.toISOString(), tries: 0, resolve, reject });
      this.flushSoon();
    });
  }

  // Most events are handled within a batch's gathering: they are never written, nor deleted.
  keep(workspace: string, eventId: string, event: KeptEvent): void {
    this.keepSoon.set(keyOf({ workspace, eventId }), { workspace, eventId, event });
    this.flushSoon();
  }

  handled(workspace: string, eventId: string): void {
    const key = keyOf({ workspace, eventId });
    // Not written yet: never will be. Written (or being written): deleted with the next batch.
    if (this.keepSoon.delete(key) || !this.written.delete(key)) return;
    this.handledSoon.push({ workspace, eventId });
    this.flushSoon();
  }

  async has(workspace: string, eventId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("event_inbox")
      .select("event_id")
      .where("workspace", "=", workspace)
      .where("event_id", "=", eventId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async renew(holder: string, until: Date): Promise<void> {
    await this.db
      .updateTable("event_inbox")
      .set({ claimed_until: until.toISOString() })
      .where("claimed_by", "=", holder)
      .execute();
  }

  async claimAbandoned(
    holder: string,
    now: Date,
    until: Date,
    limit: number,
  ): Promise<{ workspace: string; eventId: string; payload: string }[]> {
    // One statement, so that of two replicas sweeping at once only one claims a row (as the outbox does).
    const cutoff = now.toISOString();
    const { rows } = await sql<{ workspace: string; event_id: string; payload: string; received_at: string }>`
      update event_inbox set claimed_by = ${holder}, claimed_until = ${until.toISOString()}
      where (workspace, event_id) in (
        select workspace, event_id from event_inbox where claimed_until < ${cutoff}
        order by received_at limit ${limit})
      and claimed_until < ${cutoff}
      returning workspace, event_id, payload, received_at`.execute(this.db);
    const taken = rows
      .sort((a, b) => a.received_at.localeCompare(b.received_at))
      .map((r) => ({ workspace: r.workspace, eventId: r.event_id, payload: r.payload }));
    // Now this replica's to let go of once handled.
    for (const event of taken) this.written.add(keyOf(event));
    return taken;
  }

  private flushScheduled = false;
  private gatherTimer: NodeJS.Timeout | undefined;
  /** Batches are written one after another: a deletion never overtakes the insert it undoes. */
  private flushing: Promise<void> = Promise.resolve();

  private flushSoon(): void {
    const { gatherMs = 0, gatherRows } = this.options;
    if (this.gatherTimer && gatherRows !== undefined && this.pending.length >= gatherRows) {
      clearTimeout(this.gatherTimer);
      this.gatherTimer = undefined;
      setImmediate(this.flushNow);
      return;
    }
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    if (gatherMs > 0) this.gatherTimer = setTimeout(this.flushNow, gatherMs);
    else setImmediate(this.flushNow);
  }

  private readonly flushNow = (): void => {
    this.flushScheduled = false;
    this.gatherTimer = undefined;
    this.flushing = this.flushing.then(() => this.flush());
  };

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, MAX_BATCH);
    if (this.pending.length > 0) this.flushing = this.flushing.then(() => this.flush());
    try {
      const fresh = await this.write(batch);
      // An id twice in one batch is new only the first time.
      for (const m of batch) settle(m, fresh.delete(`${m.workspace}\u0000${m.eventId}`));
    } catch (err) {
      // Chosen as a deadlock's victim, the batch wrote nothing: it goes again, as PostgreSQL advises.
      if (isDeadlock(err) && batch.every((m) => ++m.tries <= DEADLOCK_RETRIES)) {
        this.pending.unshift(...batch);
        this.flushSoon();
        return;
      }
      for (const m of batch) settle(m, err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Inserts the marks, keeps the events still being handled that asked to be, and lets go of the kept
   * ones handled since, in one commit; answers the marks that were new.
   */
  private async write(marks: PendingMark[]): Promise<Set<string>> {
    const kept = [...this.keepSoon.values()];
    this.keepSoon.clear();
    const handled = this.handledSoon.splice(0);
    if (kept.length === 0 && handled.length === 0) return marks.length ? this.insert(marks) : new Set();
    for (const k of kept) this.written.add(keyOf(k));
    try {
      const fresh = await this.db.transaction().execute(async (trx) => {
        const fresh = marks.length ? await this.insert(marks, trx) : new Set<string>();
        if (kept.length)
          await trx.executeQuery(
            CompiledQuery.raw(
              this.sqlOf("keep", kept.length),
              kept.flatMap(({ workspace, eventId, event }) => [
                workspace,
                eventId,
                event.payload(),
                event.receivedAt.toISOString(),
                event.holder,
                event.until().toISOString(),
              ]),
            ),
          );
        if (handled.length)
          await trx.executeQuery(
            CompiledQuery.raw(
              this.sqlOf("let go", handled.length),
              handled.flatMap((h) => [h.workspace, h.eventId]),
            ),
          );
        return fresh;
      });
      return fresh;
    } catch (err) {
      // Tried again with the next batch; an event handled meanwhile was never written: nothing to do.
      for (const k of kept) {
        const key = keyOf(k);
        if (this.written.delete(key)) this.keepSoon.set(key, k);
        else this.handledSoon = this.handledSoon.filter((h) => keyOf(h) !== key);
      }
      this.handledSoon.unshift(...handled);
      throw err;
    }
  }

  /** Inserts the marks; answers the ones that were new, as `workspace\0eventId`. */
  private async insert(
    marks: Pick<PendingMark, "workspace" | "eventId" | "at">[],
    db: Kysely<Database> = this.db,
  ): Promise<Set<string>> {
    // In one order on every replica: two PostgreSQL batches holding the same ids (Slack's retry of an
    // event, delivered to another replica) in opposite orders each waited for the other (deadlock, 40P01).
    const ordered = marks.length > 1 ? [...marks].sort(byKey) : marks;
    const parameters = ordered.flatMap((m) => [m.workspace, m.eventId, m.at]);
    const { rows } = await db.executeQuery<{ workspace: string; event_id: string }>(
      CompiledQuery.raw(this.sqlOf("mark", marks.length), parameters),
    );
    // A row comes back for each id that was new.
    return new Set(rows.map((r) => `${r.workspace}\u0000${r.event_id}`));
  }

  /**
   * The statements of a batch, compiled once per kind and size: building them with the query builder
   * on every event cost about as much as running them. Parameters go row by row, in column order.
   */
  private sqlOf(kind: "mark" | "keep" | "let go", rows: number): string {
    const cacheKey = `${kind} ${rows}`;
    let text = this.sqlByKindAndSize.get(cacheKey);
    if (!text) {
      text = this.compile(kind, rows);
      this.sqlByKindAndSize.set(cacheKey, text);
    }
    return text;
  }

  private compile(kind: "mark" | "keep" | "let go", rows: number): string {
    const many = <T>(row: T) => Array.from({ length: rows }, () => row);
    if (kind === "mark")
      return this.db
        .insertInto("processed_events")
        .values(many({ workspace: "", event_id: "", seen_at: "" }))
        .onConflict((oc) => oc.columns(["workspace", "event_id"]).doNothing())
        .returning(["workspace", "event_id"])
        .compile().sql;
    if (kind === "keep")
      return this.db
        .insertInto("event_inbox")
        .values(
          many({
            workspace: "",
            event_id: "",
            payload: "",
            received_at: "",
            claimed_by: "",
            claimed_until: "",
          }),
        )
        .compile().sql;
    return this.db
      .deleteFrom("event_inbox")
      .where((eb) => eb.or(many(eb.and([eb("workspace", "=", ""), eb("event_id", "=", "")]))))
      .compile().sql;
  }

  async purge(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom("processed_events")
      .where("seen_at", "<", before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** One event's key in the batches' maps. */
function keyOf(event: { workspace: string; eventId: string }): string {
  return `${event.workspace}\u0000${event.eventId}`;
}

export class SqlSettingsStore implements SettingsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get<T>(workspace: string, scope: string, key: string): Promise<T | undefined> {
    const row = await this.db
      .selectFrom("settings")
      .select("value")
      .where("workspace", "=", workspace)
      .where("scope", "=", scope)
      .where("key", "=", key)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async set(workspace: string, scope: string, key: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    await this.db
      .insertInto("settings")
      .values({ workspace, scope, key, value: json })
      .onConflict((oc) => oc.columns(["workspace", "scope", "key"]).doUpdateSet({ value: json }))
      .execute();
  }

  async delete(workspace: string, scope: string, key: string): Promise<void> {
    await this.db
      .deleteFrom("settings")
      .where("workspace", "=", workspace)
      .where("scope", "=", scope)
      .where("key", "=", key)
      .execute();
  }
}
