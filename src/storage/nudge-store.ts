/** The NudgeStore (src/core/nudges/store.ts) over the query layer, for SQLite and PostgreSQL. */
import type { Kysely, QueryResult, Transaction } from "kysely";
import type { DeliveryDecision, DeliveryRequest, Mute, NudgeStore } from "../core/nudges/store.js";
import type { WorkingHours } from "../core/nudges/working-hours.js";
import { dialectOf } from "./dialect.js";
import { type Param, PreparedSql } from "./prepared.js";
import { withTransaction } from "./resilient-driver.js";
import type { Database } from "./schema.js";
import { insideTransactionScope } from "./transaction-scope.js";

/**
 * better-sqlite3 is synchronous: when two connections of ONE process interleave transactions, the
 * second waits for the lock inside the busy handler, blocking the event loop the first one needs
 * to commit. So this process runs its SQLite delivery transactions one at a time; other processes
 * are kept apart by SQLite's own locking.
 *
 * Not inside an open transaction (`atomically`, as a nudge's delivery is): there the work runs on
 * the transaction's connection, which it already holds, and waiting in the queue could wait for
 * ever: a purge queued meanwhile by a timer waits for that same connection.
 */
let sqliteQueue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  if (insideTransactionScope()) return task();
  const run = sqliteQueue.then(task, task);
  sqliteQueue = run.catch(() => undefined);
  return run;
}

/**
 * Thrown to roll a refused delivery back: made once, so no stack is captured per refusal. A callback
 * transaction, not Kysely's `startTransaction()`, whose bookkeeping cost more than the delivery's SQL
 * (55 against 23 µs of CPU for a transaction around one statement).
 */
const ROLLBACK = new Error("nudge delivery refused: rolled back");

export class SqlNudgeStore implements NudgeStore {
  private readonly sqlite: boolean;
  // The statements of every delivery, built once (building them cost more than running them).
  private readonly takeCooldownSql: PreparedSql<"workspace" | "user" | "kind" | "at" | "threshold">;
  private readonly takeCooldownAlwaysSql: PreparedSql<"workspace" | "user" | "kind" | "at">;
  private readonly usedSlotsSql: PreparedSql<"workspace" | "user" | "day">;
  private readonly insertSlotSql: PreparedSql<
    "workspace" | "user" | "day" | "slot" | "kind" | "at" | "about"
  >;
  private readonly mutesSql: PreparedSql<"workspace" | "user" | "at">;
  /** The purge's deletes, one per table (a replay's virtual day comes every 40 messages or so). */
  private readonly purgeSql: PreparedSql<"cutoff">[];

  constructor(private readonly db: Kysely<Database>) {
    this.sqlite = dialectOf(db) === "sqlite";
    // One atomic statement on both databases: of two processes, only one inserts or moves it.
    const takeCooldown = (p: Param, cooled: boolean) =>
      db
        .insertInto("nudge_cooldowns")
        .values({ workspace: p("workspace"), user_id: p("user"), kind: p("kind"), last_at: p("at") })
        .onConflict((oc) =>
          oc
            .columns(["workspace", "user_id", "kind"])
            .doUpdateSet({ last_at: p("at") })
            .where((eb) =>
              cooled ? eb("nudge_cooldowns.last_at", "<=", p<string>("threshold")) : eb.lit(true),
            ),
        );
    this.takeCooldownSql = new PreparedSql((p) => takeCooldown(p, true));
    this.takeCooldownAlwaysSql = new PreparedSql((p) => takeCooldown(p, false));
    this.usedSlotsSql = new PreparedSql((p) =>
      db
        .selectFrom("nudge_deliveries")
        .select("slot")
        .where("workspace", "=", p<string>("workspace"))
        .where("user_id", "=", p<string>("user"))
        .where("day", "=", p<string>("day")),
    );
    this.insertSlotSql = new PreparedSql((p) =>
      db
        .insertInto("nudge_deliveries")
        .values({
          workspace: p("workspace"),
          user_id: p("user"),
          day: p("day"),
          slot: p("slot"),
          kind: p("kind"),
          delivered_at: p("at"),
          about: p("about"),
        })
        .onConflict((oc) => oc.columns(["workspace", "user_id", "day", "slot"]).doNothing()),
    );
    this.mutesSql = new PreparedSql((p) =>
      db
        .selectFrom("nudge_mutes")
        .select(["kind", "until"])
        .where("workspace", "=", p<string>("workspace"))
        .where("user_id", "=", p<string>("user"))
        .where((eb) => eb.or([eb("until", "is", null), eb("until", ">", p<string>("at"))])),
    );
    this.purgeSql = [
      new PreparedSql((p) => db.deleteFrom("nudge_feedback").where("marked_at", "<", p<string>("cutoff"))),
      new PreparedSql((p) =>
        db.deleteFrom("nudge_deliveries").where("delivered_at", "<", p<string>("cutoff")),
      ),
      new PreparedSql((p) => db.deleteFrom("nudge_cooldowns").where("last_at", "<", p<string>("cutoff"))),
      new PreparedSql((p) => db.deleteFrom("nudge_pairs").where("claimed_at", "<", p<string>("cutoff"))),
      new PreparedSql((p) =>
        db.deleteFrom("nudge_mutes").where("until", "is not", null).where("until", "<", p<string>("cutoff")),
      ),
    ];
  }

