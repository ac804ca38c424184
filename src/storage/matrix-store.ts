/** Query-layer implementation of the Matrix adapter's state (SQLite and PostgreSQL alike). */
import { type Kysely, sql } from "kysely";
import type { MatrixStateStore } from "../adapters/matrix/store.js";
import type { Lease } from "../core/leases.js";
import { dialectOf } from "./dialect.js";
import type { Database } from "./schema.js";

export class SqlMatrixStateStore implements MatrixStateStore {
  private readonly postgres: boolean;

  constructor(private readonly db: Kysely<Database>) {
    this.postgres = dialectOf(db) === "postgres";
  }

  async syncToken(workspace: string, account: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("matrix_sync")
      .select("next_batch")
      .where("workspace", "=", workspace)
      .where("account", "=", account)
      .executeTakeFirst();
    return row?.next_batch;
  }

  async saveSyncToken(
    workspace: string,
    account: string,
    token: string,
    at: Date,
    fence?: Lease,
  ): Promise<boolean> {
    const updated_at = at.toISOString();
    if (!fence) {
      await this.db
        .insertInto("matrix_sync")
        .values({ workspace, account, next_batch: token, updated_at })
        .onConflict((oc) =>
          oc.columns(["workspace", "account"]).doUpdateSet({ next_batch: token, updated_at }),
        )
        .execute();
      return true;
    }
    // One statement: the row is written only while the lease row still shows this tenure. On
    // PostgreSQL `for share` locks that row, so a take-over waits for this write (and then reads it)
    // or this write sees the new generation and does nothing; SQLite runs one writer at a time.
    let held = this.db
      .selectFrom("leases")
      .select(sql<number>`1`.as("one"))
      .where("leases.workspace", "=", fence.workspace)
      .where("leases.name", "=", fence.name)
      .where("leases.holder", "=", fence.holder)
      .where("leases.generation", "=", fence.generation);
    if (this.postgres) held = held.forShare();
    const result = await this.db
      .insertInto("matrix_sync")
      .columns(["workspace", "account", "next_batch", "updated_at"])
      .expression(
        this.db
          .selectNoFrom([
            sql<string>`${workspace}`.as("workspace"),
            sql<string>`${account}`.as("account"),
            sql<string>`${token}`.as("next_batch"),
            sql<string>`${updated_at}`.as("updated_at"),
          ])
          .where(({ exists }) => exists(held)),
      )
      .onConflict((oc) => oc.columns(["workspace", "account"]).doUpdateSet({ next_batch: token, updated_at }))
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
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
