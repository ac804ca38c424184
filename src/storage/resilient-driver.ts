/**
 * Wraps the query layer's driver so a database that goes away does not take the bot with it:
 * - PostgreSQL connection failures (a failover, a restart, `pg_terminate_backend`: 57P01, 08006,
 *   ECONNREFUSED, "Connection terminated") are retried with back-off on a fresh connection, for a
 *   statement on its own and for the start of a transaction; a transaction that loses its connection
 *   half-way fails (nothing of it was committed) and `withTransaction` runs it again.
 * - Failures that waiting will not mend soon (SQLite: SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR; a
 *   database still unreachable after the back-off) become StorageUnavailableError, which the engine
 *   turns into an apology, and the health says "cannot write" until a write succeeds again.
 */
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type Transaction,
  type TransactionSettings,
} from "kysely";
import { StorageUnavailableError } from "../core/stores.js";
import { insideTransactionScope, runAtomically, scopeOf, transactionBegan } from "./transaction-scope.js";

/** SQLSTATE classes and codes of a lost or refused connection (PostgreSQL, "Appendix A. Error Codes"). */
const PG_CONNECTION_STATES = /^(08|57P0[123]|53300)/;
const NODE_CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND"]);
const PG_CONNECTION_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect/i;
/** SQLite result codes (https://www.sqlite.org/rescode.html) that say the file cannot be written now. */
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY|LOCKED|PROTOCOL)/;

/** A lost or refused PostgreSQL connection: retrying on a new connection may well succeed. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  return (
    PG_CONNECTION_STATES.test(code) ||
    NODE_CONNECTION_CODES.has(code) ||
    (typeof e?.message === "string" && PG_CONNECTION_MESSAGES.test(e.message))
  );
}

/** Why the database cannot be used right now, if that is what `err` says. */
export function unavailabilityOf(err: unknown): string | undefined {
  if (err instanceof StorageUnavailableError) return err.reason;
  const code = typeof (err as { code?: unknown })?.code === "string" ? (err as { code: string }).code : "";
  if (SQLITE_UNAVAILABLE.test(code)) return code;
  if (isConnectionError(err)) return code || "connection lost";
  return undefined;
}

export interface ResilienceOptions {
  /** How long to keep retrying a lost connection before giving up (default 10 s). */
  retryForMs?: number;
  /** Told of every statement's outcome that says whether the database can write. */
  health: DatabaseHealth;
  sleep?(ms: number): Promise<void>;
}

/** Whether the database took writes lately: a write that failed as unavailable turns it false until one succeeds. */
export class DatabaseHealth {
  private unavailable: string | undefined;

  get problem(): string | undefined {
    return this.unavailable;
  }

  wrote(): void {
    this.unavailable = undefined;
  }

  failed(reason: string): void {
    this.unavailable = reason;
  }
}

const WRITES = /^\s*(insert|update|delete|replace|create|alter|drop|begin|commit)\b/i;

export class ResilientDriver implements Driver {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly inner: Driver,
    private readonly options: ResilienceOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // Inside `atomically`, every query joins its transaction (transaction-scope.ts).
    const scope = scopeOf(this);
    if (scope?.connection) return new BorrowedConnection(scope.connection);
    return new ResilientConnection(this, await this.retrying(() => this.inner.acquireConnection()));
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    // A store's own transaction inside `atomically` becomes a savepoint of the enclosing one.
    if (connection instanceof BorrowedConnection) return connection.savepoint("begin");
    const c = connection as ResilientConnection;
    // Nothing has run on the connection yet: a lost one is swapped for a new one and BEGIN sent again.
    await c.withFreshConnectionOnLoss((inner) => this.inner.beginTransaction(inner, settings));
    c.inTransaction = true;
    transactionBegan(this, c);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof BorrowedConnection) return connection.savepoint("commit");
    const c = connection as ResilientConnection;
    c.inTransaction = false;
    await this.observe(true, () => this.inner.commitTransaction(c.inner));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof BorrowedConnection) return connection.savepoint("rollback");
    const c = connection as ResilientConnection;
    c.inTransaction = false;
    await this.observe(false, () => this.inner.rollbackTransaction(c.inner));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    await this.inner.savepoint?.((connection as ResilientConnection).inner, name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ) {
    await this.inner.rollbackToSavepoint?.((connection as ResilientConnection).inner, name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ) {
    await this.inner.releaseSavepoint?.((connection as ResilientConnection).inner, name, compile);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // Borrowed from a scope: its transaction releases the connection when it ends.
    if (connection instanceof BorrowedConnection) return;
    return this.inner.releaseConnection((connection as ResilientConnection).inner);
  }

  /**
   * Runs `work` in one transaction of `db` that every query made inside it joins, run again from
   * the start if its connection was lost half-way; after-commit callbacks then run (transaction-scope.ts).
   */
  atomically<DB, T>(db: Kysely<DB>, work: () => Promise<T>): Promise<T> {
    return runAtomically(this, (inScope) => withTransaction(db, () => inScope()), work);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  /** Runs `work`, reporting its outcome to the health; an unavailable database becomes StorageUnavailableError. */
  async observe<T>(write: boolean, work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      if (write) this.options.health.wrote();
      return result;
    } catch (err) {
      const reason = unavailabilityOf(err);
      if (reason === undefined) throw err;
      if (write) this.options.health.failed(reason);
      throw err instanceof StorageUnavailableError
        ? err
        : new StorageUnavailableError(reason, { cause: err });
    }
  }

  /** Runs `attempt` again on connection errors, waiting 50 ms, 100 ms, … (at most 1 s) for up to retryForMs. */
  async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    const until = Date.now() + (this.options.retryForMs ?? 10_000);
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      try {
        return await attempt();
      } catch (err) {
        if (!isConnectionError(err) || Date.now() + wait > until) {
          const reason = unavailabilityOf(err);
          if (reason === undefined) throw err;
          this.options.health.failed(reason);
          const unavailable = new StorageUnavailableError(reason, { cause: err });
          gaveUp.add(unavailable);
          throw unavailable;
        }
        await this.sleep(wait);
      }
    }
  }

  /** Swaps a connection that failed for a fresh one from the inner driver. */
  async replace(broken: DatabaseConnection): Promise<DatabaseConnection> {
    await this.inner.releaseConnection(broken).catch(() => undefined);
    return this.inner.acquireConnection();
  }
}

