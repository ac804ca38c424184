/** The store behind the durable outbox (implemented over the query layer in src/storage/). */
import type { Action } from "../core/actions.js";

export interface OutboxEntry {
  workspace: string;
  key: string;
  action: Action;
  /** Sends begun before this one; above zero, the platform may have it already. */
  attempts: number;
  createdAt: Date;
}

export interface ActionOutboxStore {
  /** Writes the entry, claimed by `holder` until `until`, its first send begun. */
  add(platform: string, entry: Omit<OutboxEntry, "attempts">, holder: string, until: Date): Promise<void>;
  /** Marks these entries sent (a fan-out's sends share one write). */
  markSent(sent: ReadonlyArray<{ workspace: string; key: string }>, at: Date): Promise<void>;
  /** Claims up to `limit` unsent entries of `platform` whose claim ran out (their sender died), oldest first. */
  claimAbandoned(
    platform: string,
    holder: string,
    now: Date,
    until: Date,
    limit: number,
  ): Promise<OutboxEntry[]>;
  /**
   * Lets go of an entry whose send failed: any replica's sweep claims it again from `retryAt`, and
   * sends `action` (what was being sent: a reserved action's final text) rather than what was saved.
   */
  release(workspace: string, key: string, retryAt: Date, action: Action): Promise<void>;
  /** Extends `holder`'s claims on its unsent entries to `until` (it is still sending them). */
  renew(platform: string, holder: string, until: Date): Promise<void>;
  /** Forgets entries sent before `before`. */
  purgeSent(before: Date): Promise<number>;
}
