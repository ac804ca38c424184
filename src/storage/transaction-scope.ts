/**
 * One transaction that every store joins without being handed it: inside `atomically(work)`, each
 * query made through the database's Kysely instance (by any store, however deep) runs on the
 * transaction's connection, so a claim, the features' writes and the outgoing actions commit together
 * or not at all. What must happen only once they are committed (sending the actions) waits in
 * `afterCommit`. The scope follows the async calls made inside `work` (an AsyncLocalStorage, off between
 * transactions: see scoped-storage.ts).
 *
 * `work` must only touch the database (and compute): on SQLite the one connection is held for its
 * whole length, so a network call inside it would hold up every other query.
 */
import type { DatabaseConnection, Driver } from "kysely";
import { ScopedStorage } from "../scoped-storage.js";

interface Scope {
  /** The driver whose transaction this is: another database's queries do not join it. */
  driver: Driver;
  /** Set when the transaction has begun on it; a retried transaction sets it again. */
  connection: DatabaseConnection | undefined;
  /** False once committed or rolled back: work left running past the end no longer joins it. */
  open: boolean;
  afterCommit: (() => void)[];
}

const scopes = new ScopedStorage<Scope>();

/** The open scope of `driver`, if the caller runs inside one. */
export function scopeOf(driver: Driver): Scope | undefined {
  const scope = scopes.getStore();
  return scope?.open && scope.driver === driver ? scope : undefined;
}

/** Inside any open transaction scope (a store then writes at once rather than batching with others). */
export function insideTransactionScope(): boolean {
  return scopes.getStore()?.open === true;
}

/**
 * Runs `work` in one transaction of `db` that every query of `work` joins, through `transact` (which
 * runs its callback in `db.transaction()`, run again from the start if the connection was lost). A
 * scope already open is joined. Then the after-commit callbacks of the attempt that committed run.
 */
export async function runAtomically<T>(
  driver: Driver,
  transact: (work: () => Promise<T>) => Promise<T>,
  work: () => Promise<T>,
): Promise<T> {
  if (scopeOf(driver)) return work();
  const scope: Scope = { driver, connection: undefined, open: false, afterCommit: [] };
  let result: T;
  try {
    result = await scopes.run(scope, () =>
      transact(async () => {
        try {
          return await work();
        } finally {
          // Closed before COMMIT: nothing started inside may slip a query in after it.
          scope.open = false;
        }
      }),
    );
  } finally {
    scope.open = false;
  }
  for (const then of scope.afterCommit) then();
  return result;
}

/** Called by the driver when a transaction begins on `connection`: the scope's own, if one is waiting for it. */
export function transactionBegan(driver: Driver, connection: DatabaseConnection): void {
  const scope = scopes.getStore();
  if (!scope || scope.driver !== driver || scope.open) return;
  scope.connection = connection;
  scope.open = true;
  // A retried attempt starts afresh: the callbacks of the one that rolled back are dropped.
  scope.afterCommit = [];
}

/**
 * Inside a scope of `db`'s driver: `then` runs once the transaction committed (never if it rolls back),
 * and the answer is true. Outside: false, and the caller goes ahead itself.
 */
export function deferUntilCommitted(driver: Driver, then: () => void): boolean {
  const scope = scopeOf(driver);
  if (!scope) return false;
  scope.afterCommit.push(then);
  return true;
}