  async recordDelivery(request: DeliveryRequest): Promise<DeliveryDecision> {
    return this.sqlite ? oneAtATime(() => this.deliver(request)) : this.deliver(request);
  }

  private async deliver(request: DeliveryRequest): Promise<DeliveryDecision> {
    let refused: DeliveryDecision | undefined;
    try {
      await withTransaction(this.db, async (trx) => {
        refused = undefined;
        for (const r of request.recipients) {
          const reason = !(await this.takeCooldown(trx, request, r.user))
            ? "cooldown"
            : !(await this.takeSlot(trx, request, r.user, r.day))
              ? "cap"
              : undefined;
          if (reason) {
            // One recipient cannot take it: nobody gets it, and nothing is recorded.
            refused = { ok: false, reason, user: r.user };
            throw ROLLBACK;
          }
        }
      });
      return { ok: true };
    } catch (err) {
      if (err === ROLLBACK && refused) return refused;
      throw err;
    }
  }

  /** Moves the person's last time for this kind to now, unless it is within the cooldown. */
  private async takeCooldown(trx: Transaction<Database>, q: DeliveryRequest, user: string): Promise<boolean> {
    const values = { workspace: q.workspace, user, kind: q.kind, at: q.at.toISOString() };
    const statement =
      q.cooldownMinutes > 0
        ? this.takeCooldownSql.with({
            ...values,
            threshold: new Date(q.at.getTime() - q.cooldownMinutes * 60_000).toISOString(),
          })
        : this.takeCooldownAlwaysSql.with(values);
    return changedRows(await trx.executeQuery(statement)) > 0;
  }

  /** Takes the first free slot of the day; none left means the cap is reached. */
  private async takeSlot(
    trx: Transaction<Database>,
    q: DeliveryRequest,
    user: string,
    day: string,
  ): Promise<boolean> {
    const { rows } = await trx.executeQuery<{ slot: number }>(
      this.usedSlotsSql.with({ workspace: q.workspace, user, day }),
    );
    const taken = new Set(rows.map((r) => Number(r.slot)));
    for (let slot = 1; slot <= q.dailyCap; slot++) {
      if (taken.has(slot)) continue;
      const inserted = await trx.executeQuery(
        this.insertSlotSql.with({
          workspace: q.workspace,
          user,
          day,
          slot,
          kind: q.kind,
          at: q.at.toISOString(),
          about: q.about ?? null,
        }),
      );
      if (changedRows(inserted) > 0) return true;
    }
    return false;
  }

