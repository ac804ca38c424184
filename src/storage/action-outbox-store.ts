/** ActionOutboxStore over the query layer, for SQLite and PostgreSQL. */
import { type Kysely, sql } from "kysely";
import type { Action } from "../core/actions.js";
import type { ActionOutboxStore, OutboxEntry } from "../outbox/store.js";
import type { Database } from "./schema.js";

type OutboxRow = Pick<Database["action_outbox"], "workspace" | "key" | "action" | "attempts" | "created_at">;

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

  async claimAbandoned(
    platform: string,
    holder: string,
    now: Date,
    until: Date,
    limit: number,
  ): Promise<OutboxEntry[]> {
    // One statement, so two replicas sweeping at once never both claim a row: PostgreSQL re-checks
    // the condition on a row another update just changed; SQLite runs one writer at a time.
    const cutoff = now.toISOString();
    const { rows } = await sql<OutboxRow>`
      update action_outbox
      set claimed_by = ${holder}, claimed_until = ${until.toISOString()}, attempts = attempts + 1
      where (workspace, key) in (
        select workspace, key from action_outbox
        where platform = ${platform} and sent_at is null and claimed_until < ${cutoff}
        order by created_at limit ${limit})
      and sent_at is null and claimed_until < ${cutoff}
      returning workspace, key, action, attempts, created_at`.execute(this.db);
    return rows
      .map((row) => ({
        workspace: row.workspace,
        key: row.key,
        action: JSON.parse(row.action) as Action,
        attempts: Number(row.attempts) - 1,
        createdAt: new Date(row.created_at),
      }))
      .sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime());
  }

  async release(workspace: string, key: string, retryAt: Date): Promise<void> {
    await this.db
      .updateTable("action_outbox")
      .set({ claimed_by: null, claimed_until: retryAt.toISOString() })
      .where("workspace", "=", workspace)
      .where("key", "=", key)
      .where("sent_at", "is", null)
      .execute();
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
