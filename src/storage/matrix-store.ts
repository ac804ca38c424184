/** Query-layer implementation of the Matrix adapter's state (SQLite and PostgreSQL alike). */
import type { Kysely } from "kysely";
import type { MatrixStateStore } from "../adapters/matrix/store.js";
import type { Database } from "./schema.js";

export class SqlMatrixStateStore implements MatrixStateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async syncToken(workspace: string, account: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("matrix_sync")
      .select("next_batch")
      .where("workspace", "=", workspace)
      .where("account", "=", account)
      .executeTakeFirst();
    return row?.next_batch;
  }

  async saveSyncToken(workspace: string, account: string, token: string, at: Date): Promise<void> {
    const updated_at = at.toISOString();
    await this.db
      .insertInto("matrix_sync")
      .values({ workspace, account, next_batch: token, updated_at })
      .onConflict((oc) => oc.columns(["workspace", "account"]).doUpdateSet({ next_batch: token, updated_at }))
      .execute();
  }

  async dmRoom(workspace: string, account: string, user: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("matrix_dm_rooms")
      .select("room_id")
      .where("workspace", "=", workspace)
      .where("account", "=", account)
      .where("user_id", "=", user)
      .executeTakeFirst();
    return row?.room_id;
  }

  async saveDmRoom(
    workspace: string,
    account: string,
    user: string,
    roomId: string,
    at: Date,
  ): Promise<void> {
    await this.db
      .insertInto("matrix_dm_rooms")
      .values({ workspace, account, user_id: user, room_id: roomId, created_at: at.toISOString() })
      .onConflict((oc) => oc.columns(["workspace", "account", "user_id"]).doUpdateSet({ room_id: roomId }))
      .execute();
  }

  async processedAmong(workspace: string, eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("processed_events")
      .select("event_id")
      .where("workspace", "=", workspace)
      .where("event_id", "in", [...eventIds])
      .execute();
    return new Set(rows.map((r) => r.event_id));
  }
}
