/** Query-layer implementations of the foundation stores (src/core/stores.ts), for SQLite and PostgreSQL. */
import { type Kysely, sql } from "kysely";
import type { ClaimStore, ProcessedEventStore, SettingsStore } from "../core/stores.js";
import type { Database } from "./schema.js";

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

export class SqlProcessedEventStore implements ProcessedEventStore {
  constructor(private readonly db: Kysely<Database>) {}

  async markProcessed(workspace: string, eventId: string, at: Date): Promise<boolean> {
    const result = await this.db
      .insertInto("processed_events")
      .values({ workspace, event_id: eventId, seen_at: at.toISOString() })
      .onConflict((oc) => oc.columns(["workspace", "event_id"]).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async purge(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom("processed_events")
      .where("seen_at", "<", before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
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