  async deliveredOn(workspace: string, user: string, day: string): Promise<number> {
    const row = await this.db
      .selectFrom("nudge_deliveries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("workspace", "=", workspace)
      .where("user_id", "=", user)
      .where("day", "=", day)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async mute(workspace: string, user: string, mute: Mute): Promise<void> {
    const until = mute.until?.toISOString() ?? null;
    await this.db
      .insertInto("nudge_mutes")
      .values({ workspace, user_id: user, kind: mute.kind, until, created_at: new Date().toISOString() })
      .onConflict((oc) => oc.columns(["workspace", "user_id", "kind"]).doUpdateSet({ until }))
      .execute();
  }

  async unmute(workspace: string, user: string, kind?: string): Promise<number> {
    let q = this.db.deleteFrom("nudge_mutes").where("workspace", "=", workspace).where("user_id", "=", user);
    if (kind) q = q.where("kind", "=", kind);
    const result = await q.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async mutes(workspace: string, user: string, at: Date): Promise<Mute[]> {
    const { rows } = await this.db.executeQuery<{ kind: string; until: string | null }>(
      this.mutesSql.with({ workspace, user, at: at.toISOString() }),
    );
    return rows.map((r) => (r.until ? { kind: r.kind, until: new Date(r.until) } : { kind: r.kind }));
  }

  async setHours(workspace: string, user: string, hours: WorkingHours): Promise<void> {
    const values = { start_time: hours.start, end_time: hours.end, days: hours.days.join(",") };
    await this.db
      .insertInto("nudge_hours")
      .values({ workspace, user_id: user, ...values })
      .onConflict((oc) => oc.columns(["workspace", "user_id"]).doUpdateSet(values))
      .execute();
  }

  async hours(workspace: string, user: string): Promise<WorkingHours | undefined> {
    const row = await this.db
      .selectFrom("nudge_hours")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("user_id", "=", user)
      .executeTakeFirst();
    return row
      ? { start: row.start_time, end: row.end_time, days: row.days.split(",").map(Number) }
      : undefined;
  }

  async claimPair(
    workspace: string,
    kind: string,
    people: readonly string[],
    day: string,
    at: Date,
  ): Promise<boolean> {
    const result = await this.db
      .insertInto("nudge_pairs")
      .values({
        workspace,
        kind,
        people: [...new Set(people)].sort().join(","),
        day,
        claimed_at: at.toISOString(),
      })
      .onConflict((oc) => oc.columns(["workspace", "kind", "people", "day"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async lastDelivery(workspace: string, user: string): Promise<{ kind: string; at: Date } | undefined> {
    const row = await this.db
      .selectFrom("nudge_deliveries")
      .select(["kind", "delivered_at"])
      .where("workspace", "=", workspace)
      .where("user_id", "=", user)
      .orderBy("delivered_at", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? { kind: row.kind, at: new Date(row.delivered_at) } : undefined;
  }

  async markUnhelpful(workspace: string, user: string, kind: string, at: Date): Promise<void> {
    await this.db
      .insertInto("nudge_feedback")
      .values({ workspace, user_id: user, kind, marked_at: at.toISOString() })
      .onConflict((oc) => oc.columns(["workspace", "user_id", "kind", "marked_at"]).doNothing())
      .execute();
  }

  async unhelpfulSince(workspace: string, user: string, kind: string, since: Date): Promise<number> {
    const row = await this.db
      .selectFrom("nudge_feedback")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("workspace", "=", workspace)
      .where("user_id", "=", user)
      .where("kind", "=", kind)
      .where("marked_at", ">=", since.toISOString())
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async unhelpfulCounts(workspace?: string): Promise<Map<string, number>> {
    let q = this.db
      .selectFrom("nudge_feedback")
      .select((eb) => ["kind", eb.fn.countAll<number>().as("n")])
      .groupBy("kind");
    if (workspace !== undefined) q = q.where("workspace", "=", workspace);
    const rows = await q.execute();
    return new Map(rows.map((r) => [r.kind, Number(r.n)]));
  }

  async purge(before: Date): Promise<number> {
    // One commit for the five tables, not one each (a replay purges once a virtual day, every 40
    // messages); a transaction, so on SQLite one at a time like the deliveries.
    return this.sqlite ? oneAtATime(() => this.purgeTables(before)) : this.purgeTables(before);
  }

  private purgeTables(before: Date): Promise<number> {
    const cutoff = before.toISOString();
    return withTransaction(this.db, async (trx) => {
      let n = 0;
      for (const statement of this.purgeSql)
        n += changedRows(await trx.executeQuery(statement.with({ cutoff })));
      return n;
    });
  }
}

/** Rows an insert or update changed, as both drivers report it. */
function changedRows(result: QueryResult<unknown>): number {
  return Number(result.numAffectedRows ?? 0);
}
