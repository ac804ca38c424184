/** The digest store (src/core/digest/store.ts) over the query layer, for SQLite and PostgreSQL. */
import { randomUUID } from "node:crypto";
import type { Insertable, Kysely } from "kysely";
import type { Cadence, DigestStore, MessageFacts, PersonalDigest, RoomDigest } from "../core/digest/store.js";
import type { RoomKind } from "../core/model.js";
import { withTransaction } from "./resilient-driver.js";
import type { Database } from "./schema.js";

/** At most this many facts wait in memory; then they are written. */
const FLUSH_ROWS = 256;
/** The longest a message's facts wait in memory before they are written. */
const FLUSH_MS = 1000;

export interface DigestStoreOptions {
  /** Told when facts written by the timer could not be saved (a full batch's failure goes to its caller). */
  onWriteError?(error: unknown, messages: number): void;
}

/**
 * Message facts are written behind and in batches: kept in memory, then written as one row per room
 * (`activity_batches`, the facts a compact JSON array) in one commit, every 256 messages, a second after
 * the first unwritten one, before this store reads or purges facts, and at `flush()` (the digest
 * feature's stop). A row and three index entries per message was most of the engine's CPU per message,
 * and the facts are only ever read a room's week at a time. What a crash may lose is the facts of the
 * last second: a digest or report counts a few messages fewer. Nothing else depends on them: nudges,
 * rota and decisions keep their own state. A redelivered message is returned once: reads drop repeats.
 */
export class SqlDigestStore implements DigestStore {
  private pending: MessageFacts[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The writes under way, in order: a read waits for all of them. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: DigestStoreOptions = {},
  ) {}

  async saveRoom(d: RoomDigest, at: Date): Promise<void> {
    const row = {
      workspace: d.workspace,
      room_id: d.room.id,
      room_name: d.room.name,
      room_kind: d.room.kind,
      weekday: d.weekday,
      time: d.time,
      zone: d.zone,
      updated_at: at.toISOString(),
    };
    await this.db
      .insertInto("digest_rooms")
      .values(row)
      .onConflict((oc) => oc.columns(["workspace", "room_id"]).doUpdateSet(row))
      .execute();
  }

