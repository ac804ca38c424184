/** The digest store (src/core/digest/store.ts) over the query layer, for SQLite and PostgreSQL. */
import type { Kysely } from "kysely";
import type { Cadence, DigestStore, MessageFacts, PersonalDigest, RoomDigest } from "../core/digest/store.js";
import type { RoomKind } from "../core/model.js";
import { PreparedSql } from "./prepared.js";
import type { Database } from "./schema.js";

type FactColumn =
  | "workspace"
  | "room"
  | "id"
  | "roomName"
  | "roomKind"
  | "user"
  | "at"
  | "thread"
  | "mentions"
  | "broadcast"
  | "question"
  | "decision"
  | "call";

export class SqlDigestStore implements DigestStore {
  /** Written for every message a person sends: built once, as building it cost more than running it. */
  private readonly recordMessageSql: PreparedSql<FactColumn>;

  constructor(private readonly db: Kysely<Database>) {
    this.recordMessageSql = new PreparedSql((p) =>
      db
        .insertInto("activity_messages")
        .values({
          workspace: p<string>("workspace"),
          room_id: p<string>("room"),
          message_id: p<string>("id"),
          room_name: p<string>("roomName"),
          room_kind: p<RoomKind>("roomKind"),
          user_id: p<string>("user"),
          at: p<string>("at"),
          thread_root: p<string | null>("thread"),
          mentions: p<string>("mentions"),
          broadcast: p<number>("broadcast"),
          question: p<number>("question"),
          decision_language: p<number>("decision"),
          call_link: p<number>("call"),
        })
        .onConflict((oc) => oc.columns(["workspace", "room_id", "message_id"]).doNothing()),
    );
  }

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
    await this.db.executeQuery(
      this.recordMessageSql.with({
        workspace: f.workspace,
        room: f.room.id,
        id: f.id,
        roomName: f.room.name,
        roomKind: f.room.kind,
        user: f.user,
        at: f.at.toISOString(),
        thread: f.thread ?? null,
        mentions: JSON.stringify(f.mentions),
        broadcast: f.broadcast ? 1 : 0,
        question: f.question ? 1 : 0,
        decision: f.decisionLanguage ? 1 : 0,
        call: f.callLink ? 1 : 0,
      }),
    );
  }

  async messages(workspace: string, from: Date, to: Date, room?: string): Promise<MessageFacts[]> {
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
    const result = await this.db
      .deleteFrom("activity_messages")
      .where("at", "<", before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
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
