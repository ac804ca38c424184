/**
 * Leases over the query layer (interface in src/core/leases.ts). Every change is one conditional
 * statement on the lease's row, so the database decides races between replicas: on PostgreSQL the
 * upsert locks the row and re-checks the condition against the winner's version; SQLite runs one
 * writer at a time.
 */
import { type Kysely, type Selectable, sql } from "kysely";
import type { Lease, LeaseStore } from "../core/leases.js";
import type { LeaseTables } from "./lease-tables.js";
import type { Database } from "./schema.js";

type LeaseRow = Selectable<LeaseTables["leases"]>;

export class SqlLeaseStore implements LeaseStore {
  constructor(private readonly db: Kysely<Database>) {}

  async acquire(
    workspace: string,
    name: string,
    holder: string,
    now: Date,
    ttlMs: number,
  ): Promise<Lease | undefined> {
    const at = now.toISOString();
    // Still ours and unexpired: an extension of the same tenure. Anything else starts a new one.
    const sameTenure = sql<boolean>`leases.holder = ${holder} and leases.expires_at > ${at}`;
    const row = await this.db
      .insertInto("leases")
      .values({ workspace, name, holder, generation: 1, expires_at: expiry(now, ttlMs), acquired_at: at })
      .onConflict((oc) =>
        oc
          .columns(["workspace", "name"])
          .doUpdateSet({
            holder: (eb) => eb.ref("excluded.holder"),
            expires_at: (eb) => eb.ref("excluded.expires_at"),
            generation: sql`case when ${sameTenure} then leases.generation else leases.generation + 1 end`,
            acquired_at: sql`case when ${sameTenure} then leases.acquired_at else excluded.acquired_at end`,
          })
          .where((eb) => eb.or([eb("leases.holder", "=", holder), eb("leases.expires_at", "<=", at)])),
      )
      .returningAll()
      .executeTakeFirst();
    return row ? toLease(row) : undefined;
  }

  async renew(lease: Lease, now: Date, ttlMs: number): Promise<Lease | undefined> {
    const row = await this.db
      .updateTable("leases")
      .set({ expires_at: expiry(now, ttlMs) })
      .where("workspace", "=", lease.workspace)
      .where("name", "=", lease.name)
      .where("holder", "=", lease.holder)
      .where("generation", "=", lease.generation)
      .returningAll()
      .executeTakeFirst();
    return row ? toLease(row) : undefined;
  }

  async release(lease: Lease, now: Date): Promise<void> {
    // Expire rather than delete: the row keeps the generation, so the next tenure gets a higher one.
    await this.db
      .updateTable("leases")
      .set({ expires_at: now.toISOString() })
      .where("workspace", "=", lease.workspace)
      .where("name", "=", lease.name)
      .where("holder", "=", lease.holder)
      .where("generation", "=", lease.generation)
      .execute();
  }

  async current(workspace: string, name: string, now: Date): Promise<Lease | undefined> {
    const row = await this.db
      .selectFrom("leases")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("name", "=", name)
      .where("expires_at", ">", now.toISOString())
      .executeTakeFirst();
    return row ? toLease(row) : undefined;
  }
}

function expiry(now: Date, ttlMs: number): string {
  return new Date(now.getTime() + ttlMs).toISOString();
}

function toLease(row: LeaseRow): Lease {
  return {
    workspace: row.workspace,
    name: row.name,
    holder: row.holder,
    generation: Number(row.generation),
    expiresAt: new Date(row.expires_at),
  };
}
