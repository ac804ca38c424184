/** The digest store (src/core/digest/store.ts) over the query layer, for SQLite and PostgreSQL. */
import { CompiledQuery, type Kysely } from "kysely";
import type { Cadence, DigestStore, MessageFacts, PersonalDigest, RoomDigest } from "../core/digest/store.js";
import type { RoomKind } from "../core/model.js";
import { withTransaction } from "./resilient-driver.js";
import type { Database } from "./schema.js";

/** Facts written together; 13 parameters a row, well under SQLite's 32,766 and PostgreSQL's 65,535. */
const FLUSH_ROWS = 256;
/** The longest a message's facts wait in memory before they are written. */
const FLUSH_MS = 1000;

export interface DigestStoreOptions {
  /** Told when facts written by the timer could not be saved (a full batch's failure goes to its caller). */
  onWriteError?(error: unknown, messages: number): void;
}

/**
 * Message facts are written behind: kept in memory and written with one multi-row insert (one commit)
 * every 256 messages, a second after the first unwritten one, before this store reads or purges facts,
 * and at `flush()` (the digest feature's stop). One insert and commit per message was most of the
 * engine's CPU per message. What a crash may lose is the facts of the last second: a digest or report
 * counts a few messages fewer. Nothing else depends on them: nudges, rota and decisions keep their own
 * state, and a redelivered message is still recorded once.
 */
export class SqlDigestStore implements DigestStore {
  private pending: MessageFacts[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The writes under way, in order: a read waits for all of them. */
  private writing: Promise<void> = Promise.resolve();
  private readonly insertSqlBySize = new Map<number, string>();

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

  async recordMessage(f: MessageFacts): Promise<void> {
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

  /** One insert per power of two of rows (a handful of statement texts in all), in one transaction. */
  private async write(batch: MessageFacts[]): Promise<void> {
    if (batch.length === 0) return;
    const chunks: CompiledQuery[] = [];
    for (let from = 0; from < batch.length; ) {
      let size = FLUSH_ROWS;
      while (size > batch.length - from) size >>= 1;
      // One array of parameters, filled in place: a copy of the rows and an array per row cost more.
      const parameters: unknown[] = [];
      for (const end = from + size; from < end; from++) pushFactRow(parameters, batch[from]!);
      chunks.push(CompiledQuery.raw(this.insertSql(size), parameters));
    }
    if (chunks.length === 1) await this.db.executeQuery(chunks[0]!);
    else
      await withTransaction(this.db, async (trx) => {
        for (const chunk of chunks) await trx.executeQuery(chunk);
      });
  }

  /** The insert of `rows` facts, compiled once per size: building it cost as much as running it. */
  private insertSql(rows: number): string {
    let text = this.insertSqlBySize.get(rows);
    if (!text) {
      // Keys in the order of pushFactRow's parameters.
      const row = {
        workspace: "",
        room_id: "",
        message_id: "",
        room_name: "",
        room_kind: "",
        user_id: "",
        at: "",
        thread_root: null,
        mentions: "",
        broadcast: 0,
        question: 0,
        decision_language: 0,
        call_link: 0,
      };
      text = this.db
        .insertInto("activity_messages")
        .values(Array.from({ length: rows }, () => row))
        .onConflict((oc) => oc.columns(["workspace", "room_id", "message_id"]).doNothing())
        .compile().sql;
      this.insertSqlBySize.set(rows, text);
    }
    return text;
  }

  async messages(workspace: string, from: Date, to: Date, room?: string): Promise<MessageFacts[]> {
    await this.flush();
    let query = this.db
      .selectFrom("activity_messages")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("at", ">=", from.toISOString())
      .where("at", "<", to.toISOString());
    if (room !== undefined) query = query.where("room_id", "=", room);
    const rows = await query.orderBy("at").orderBy("message_id").execute();
    return rows.map((r) => ({
      workspace: r.workspace,
      room: { id: r.room_id, name: r.room_name, kind: r.room_kind as RoomKind },
      id: r.message_id,
      user: r.user_id,
      at: new Date(r.at),
      ...(r.thread_root ? { thread: r.thread_root } : {}),
      mentions: JSON.parse(r.mentions) as string[],
      broadcast: r.broadcast === 1,
      question: r.question === 1,
      decisionLanguage: r.decision_language === 1,
      callLink: r.call_link === 1,
    }));
  }

  async purgeMessages(before: Date): Promise<number> {
    await this.flush();
    const result = await this.db
      .deleteFrom("activity_messages")
      .where("at", "<", before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** Adds a fact's parameters to `to`, in the order of the columns in `insertSql`. */
function pushFactRow(to: unknown[], f: MessageFacts): void {
  to.push(
    f.workspace,
    f.room.id,
    f.id,
    f.room.name,
    f.room.kind,
    f.user,
    f.at.toISOString(),
    f.thread ?? null,
    // Most messages mention nobody: the same text JSON.stringify would give.
    f.mentions.length === 0 ? "[]" : JSON.stringify(f.mentions),
    f.broadcast ? 1 : 0,
    f.question ? 1 : 0,
    f.decisionLanguage ? 1 : 0,
    f.callLink ? 1 : 0,
  );
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
  const rows = await db.selectFrom("activity_messages").select("workspace").distinct().execute();
  return rows.map((r) => r.workspace);
}