/** The connection of an enclosing `atomically`, lent to one query or one nested transaction. */
class BorrowedConnection implements DatabaseConnection {
  constructor(private readonly owner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.owner.executeQuery<R>(query);
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.owner.streamQuery<R>(query, chunkSize);
  }

  /**
   * A nested transaction as a savepoint: the same SQL on SQLite and PostgreSQL. One name for all:
   * RELEASE and ROLLBACK TO act on the newest savepoint of that name, which is this one, as nested
   * transactions end in the reverse order they began and a rolled-back one is released too (ROLLBACK
   * TO leaves it open). One SQL text is prepared once, where a numbered name made two new statements
   * for every nudge delivered.
   */
  async savepoint(step: "begin" | "commit" | "rollback"): Promise<void> {
    if (step === "rollback") await this.owner.executeQuery(SAVEPOINT.rollback);
    await this.owner.executeQuery(step === "begin" ? SAVEPOINT.begin : SAVEPOINT.release);
  }
}

const SAVEPOINT = {
  begin: CompiledQuery.raw("savepoint outloud_nested"),
  release: CompiledQuery.raw("release savepoint outloud_nested"),
  rollback: CompiledQuery.raw("rollback to savepoint outloud_nested"),
};

class ResilientConnection implements DatabaseConnection {
  inTransaction = false;

  constructor(
    private readonly driver: ResilientDriver,
    public inner: DatabaseConnection,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const write = WRITES.test(query.sql);
    // Inside a transaction a lost connection took the transaction with it: only the whole may be retried.
    if (this.inTransaction) return this.driver.observe(write, () => this.inner.executeQuery<R>(query));
    return this.driver.observe(write, () =>
      this.withFreshConnectionOnLoss((inner) => inner.executeQuery<R>(query)),
    );
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }

  /** Runs `work` on the connection, on a new one after each connection error, with back-off. */
  withFreshConnectionOnLoss<T>(work: (inner: DatabaseConnection) => Promise<T>): Promise<T> {
    let lost = false;
    return this.driver.retrying(async () => {
      if (lost) {
        this.inner = await this.driver.replace(this.inner);
        lost = false;
      }
      try {
        return await work(this.inner);
      } catch (err) {
        lost = isConnectionError(err);
        throw err;
      }
    });
  }
}

/**
 * How long a transaction is run again from the start after losing its connection. Long, since the
 * server does answer (each attempt got a connection); a server that does not is given up on sooner,
 * by the connection retries themselves.
 */
const TRANSACTION_RETRY_MS = 60_000;

/** Errors of connection retries that ran out of time: the server is away, not just restarting. */
const gaveUp = new WeakSet<Error>();

/**
 * `db.transaction().execute(work)`, run again (after 50 ms, 100 ms, … at most 1 s) when its
 * connection was lost half-way: PostgreSQL rolled it back, so nothing of it happened. `work` must
 * only touch the database.
 */
export async function withTransaction<DB, T>(
  db: Kysely<DB>,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  // Inside `atomically` it is a savepoint: a lost connection took the enclosing one along, which retries.
  if (insideTransactionScope()) return db.transaction().execute(work);
  const until = Date.now() + TRANSACTION_RETRY_MS;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      const lost = err instanceof StorageUnavailableError && isConnectionError(err.cause) && !gaveUp.has(err);
      if (!lost || Date.now() + wait > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
