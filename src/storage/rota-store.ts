/** The rota store (src/core/rota/store.ts) over the query layer: one implementation for SQLite and PostgreSQL. */
import { CompiledQuery, type Kysely, type Selectable } from "kysely";
import type { RoomKind } from "../core/model.js";
import type { AwayRange } from "../core/rota/schedule.js";
import type {
  LateAnnouncement,
  PendingQuestion,
  Rota,
  RotaState,
  RotaStore,
  Turn,
} from "../core/rota/store.js";
import { withTransaction } from "./resilient-driver.js";
import type { RotaTables } from "./rota-tables.js";
import type { Database } from "./schema.js";
import { insideTransactionScope } from "./transaction-scope.js";

export interface RotaStoreOptions {
  /** Changes whenever another connection committed (DatabaseHandle.externalChanges); absent: unknown. */
  externalChanges?: () => number;
}

/** Writes to `rotas` made through each query layer, so every store on a connection sees the others'. */
const rotaWrites = new WeakMap<object, { count: number }>();

/** When the table last read as unchanged since `since`, and what had written to the database by then. */
interface NothingChanged {
  since: number;
  writes: number;
  external: number;
  /** When (real time, ms) another connection's commits were last asked about. */
  askedAt: number;
}

/**
 * Another connection's commits are asked about at most this often (real time). A replica re-syncs
 * once a minute, so this only matters in a replay, whose virtual minutes pass in microseconds.
 */
const EXTERNAL_CHANGES_EVERY_MS = 1000;