  async removeRoom(workspace: string, room: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("digest_rooms")
      .where("workspace", "=", workspace)
      .where("room_id", "=", room)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async room(workspace: string, room: string): Promise<RoomDigest | undefined> {
    const row = await this.db
      .selectFrom("digest_rooms")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("room_id", "=", room)
      .executeTakeFirst();
    return row && toRoomDigest(row);
  }

  async rooms(): Promise<RoomDigest[]> {
    const rows = await this.db
      .selectFrom("digest_rooms")
      .selectAll()
      .orderBy("workspace")
      .orderBy("room_id")
      .execute();
    return rows.map(toRoomDigest);
  }

  async savePerson(d: PersonalDigest, at: Date): Promise<void> {
    const row = {
      workspace: d.workspace,
      user_id: d.user,
      cadence: d.cadence,
      email: d.email ?? null,
      email_pending: d.pending?.email ?? null,
      email_code: d.pending?.code ?? null,
      updated_at: at.toISOString(),
    };
    await this.db
      .insertInto("digest_people")
      .values(row)
      .onConflict((oc) => oc.columns(["workspace", "user_id"]).doUpdateSet(row))
      .execute();
  }

  async removePerson(workspace: string, user: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("digest_people")
      .where("workspace", "=", workspace)
      .where("user_id", "=", user)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async person(workspace: string, user: string): Promise<PersonalDigest | undefined> {
    const row = await this.db
      .selectFrom("digest_people")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("user_id", "=", user)
      .executeTakeFirst();
    return row && toPersonalDigest(row);
  }

  async people(): Promise<PersonalDigest[]> {
    const rows = await this.db
      .selectFrom("digest_people")
      .selectAll()
      .orderBy("workspace")
      .orderBy("user_id")
      .execute();
    return rows.map(toPersonalDigest);
  }

  recordMessage(f: MessageFacts): Promise<void> | undefined {
    this.pending.push(f);
    if (this.pending.length >= FLUSH_ROWS) return this.flush();
    if (!this.timer) {
      this.timer = setTimeout(() => {
        const messages = this.pending.length;
        this.flush().catch((err) => this.options.onWriteError?.(err, messages));
      }, FLUSH_MS);
      // A pending write never keeps a process alive: stopping flushes it.
      this.timer.unref?.();
    }
    return undefined;
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    const write = this.writing.then(() => this.write(batch));
    this.writing = write.catch(() => undefined);
    return write;
  }

  /** One row per room (and name and kind) of the batch, in one commit. */
  private async write(batch: MessageFacts[]): Promise<void> {
    if (batch.length === 0) return;
    // Grouped by room id, then apart by workspace, name and kind should those differ (they rarely do).
    const byRoom = new Map<string, MessageFacts[][]>();
    for (const f of batch) {
      const groups = byRoom.get(f.room.id);
      const group = groups?.find((g) => sameRoom(g[0]!, f));
      if (group) group.push(f);
      else if (groups) groups.push([f]);
      else byRoom.set(f.room.id, [[f]]);
    }
    const rows: Insertable<Database["activity_batches"]>[] = [];
    for (const groups of byRoom.values()) for (const facts of groups) rows.push(batchRow(facts));
    await this.db.insertInto("activity_batches").values(rows).execute();
  }

  async messages(workspace: string, from: Date, to: Date, room?: string): Promise<MessageFacts[]> {
    await this.flush();
    let query = this.db
      .selectFrom("activity_batches")
      .select(["room_id", "room_name", "room_kind", "facts"])
      .where("workspace", "=", workspace)
      .where("last_at", ">=", from.toISOString())
      .where("first_at", "<", to.toISOString());
    if (room !== undefined) query = query.where("room_id", "=", room);
    const fromMs = from.getTime();
    const toMs = to.getTime();
    const seen = new Set<string>();
    const found: MessageFacts[] = [];
    for (const row of await query.execute()) {
      const roomOf = { id: row.room_id, name: row.room_name, kind: row.room_kind as RoomKind };
      for (const tuple of JSON.parse(row.facts) as FactTuple[]) {
        const at = tuple[2];
        if (at < fromMs || at >= toMs) continue;
        const key = `${row.room_id}\u0000${tuple[0]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        found.push(fromTuple(workspace, roomOf, tuple));
      }
    }
    return found.sort((a, b) => a.at.getTime() - b.at.getTime() || compareText(a.id, b.id));
  }

  /**
   * Deletes the facts older than `before`: whole batches, and the older part of a batch that spans
   * `before` (its row is rewritten), so that nothing is kept past its retention.
   */
  async purgeMessages(before: Date): Promise<number> {
    await this.flush();
    const cutoff = before.toISOString();
    const cutoffMs = before.getTime();
    return withTransaction(this.db, async (trx) => {
      const deleted = await trx
        .deleteFrom("activity_batches")
        .where("last_at", "<", cutoff)
        .returning("count")
        .execute();
      let purged = deleted.reduce((n, r) => n + Number(r.count), 0);
      const spanning = await trx
        .selectFrom("activity_batches")
        .select(["batch_id", "facts"])
        .where("first_at", "<", cutoff)
        .execute();
      for (const row of spanning) {
        const facts = JSON.parse(row.facts) as FactTuple[];
        const kept = facts.filter((t) => t[2] >= cutoffMs);
        purged += facts.length - kept.length;
        await trx
          .updateTable("activity_batches")
          .set({
            first_at: new Date(kept[0]![2]).toISOString(),
            count: kept.length,
            facts: JSON.stringify(kept),
          })
          .where("batch_id", "=", row.batch_id)
          .execute();
      }
      return purged;
    });
  }
}

/**
 * One fact as stored: message id, author, time in ms, thread root (0: none), mentioned ids (0: none),
 * and the flags broadcast 1, question 2, decision language 4, call link 8.
 */
type FactTuple = [string, string, number, string | 0, string[] | 0, number];

/** The batch row of one room's facts, oldest first as they came. */
function batchRow(facts: MessageFacts[]): Insertable<Database["activity_batches"]> {
  const first = facts[0]!;
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;
  const tuples: FactTuple[] = [];
  // A message redelivered before its facts were written is written once (reads drop later repeats).
  const ids = new Set<string>();
  for (const f of facts) {
    if (ids.has(f.id)) continue;
    ids.add(f.id);
    const at = f.at.getTime();
    if (at < firstMs) firstMs = at;
    if (at > lastMs) lastMs = at;
    tuples.push([
      f.id,
      f.user,
      at,
      f.thread ?? 0,
      f.mentions.length > 0 ? f.mentions : 0,
      (f.broadcast ? 1 : 0) | (f.question ? 2 : 0) | (f.decisionLanguage ? 4 : 0) | (f.callLink ? 8 : 0),
    ]);
  }
  return {
    batch_id: randomUUID(),
    workspace: first.workspace,
    room_id: first.room.id,
    room_name: first.room.name,
    room_kind: first.room.kind,
    first_at: new Date(firstMs).toISOString(),
    last_at: new Date(lastMs).toISOString(),
    count: tuples.length,
    facts: JSON.stringify(tuples),
  };
}

function sameRoom(a: MessageFacts, b: MessageFacts): boolean {
  return a.workspace === b.workspace && a.room.name === b.room.name && a.room.kind === b.room.kind;
}

function fromTuple(workspace: string, room: MessageFacts["room"], t: FactTuple): MessageFacts {
  const [id, user, at, thread, mentions, flags] = t;
  return {
    workspace,
    room,
    id,
    user,
    at: new Date(at),
    ...(thread ? { thread } : {}),
    mentions: mentions || [],
    broadcast: (flags & 1) !== 0,
    question: (flags & 2) !== 0,
    decisionLanguage: (flags & 4) !== 0,
    callLink: (flags & 8) !== 0,
  };
}

/** The order SQL's `order by` gave ids (binary, as SQLite compares text). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toRoomDigest(r: Database["digest_rooms"]): RoomDigest {
  return {
    workspace: r.workspace,
    room: { id: r.room_id, name: r.room_name, kind: r.room_kind as RoomKind },
    weekday: r.weekday,
    time: r.time,
    zone: r.zone,
    since: new Date(r.updated_at),
  };
}

function toPersonalDigest(r: Database["digest_people"]): PersonalDigest {
  return {
    workspace: r.workspace,
    user: r.user_id,
    cadence: r.cadence as Cadence,
    ...(r.email ? { email: r.email } : {}),
    ...(r.email_pending && r.email_code ? { pending: { email: r.email_pending, code: r.email_code } } : {}),
  };
}

/** Nudges delivered in a workspace during [from, to), by kind (the live report's "what the nudges said"). */
export async function deliveredNudges(
  db: Kysely<Database>,
  workspace: string,
  from: Date,
  to: Date,
): Promise<{ kind: string; at: Date }[]> {
  const rows = await db
    .selectFrom("nudge_deliveries")
    .select(["kind", "delivered_at"])
    .where("workspace", "=", workspace)
    .where("delivered_at", ">=", from.toISOString())
    .where("delivered_at", "<", to.toISOString())
    .execute();
  return rows.map((r) => ({ kind: r.kind, at: new Date(r.delivered_at) }));
}

/** Workspaces with any message facts kept (the live report's choice when only one has). */
export async function workspacesWithActivity(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom("activity_batches").select("workspace").distinct().execute();
  return rows.map((r) => r.workspace);
}
