/** The NudgeStore (src/core/nudges/store.ts) over the query layer, for SQLite and PostgreSQL. */
import type { Kysely, Transaction } from "kysely";
import type { DeliveryDecision, DeliveryRequest, Mute, NudgeStore } from "../core/nudges/store.js";
import type { WorkingHours } from "../core/nudges/working-hours.js";
import { dialectOf } from "./dialect.js";
import type { Database } from "./schema.js";

/**
 * better-sqlite3 is synchronous: when two connections of ONE process interleave transactions, the
 * second waits for the lock inside the busy handler, blocking the event loop the first one needs
 * to commit. So this process runs its SQLite delivery transactions one at a time; other processes
 * are kept apart by SQLite's own locking.
 */
let sqliteQueue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = sqliteQueue.then(task, task);
  sqliteQueue = run.catch(() => undefined);
  return run;
}

export class SqlNudgeStore implements NudgeStore {
  private readonly sqlite: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.sqlite = dialectOf(db) === "sqlite";
  }

  async recordDelivery(request: DeliveryRequest): Promise<DeliveryDecision> {
    return this.sqlite ? oneAtATime(() => this.deliver(request)) : this.deliver(request);
  }

  private async deliver(request: DeliveryRequest): Promise<DeliveryDecision> {
    const trx = await this.db.startTransaction().execute();
    try {
      for (const r of request.recipients) {
        const reason = !(await this.takeCooldown(trx, request, r.user))
          ? "cooldown"
          : !(await this.takeSlot(trx, request, r.user, r.day))
            ? "cap"
            : undefined;
        if (reason) {
          // One recipient cannot take it: nobody gets it, and nothing is recorded.
          await trx.rollback().execute();
          return { ok: false, reason, user: r.user };
        }
      }
      await trx.commit().execute();
      return { ok: true };
    } catch (err) {
      if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute();
      throw err;
    }
  }

  /** Moves the person's last time for this kind to now, unless it is within the cooldown. */
  private async takeCooldown(trx: Transaction<Database>, q: DeliveryRequest, user: string): Promise<boolean> {
    const at = q.at.toISOString();
    const threshold = new Date(q.at.getTime() - q.cooldownMinutes * 60_000).toISOString();
    // One atomic statement on both databases: of two processes, only one inserts or moves it.
    const taken = await trx
      .insertInto("nudge_cooldowns")
      .values({ workspace: q.workspace, user_id: user, kind: q.kind, last_at: at })
      .onConflict((oc) =>
        oc
          .columns(["workspace", "user_id", "kind"])
          .doUpdateSet({ last_at: at })
          .where((eb) =>
            q.cooldownMinutes > 0 ? eb("nudge_cooldowns.last_at", "<=", threshold) : eb.lit(true),
          ),
      )
      .executeTakeFirst();
    return Number(taken.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Takes the first free slot of the day; none left means the cap is reached. */
  private async takeSlot(
    trx: Transaction<Database>,
    q: DeliveryRequest,
    user: string,
    day: string,
  ): Promise<boolean> {
    const used = await trx
      .selectFrom("nudge_deliveries")
      .select("slot")
      .where("workspace", "=", q.workspace)
      .where("user_id", "=", user)
      .where("day", "=", day)
      .execute();
    const taken = new Set(used.map((r) => Number(r.slot)));
    for (let slot = 1; slot <= q.dailyCap; slot++) {
      if (taken.has(slot)) continue;
      const inserted = await trx
        .insertInto("nudge_deliveries")
        .values({
          workspace: q.workspace,
          user_id: user,
          day,
          slot,
          kind: q.kind,
          delivered_at: q.at.toISOString(),
          about: q.about ?? null,
        })
        .onConflict((oc) => oc.columns(["workspace", "user_id", "day", "slot"]).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
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
    const rows = await this.db
      .selectFrom("nudge_mutes")
      .select(["kind", "until"])
      .where("workspace", "=", workspace)
      .where("user_id", "=", user)
      .where((eb) => eb.or([eb("until", "is", null), eb("until", ">", at.toISOString())]))
      .execute();
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
    const cutoff = before.toISOString();
    let n = 0;
    n += Number(
      (await this.db.deleteFrom("nudge_feedback").where("marked_at", "<", cutoff).executeTakeFirst())
        .numDeletedRows,
    );
    n += Number(
      (await this.db.deleteFrom("nudge_deliveries").where("delivered_at", "<", cutoff).executeTakeFirst())
        .numDeletedRows,
    );
    n += Number(
      (await this.db.deleteFrom("nudge_cooldowns").where("last_at", "<", cutoff).executeTakeFirst())
        .numDeletedRows,
    );
    n += Number(
      (await this.db.deleteFrom("nudge_pairs").where("claimed_at", "<", cutoff).executeTakeFirst())
        .numDeletedRows,
    );
    n += Number(
      (
        await this.db
          .deleteFrom("nudge_mutes")
          .where("until", "is not", null)
          .where("until", "<", cutoff)
          .executeTakeFirst()
      ).numDeletedRows,
    );
    return n;
  }
}
