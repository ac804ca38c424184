/**
 * What the Matrix adapter keeps between restarts. `account` is the bot's user id, so two bot accounts
 * on one homeserver (one workspace) never share a sync position or DM rooms.
 */
import type { Lease } from "../../core/leases.js";

export interface MatrixStateStore {
  /** The `next_batch` token of the last sync whose events were all handled, if any. */
  syncToken(workspace: string, account: string): Promise<string | undefined>;
  /**
   * Saves the position. With `fence` (the sync lease this replica holds), only while that tenure still
   * holds the lease: false when another replica has taken it, so an old holder never moves the position.
   */
  saveSyncToken(workspace: string, account: string, token: string, at: Date, fence?: Lease): Promise<boolean>;
  /** The DM room the bot uses for private notices to `user`, once it has one. */
  dmRoom(workspace: string, account: string, user: string): Promise<string | undefined>;
  saveDmRoom(workspace: string, account: string, user: string, roomId: string, at: Date): Promise<void>;
  /** Which of `eventIds` were already handled (the foundation's processed-event ids). */
  processedAmong(workspace: string, eventIds: readonly string[]): Promise<Set<string>>;
}
