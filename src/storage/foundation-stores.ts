/** Query-layer implementations of the foundation stores (src/core/stores.ts), for SQLite and PostgreSQL. */
import { CompiledQuery, type Kysely, sql } from "kysely";
import type {
  ClaimStore,
  EventInbox,
  KeptEvent,
  ProcessedEventStore,
  SettingsStore,
} from "../core/stores.js";
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
    const result = await this.db
      .deleteFrom("claims")
      // substr rather than LIKE: keys contain `_`, and SQLite's LIKE has no default escape character.
      .where(sql<string>`substr(key, 1, ${prefix.length})`, "=", prefix)
      .where("claimed_at", "<", before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** Ids asked about in one turn of the event loop, written together. */
interface PendingMark {
  workspace: string;
  eventId: string;
  at: string;
  keep?: KeptEvent;
  settle(first: boolean | Error): void;
}

/** Rows per statement: three parameters each, well under SQLite's limit of 32,766. */
const MAX_BATCH = 500;

/**
 * Marks are written in batches: the ids asked about while a batch gathers go into one multi-row insert
 * (one commit), so a burst of events costs one write, not one each. A batch gathers for one turn of
 * the event loop, or for `gatherMs` when the caller can wait that long (Slack has its acknowledgement
 * already; Matrix marks events one after another and cannot).
 */
export class SqlProcessedEventStore implements ProcessedEventStore, EventInbox {
  private pending: PendingMark[] = [];
  private readonly insertSqlBySize = new Map<number, string>();
  /** Events whose handling ended, to delete from the inbox with the next batch. */
  private handledSoon: { workspace: string; eventId: string }[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: { gatherMs?: number } = {},
  ) {}

  markProcessed(workspace: string, eventId: string, at: Date, keep?: KeptEvent): Promise<boolean> {
    // In a transaction with what the event leads to: written in it, alone, not in a batch that
    // others' marks would join (and be undone with, should it roll back).
    if (insideTransactionScope()) {
      if (keep) throw new Error("an event is kept by a batch of its own, outside any transaction");
      return this.insert([{ workspace, eventId, at: at.toISOString() }]).then((fresh) => fresh.size > 0);
    }
    return new Promise((resolve, reject) => {
      const settle = (first: boolean | Error) => (first instanceof Error ? reject(first) : resolve(first));
      this.pending.push({ workspace, eventId, at: at.toISOString(), keep, settle });
      if (this.pending.length === 1) this.flushSoon();
    });
  }

  handled(workspace: string, eventId: string): Promise<void> {
    this.handledSoon.push({ workspace, eventId });
    if (this.handledSoon.length === 1 && this.pending.length === 0) this.flushSoon();
    return Promise.resolve();
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
    return rows
      .sort((a, b) => a.received_at.localeCompare(b.received_at))
      .map((r) => ({ workspace: r.workspace, eventId: r.event_id, payload: r.payload }));
  }

  private flushSoon(): void {
    const gatherMs = this.options.gatherMs ?? 0;
    if (gatherMs > 0) setTimeout(() => void this.flush(), gatherMs);
    else setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, MAX_BATCH);
    if (this.pending.length > 0) setImmediate(() => void this.flush());
    try {
      const fresh = await this.write(batch);
      // An id twice in one batch is new only the first time.
      for (const m of batch) m.settle(fresh.delete(`${m.workspace}\u0000${m.eventId}`));
    } catch (err) {
      for (const m of batch) m.settle(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Inserts the marks, keeps the events of new marks that ask to be kept, and lets go of the events
   * handled since the last batch, in one commit; answers the marks that were new.
   */
  private async write(marks: PendingMark[]): Promise<Set<string>> {
    const handled = this.handledSoon.splice(0);
    if (!marks.some((m) => m.keep) && handled.length === 0)
      return marks.length ? this.insert(marks) : new Set();
    try {
      return await this.db.transaction().execute(async (trx) => {
        const fresh = marks.length ? await this.insert(marks, trx) : new Set<string>();
        // An id twice in one batch is kept once.
        const keys = new Set<string>();
        const kept = marks.filter((m) => {
          const key = `${m.workspace}\u0000${m.eventId}`;
          if (!m.keep || !fresh.has(key) || keys.has(key)) return false;
          keys.add(key);
          return true;
        });
        if (kept.length)
          await trx
            .insertInto("event_inbox")
            .values(
              kept.map((m) => ({
                workspace: m.workspace,
                event_id: m.eventId,
                payload: m.keep!.payload,
                received_at: m.at,
                claimed_by: m.keep!.holder,
                claimed_until: m.keep!.until.toISOString(),
              })),
            )
            .execute();
        for (const [workspace, ids] of groupByWorkspace(handled))
          await trx
            .deleteFrom("event_inbox")
            .where("workspace", "=", workspace)
            .where("event_id", "in", ids)
            .execute();
        return fresh;
      });
    } catch (err) {
      // Let go of with the next batch: an event handled stays handled.
      this.handledSoon.unshift(...handled);
      throw err;
    }
  }

  /** Inserts the marks; answers the ones that were new, as `workspace\0eventId`. */
  private async insert(
    marks: Pick<PendingMark, "workspace" | "eventId" | "at">[],
    db: Kysely<Database> = this.db,
  ): Promise<Set<string>> {
    const parameters = marks.flatMap((m) => [m.workspace, m.eventId, m.at]);
    const { rows } = await db.executeQuery<{ workspace: string; event_id: string }>(
      CompiledQuery.raw(this.insertSql(marks.length), parameters),
    );
    // A row comes back for each id that was new.
    return new Set(rows.map((r) => `${r.workspace}\u0000${r.event_id}`));
  }

  /**
   * The insert of `rows` marks, compiled once per batch size: building it with the query builder on
   * every event cost about as much as running it. Parameters go row by row: workspace, event id, time.
   */
  private insertSql(rows: number): string {
    let text = this.insertSqlBySize.get(rows);
    if (!text) {
      const row = { workspace: "", event_id: "", seen_at: "" };
      text = this.db
        .insertInto("processed_events")
        .values(Array.from({ length: rows }, () => row))
        .onConflict((oc) => oc.columns(["workspace", "event_id"]).doNothing())
        .returning(["workspace", "event_id"])
        .compile().sql;
      this.insertSqlBySize.set(rows, text);
    }
    return text;
  }

  async purge(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom("processed_events")
      .where("seen_at", "<", before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function groupByWorkspace(events: { workspace: string; eventId: string }[]): Map<string, string[]> {
  const ids = new Map<string, string[]>();
  for (const e of events) ids.set(e.workspace, [...(ids.get(e.workspace) ?? []), e.eventId]);
  return ids;
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
