/**
 * What this process itself delivered lately, in memory: enough to refuse at once a nudge the
 * NudgeStore would refuse anyway (the same kind to the same person within its cooldown, or a person
 * already at the daily cap), without a database transaction. Only a shortcut: the store stays the
 * judge, since another replica may have delivered too, and nothing is refused that it would allow.
 */
import { PathLruMap } from "../lru-map.js";
import type { NudgeRecipient } from "./store.js";

/** People remembered; beyond it the least recent are asked of the store again. */
const LIMIT = 10_000;

export class RecentDeliveries {
  private readonly lastOfKind = new PathLruMap<number>(LIMIT); // workspace, user, kind → ms
  private readonly perDay = new PathLruMap<number>(LIMIT); // workspace, user, local day → count

  /** True when one of the recipients is in this kind's cooldown, or at the cap, by our own deliveries. */
  refuses(
    workspace: string,
    kind: string,
    recipients: readonly NudgeRecipient[],
    at: Date,
    cooldownMinutes: number,
    dailyCap: number,
  ): boolean {
    const now = at.getTime();
    return recipients.some(({ user, day }) => {
      const last = this.lastOfKind.get(workspace, user, kind);
      if (cooldownMinutes > 0 && last !== undefined && now - last < cooldownMinutes * 60_000) return true;
      return (this.perDay.get(workspace, user, day) ?? 0) >= dailyCap;
    });
  }

  /** Notes a delivery the store accepted. */
  record(workspace: string, kind: string, recipients: readonly NudgeRecipient[], at: Date): void {
    for (const { user, day } of recipients) {
      this.lastOfKind.set(workspace, user, kind, at.getTime());
      this.perDay.set(workspace, user, day, (this.perDay.get(workspace, user, day) ?? 0) + 1);
    }
  }

  /** Forgets everything: the store has purged old deliveries, which may end a long cooldown early. */
  clear(): void {
    this.lastOfKind.clear();
    this.perDay.clear();
  }
}