export class SqlRotaStore implements RotaStore {
  private changedSinceSql: string | undefined;
  private readonly writes: { count: number };
  private nothingChanged: NothingChanged | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: RotaStoreOptions = {},
  ) {
    const writes = rotaWrites.get(db) ?? { count: 0 };
    rotaWrites.set(db, writes);
    this.writes = writes;
  }

  async getRota(workspace: string, room: string): Promise<Rota | undefined> {
    const row = await this.db
      .selectFrom("rotas")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .executeTakeFirst();
    return row ? toRota(row) : undefined;
  }

  async listRotas(): Promise<Rota[]> {
    const rows = await this.db.selectFrom("rotas").selectAll().orderBy("workspace").orderBy("room").execute();
    return rows.map(toRota);
  }

  async rotaState(workspace: string, room: string): Promise<RotaState | undefined> {
    const [rota, members, away] = await Promise.all([
      this.getRota(workspace, room),
      this.memberRows().where("workspace", "=", workspace).where("room", "=", room).execute(),
      this.awayRows().where("workspace", "=", workspace).where("room", "=", room).execute(),
    ]);
    return rota ? statesOf([rota], members, away)[0] : undefined;
  }

  async listRotaStates(): Promise<RotaState[]> {
    // Three queries for any number of rotas.
    const [rotas, members, away] = await Promise.all([
      this.listRotas(),
      this.memberRows().execute(),
      this.awayRows().execute(),
    ]);
    return statesOf(rotas, members, away);
  }

  /** Members with their left-the-room mark, each rota's in queue order. */
  private memberRows() {
    return this.db
      .selectFrom("rota_members")
      .select(["workspace", "room", "member", "left_at"])
      .orderBy("workspace")
      .orderBy("room")
      .orderBy("position");
  }

  /** Absences, each rota's in the order awayRanges gives them. */
  private awayRows() {
    return this.db
      .selectFrom("rota_away")
      .selectAll()
      .orderBy("workspace")
      .orderBy("room")
      .orderBy("from_date")
      .orderBy("member");
  }

  async saveRota(rota: Rota): Promise<void> {
    const values = {
      workspace: rota.workspace,
      room: rota.room,
      room_name: rota.roomName,
      room_kind: rota.roomKind,
      time: rota.time,
      zone: rota.zone,
      days: rota.days.join(","),
      holidays: rota.holidays,
      paused: rota.paused ? 1 : 0,
      late_announcement: rota.lateAnnouncement,
      created_by: rota.createdBy,
      updated_at: rota.updatedAt.toISOString(),
      changed_at: rota.updatedAt.toISOString(),
    };
    const { workspace: _w, room: _r, ...changes } = values;
    await this.writingRotas(() =>
      this.db
        .insertInto("rotas")
        .values(values)
        .onConflict((oc) => oc.columns(["workspace", "room"]).doUpdateSet(changes))
        .execute(),
    );
  }

  async touchRota(workspace: string, room: string, at: Date): Promise<void> {
    await this.writingRotas(() =>
      this.db
        .updateTable("rotas")
        .set({ changed_at: at.toISOString() })
        .where("workspace", "=", workspace)
        .where("room", "=", room)
        .execute(),
    );
  }

  /** Counted before and after: a read that overlaps the write in any way is not taken as current. */
  private async writingRotas(write: () => Promise<unknown>): Promise<void> {
    this.writes.count++;
    try {
      await write();
    } finally {
      this.writes.count++;
    }
  }

  async rotasChangedSince(since: Date): Promise<{ workspace: string; room: string }[]> {
    // Every replica asks this once a minute, also each virtual minute of a long replay (a fifth of the
    // messages). When it last found nothing changed since an earlier time, and neither this process
    // nor another connection has written since, it would find nothing again: no query. Not inside a
    // transaction, whose writes may yet be rolled back.
    const externalChanges = this.options.externalChanges;
    const reading = externalChanges && !insideTransactionScope();
    let before: NothingChanged | undefined;
    if (reading) {
      const last = this.nothingChanged;
      const askedAt = performance.now();
      const unchangedHere = last && last.since <= since.getTime() && last.writes === this.writes.count;
      if (unchangedHere && askedAt - last.askedAt < EXTERNAL_CHANGES_EVERY_MS) return [];
      before = { since: since.getTime(), writes: this.writes.count, external: externalChanges(), askedAt };
      if (unchangedHere && last.external === before.external) {
        this.nothingChanged = { ...before, since: last.since };
        return [];
      }
    }
    // Build the SQL once and only bind the time (less than half the cost of building it each call).
    this.changedSinceSql ??= this.db
      .selectFrom("rotas")
      .select(["workspace", "room"])
      // ISO-8601 UTC text sorts as time does; the rotas_changed index keeps this cheap with many rotas.
      .where("changed_at", ">=", "")
      .orderBy("workspace")
      .orderBy("room")
      .compile().sql;
    const result = await this.db.executeQuery<{ workspace: string; room: string }>(
      CompiledQuery.raw(this.changedSinceSql, [since.toISOString()]),
    );
    if (before) this.nothingChanged = result.rows.length === 0 ? before : undefined;
    return result.rows;
  }

  async members(workspace: string, room: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("rota_members")
      .select("member")
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .orderBy("position")
      .execute();
    return rows.map((r) => r.member);
  }

  async setMembers(workspace: string, room: string, queue: readonly string[]): Promise<void> {
    await withTransaction(this.db, async (tx) => {
      const existing = await tx
        .selectFrom("rota_members")
        .select(["member", "left_at"])
        .where("workspace", "=", workspace)
        .where("room", "=", room)
        .execute();
      const leftAt = new Map(existing.map((r) => [r.member, r.left_at]));
      await tx
        .deleteFrom("rota_members")
        .where("workspace", "=", workspace)
        .where("room", "=", room)
        .execute();
      if (queue.length === 0) return;
      await tx
        .insertInto("rota_members")
        .values(
          queue.map((member, position) => ({
            workspace,
            room,
            member,
            position,
            left_at: leftAt.get(member) ?? null,
          })),
        )
        .execute();
    });
  }

  async markLeft(workspace: string, room: string, member: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable("rota_members")
      .set({ left_at: at.toISOString() })
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .where("member", "=", member)
      .where("left_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async markPresent(workspace: string, room: string, member: string): Promise<void> {
    await this.db
      .updateTable("rota_members")
      .set({ left_at: null })
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .where("member", "=", member)
      .execute();
  }

  async leftMembers(workspace: string, room: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("rota_members")
      .select("member")
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .where("left_at", "is not", null)
      .orderBy("position")
      .execute();
    return rows.map((r) => r.member);
  }

  async addAway(workspace: string, room: string, range: AwayRange): Promise<void> {
    await this.db
      .insertInto("rota_away")
      .values({ workspace, room, member: range.member, from_date: range.from, to_date: range.to })
      .onConflict((oc) =>
        oc.columns(["workspace", "room", "member", "from_date"]).doUpdateSet({ to_date: range.to }),
      )
      .execute();
  }

  async awayRanges(workspace: string, room: string): Promise<AwayRange[]> {
    const rows = await this.db
      .selectFrom("rota_away")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .orderBy("from_date")
      .orderBy("member")
      .execute();
    return rows.map((r) => ({ member: r.member, from: r.from_date, to: r.to_date }));
  }

  async endAway(workspace: string, room: string, member: string, today: string): Promise<number> {
    const result = await this.db
      .deleteFrom("rota_away")
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .where("member", "=", member)
      .where("to_date", ">=", today)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async recordTurn(workspace: string, room: string, turn: Turn): Promise<void> {
    const changes = {
      responder: turn.responder,
      announced_at: turn.announcedAt.toISOString(),
      late: turn.late ? 1 : 0,
      skipped: JSON.stringify(turn.skipped),
    };
    await this.db
      .insertInto("rota_turns")
      .values({ workspace, room, local_date: turn.date, ...changes })
      .onConflict((oc) => oc.columns(["workspace", "room", "local_date"]).doUpdateSet(changes))
      .execute();
  }

  async turnOn(workspace: string, room: string, date: string): Promise<Turn | undefined> {
    const row = await this.db
      .selectFrom("rota_turns")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .where("local_date", "=", date)
      .executeTakeFirst();
    return row ? toTurn(row) : undefined;
  }

  async recentTurns(workspace: string, room: string, limit: number): Promise<Turn[]> {
    const rows = await this.db
      .selectFrom("rota_turns")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .orderBy("local_date", "desc")
      .limit(limit)
      .execute();
    return rows.map(toTurn);
  }

  async turnCounts(workspace: string, room: string, fromDate: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom("rota_turns")
      .select(["responder", (eb) => eb.fn.countAll<string | number>().as("turns")])
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .where("local_date", ">=", fromDate)
      .groupBy("responder")
      .execute();
    // PostgreSQL returns count(*) as a bigint string, SQLite as a number.
    return new Map(rows.map((r) => [r.responder, Number(r.turns)]));
  }

  async addQuestion(q: PendingQuestion): Promise<void> {
    await this.db
      .insertInto("rota_questions")
      .values({
        workspace: q.workspace,
        room: q.room,
        message_id: q.messageId,
        asker: q.asker,
        asked_at: q.askedAt.toISOString(),
        due_at: q.dueAt.toISOString(),
        answered_at: q.answeredAt?.toISOString() ?? null,
        nudged_at: q.nudgedAt?.toISOString() ?? null,
      })
      .onConflict((oc) => oc.columns(["workspace", "room", "message_id"]).doNothing())
      .execute();
  }

  async getQuestion(
    workspace: string,
    room: string,
    messageId: string,
  ): Promise<PendingQuestion | undefined> {
    const row = await this.db
      .selectFrom("rota_questions")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .where("message_id", "=", messageId)
      .executeTakeFirst();
    return row ? toQuestion(row) : undefined;
  }

  async markAnswered(workspace: string, room: string, messageId: string, at: Date): Promise<void> {
    await this.db
      .updateTable("rota_questions")
      .set({ answered_at: at.toISOString() })
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .where("message_id", "=", messageId)
      .where("answered_at", "is", null)
      .execute();
  }

  async markNudged(workspace: string, room: string, messageId: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable("rota_questions")
      .set({ nudged_at: at.toISOString() })
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .where("message_id", "=", messageId)
      .where("nudged_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async questionsAwaitingNudge(): Promise<PendingQuestion[]> {
    const rows = await this.db
      .selectFrom("rota_questions")
      .selectAll()
      .where("answered_at", "is", null)
      .where("nudged_at", "is", null)
      .orderBy("due_at")
      .execute();
    return rows.map(toQuestion);
  }

  async unansweredQuestions(workspace: string, room: string, since: Date): Promise<PendingQuestion[]> {
    const rows = await this.db
      .selectFrom("rota_questions")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("room", "=", room)
      .where("answered_at", "is", null)
      .where("asked_at", ">=", since.toISOString())
      .orderBy("asked_at")
      .execute();
    return rows.map(toQuestion);
  }
  async purgeQuestions(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom("rota_questions")
      .where("asked_at", "<", before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** Puts member and absence rows (of these rotas or others) together with their rotas. */
function statesOf(
  rotas: Rota[],
  members: Pick<Selectable<RotaTables["rota_members"]>, "workspace" | "room" | "member" | "left_at">[],
  away: Selectable<RotaTables["rota_away"]>[],
): RotaState[] {
  const states = new Map<string, RotaState>();
  const key = (workspace: string, room: string) => JSON.stringify([workspace, room]);
  for (const rota of rotas)
    states.set(key(rota.workspace, rota.room), { rota, queue: [], away: [], left: [] });
  for (const m of members) {
    const state = states.get(key(m.workspace, m.room));
    state?.queue.push(m.member);
    if (m.left_at !== null) state?.left.push(m.member);
  }
  for (const a of away)
    states.get(key(a.workspace, a.room))?.away.push({ member: a.member, from: a.from_date, to: a.to_date });
  return [...states.values()];
}

function toRota(row: Selectable<RotaTables["rotas"]>): Rota {
  return {
    workspace: row.workspace,
    room: row.room,
    roomName: row.room_name,
    roomKind: row.room_kind as RoomKind,
    time: row.time,
    zone: row.zone,
    days: row.days === "" ? [] : row.days.split(",").map(Number),
    holidays: row.holidays,
    paused: Number(row.paused) === 1,
    lateAnnouncement: row.late_announcement as LateAnnouncement | null,
    createdBy: row.created_by,
    updatedAt: new Date(row.updated_at),
  };
}

function toTurn(row: Selectable<RotaTables["rota_turns"]>): Turn {
  return {
    date: row.local_date,
    responder: row.responder,
    announcedAt: new Date(row.announced_at),
    late: Number(row.late) === 1,
    skipped: JSON.parse(row.skipped) as string[],
  };
}

function toQuestion(row: Selectable<RotaTables["rota_questions"]>): PendingQuestion {
  return {
    workspace: row.workspace,
    room: row.room,
    messageId: row.message_id,
    asker: row.asker,
    askedAt: new Date(row.asked_at),
    dueAt: new Date(row.due_at),
    answeredAt: row.answered_at ? new Date(row.answered_at) : null,
    nudgedAt: row.nudged_at ? new Date(row.nudged_at) : null,
  };
}
