/** ActionOutboxStore over the query layer, for SQLite and PostgreSQL. */
import { type CompiledQuery, type Kysely, sql } from "kysely";
import type { Action } from "../core/actions.js";
import type { ActionOutboxStore, OutboxEntry } from "../outbox/store.js";
import { PreparedSql } from "./prepared.js";
import { withTransaction } from "./resilient-driver.js";
import type { Database } from "./schema.js";

type OutboxRow = Pick<Database["action_outbox"], "workspace" | "key" | "action" | "attempts" | "created_at">;
type AddNames = "workspace" | "key" | "platform" | "action" | "createdAt" | "holder" | "until";

/** The most keys one sent mark names; a batch is written as powers of two up to it (a few statement texts). */
const MARK_KEYS = 64;

export class SqlActionOutboxStore implements ActionOutboxStore {
  // Built once: on a fan-out, building these cost more than running them.
  private readonly addSql: PreparedSql<AddNames>;
  /** By the number of keys named. */
  private readonly markSql = new Map<number, PreparedSql<string>>();

  constructor(private readonly db: Kysely<Database>) {
    this.addSql = new PreparedSql((p) =>
      db.insertInto("action_outbox").values({
        workspace: p("workspace"),
        key: p("key"),
        platform: p("platform"),
        action: p("action"),
        created_at: p("createdAt"),
        attempts: 1,
        claimed_by: p("holder"),
        claimed_until: p("until"),
        sent_at: null,
      }),
    );
  }

  async add(
    platform: string,
    entry: Omit<OutboxEntry, "attempts">,
    holder: string,
    until: Date,
  ): Promise<void> {
    await this.db.executeQuery(
      this.addSql.with({
        workspace: entry.workspace,
        key: entry.key,
        platform,
        action: JSON.stringify(entry.action),
        createdAt: entry.createdAt.toISOString(),
        holder,
        until: until.toISOString(),
      }),
    );
  }

  async markSent(sent: ReadonlyArray<{ workspace: string; key: string }>, at: Date): Promise<void> {
    const keysOf = new Map<string, string[]>();
    for (const { workspace, key } of sent) {
      const keys = keysOf.get(workspace);
      if (keys) keys.push(key);
      else keysOf.set(workspace, [key]);
    }
    const statements: CompiledQuery[] = [];
    for (const [workspace, keys] of keysOf)
      for (let from = 0; from < keys.length; ) {
        let size = MARK_KEYS;
        while (size > keys.length - from) size >>= 1;
        const values: Record<string, unknown> = { at: at.toISOString(), workspace };
        for (let i = 0; i < size; i++) values[`k${i}`] = keys[from + i];
        statements.push(this.markOf(size).with(values));
        from += size;
      }
    if (statements.length === 1) await this.db.executeQuery(statements[0]!);
    else if (statements.length > 1)
      await withTransaction(this.db, async (trx) => {
        for (const statement of statements) await trx.executeQuery(statement);
      });
  }

  private markOf(keys: number): PreparedSql<string> {
    let prepared = this.markSql.get(keys);
    if (!prepared) {
      prepared = new PreparedSql((p) =>
        this.db
          .updateTable("action_outbox")
          .set({ sent_at: p("at"), action: "", claimed_by: null, claimed_until: null })
          .where("workspace", "=", p<string>("workspace"))
          .where(
            "key",
            "in",
            Array.from({ length: keys }, (_, i) => p<string>(`k${i}`)),
          ),
      );
      this.markSql.set(keys, prepared);
    }
    return prepared;
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

  async release(workspace: string, key: string, retryAt: Date, action: Action): Promise<void> {
    await this.db
      .updateTable("action_outbox")
      .set({ claimed_by: null, claimed_until: retryAt.toISOString(), action: JSON.stringify(action) })
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
