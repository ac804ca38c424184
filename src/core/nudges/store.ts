/**
 * What the nudges remember, durably, so a restart resets nothing: deliveries (for cooldowns and the
 * daily cap), mutes, personal working hours and the pair-per-day limit of DM nudges. Only ids, kinds,
 * counts and times: never the text of a message.
 */
import type { WorkingHours } from "./working-hours.js";

/** One person a nudge is about to reach. */
export interface NudgeRecipient {
  user: string;
  /** The person's local date `YYYY-MM-DD`: the cap counts per local day. */
  day: string;
}

export interface DeliveryRequest {
  workspace: string;
  kind: string;
  recipients: NudgeRecipient[];
  at: Date;
  /** Minutes before the same person may get the same kind again. */
  cooldownMinutes: number;
  /** Nudges per person per local day. */
  dailyCap: number;
  /** Id of the message that caused it (an id, never text). */
  about?: string;
}

export type DeliveryDecision = { ok: true } | { ok: false; reason: "cooldown" | "cap"; user: string };

export interface Mute {
  /** A nudge kind, or `all`. */
  kind: string;
  /** Open-ended when absent. */
  until?: Date;
}

export interface NudgeStore {
  /**
   * Records a delivery to every recipient, or to none: refused when one of them is in cooldown for
   * this kind or already reached the daily cap. Atomic, also across processes (unique keys).
   */
  recordDelivery(request: DeliveryRequest): Promise<DeliveryDecision>;
  /** How many nudges a person got on a local day. */
  deliveredOn(workspace: string, user: string, day: string): Promise<number>;

  mute(workspace: string, user: string, mute: Mute): Promise<void>;
  /** Removes one kind's mute, or every mute when `kind` is absent. Returns how many were removed. */
  unmute(workspace: string, user: string, kind?: string): Promise<number>;
  /** Mutes in force at `at`. */
  mutes(workspace: string, user: string, at: Date): Promise<Mute[]>;

  setHours(workspace: string, user: string, hours: WorkingHours): Promise<void>;
  hours(workspace: string, user: string): Promise<WorkingHours | undefined>;

  /** Claims the one nudge of `kind` for this pair of people on `day`; false when already used. */
  claimPair(
    workspace: string,
    kind: string,
    people: readonly string[],
    day: string,
    at: Date,
  ): Promise<boolean>;

  /** The kind and time of the last nudge a person got, if any is still kept. */
  lastDelivery(workspace: string, user: string): Promise<{ kind: string; at: Date } | undefined>;

  /**
   * Records that a person found a nudge of `kind` not helpful (the kind and the time, nothing else).
   * Two marks at the same instant are one double click and count once.
   */
  markUnhelpful(workspace: string, user: string, kind: string, at: Date): Promise<void>;
  /** How many times a person marked `kind` not helpful since `since`. */
  unhelpfulSince(workspace: string, user: string, kind: string, since: Date): Promise<number>;
  /** "Not helpful" marks per kind in a workspace (all workspaces when absent), as kept. */
  unhelpfulCounts(workspace?: string): Promise<Map<string, number>>;

  /** Deletes deliveries, pair claims and "not helpful" marks older than `before`, and mutes that ended before it. */
  purge(before: Date): Promise<number>;
}
