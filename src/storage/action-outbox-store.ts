/** ActionOutboxStore over the query layer, for SQLite and PostgreSQL. */
import type { Kysely } from "kysely";
import type { Action } from "../core/actions.js";
import type { ActionOutboxStore, OutboxEntry } from "../outbox/store.js";
import { withTransaction } from "./resilient-driver.js";
import type { Database } from "./schema.js";

export class SqlActionOutboxStore implements ActionOutboxStore {
  constructor(private readonly db: Kysely<Database>) {}

  async add(
    platform: string,
    entry: Omit<OutboxEntry, "attempts">,
    holder: string,
    until: Date,
  ): Promise<void> {
    await this.db
      .insertInto("action_outbox")
      .values({
        workspace: entry.workspace,
        key: entry.key,
        platform,
        action: JSON.stringify(entry.action),
        created_at: entry.createdAt.toISOString(),
        attempts: 1,
        claimed_by: holder,
        claimed_until: until.toISOString(),
        sent_at: null,
      })
      .execute();
  }

  async markSent(workspace: string, key: string, at: Date): Promise<void> {
    await this.db
      .updateTable("action_outbox")
      .set({ sent_at: at.toISOString(), action: "", claimed_by: null, claimed_until: null })
      .where("workspace", "=", workspace)
      .where("key", "=", key)
      .execute();
  }

  claimAbandoned(
    platform: string,
    holder: string,
    now: Date,
    until: Date,
    limit: number,
  ): Promise<OutboxEntry[]> {
    // Select, then claim each row only if it is still abandoned: of two replicas, one wins each row.
    return withTransaction(this.db, async (trx) => {
      const rows = await trx
        .selectFrom("action_outbox")
        .selectAll()
        .where("platform", "=", platform)
        .where("sent_at", "is", null)
        .where("claimed_until", "<", now.toISOString())
        .orderBy("created_at")
        .limit(limit)
        .execute();
      const claimed: OutboxEntry[] = [];
      for (const row of rows) {
        const result = await trx
          .updateTable("action_outbox")
          .set({ claimed_by: holder, claimed_until: until.toISOString(), attempts: row.attempts + 1 })
          .where("workspace", "=", row.workspace)
          .where("key", "=", row.key)
          .where("sent_at", "is", null)
          .where("claimed_until", "=", row.claimed_until)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) continue;
        claimed.push({
          workspace: row.workspace,
          key: row.key,
          action: JSON.parse(row.action) as Action,
          attempts: row.attempts,
          createdAt: new Date(row.created_at),
        });
      }
      return claimed;
    });
  }

  async renew(platform: string, holder: string, until: Date): Promise<void> {
    await this.db
      .updateTable("action_outbox")
      .set({ claimed_until: until.toISOString() })
      .where("platform", "=", platform)
      .where("claimed_by", "=", holder)
      .where("sent_at", "is", null)
      .execute();
  }

  async purgeSent(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom("action_outbox")
      .where("sent_at", "<", before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
