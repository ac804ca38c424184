/**
 * The shape every nudge shares. A nudge is a unit: a kind, a one-line description, a zod settings
 * schema with defaults, an exported pure detector (in its own file, where the unit tests aim) and
 * the action it proposes. The nudges feature (feature.ts) applies the rules common to all of them
 * (switches, mutes, cooldowns, the daily cap) before anything reaches a person.
 */
import type { z } from "zod";
import type { Action } from "../actions.js";
import type { CommandSpelling } from "../commands/spelling.js";
import type { CoreServices } from "../feature.js";
import type { ChatMessage, Room } from "../model.js";
import type { ClaimStore } from "../stores.js";
import type { ShareHandles } from "./share.js";
import type { NudgeStore } from "./store.js";
import type { WorkingHours } from "./working-hours.js";

export const NUDGE_KINDS = [
  "be-kind",
  "broadcast",
  "channel-to-thread",
  "dm-to-channel",
  "impatient-pings",
  "no-hello",
  "out-of-hours",
  "social",
  "thread-to-call",
] as const;

export type NudgeKind = (typeof NUDGE_KINDS)[number];

export function isNudgeKind(word: string): word is NudgeKind {
  return (NUDGE_KINDS as readonly string[]).includes(word);
}

/** Settings every nudge has; each unit extends them with its own tuning. */
export interface BaseNudgeSettings {
  enabled: boolean;
  /** Minutes before the same person gets this kind of nudge again. */
  cooldownMinutes: number;
}

/** Something a nudge wants to say; the feature decides whether it may. */
export interface NudgeProposal {
  kind: NudgeKind;
  /** The message that caused it: its room decides the per-room switch, its id becomes `about`. */
  cause?: ChatMessage;
  /** People it is addressed to: each must be unmuted, out of cooldown and under the daily cap. */
  recipients: string[];
  action: Action;
  /** Speaks to a whole thread or room (call suggestion, social call): not counted against anyone. */
  toEveryone?: boolean;
  /**
   * For a public nudge to several people: deliver to those who can still take it (not muted, out of
   * cooldown, under the cap) and build the action for them; the others are named without a mention,
   * so they get no notification. Without it, one refusal cancels the nudge for everyone.
   */
  forAccepted?(accepted: string[]): Action;
  /** Called after the action was emitted (e.g. to keep a short-lived share handle). */
  delivered?(): void;
}

/** Where a person's working hours come from: `/outloud hours`, else the workspace default. */
export interface HoursLookup {
  hoursOf(workspace: string, user: string): Promise<{ tz: string; hours: WorkingHours }>;
}

/** What a nudge's runtime may use. */
export interface NudgeContext<S> {
  services: CoreServices;
  /** The workspace-wide settings of this nudge (room overrides come through `settingsFor`). */
  settings: S;
  /** This nudge's settings in one room, with the room's overrides from config applied. */
  settingsFor(room: Room): S;
  store: NudgeStore;
  claims: ClaimStore;
  hours: HoursLookup;
  /** Short-lived, in-memory offers to repost a DM question (see share.ts). */
  shares: ShareHandles;
  /** Time zone for people and schedules that have none of their own. */
  workspaceTimezone: string;
  /** Proposes a nudge; resolves true when it was delivered. */
  offer(proposal: NudgeProposal): Promise<boolean>;
}

/** The running part of a nudge: handlers with bounded in-memory state. */
export interface NudgeRuntime {
  onMessage?(message: ChatMessage): Promise<void>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface NudgeUnit<Schema extends z.ZodObject = z.ZodObject> {
  readonly kind: NudgeKind;
  /** One line for the help, the docs and the config reference. */
  readonly description: string;
  /** zod settings with a default for every key (see settings-shape.ts). */
  readonly settings: Schema;
  create(ctx: NudgeContext<z.output<Schema> & BaseNudgeSettings>): NudgeRuntime;
}

/** Declares a unit while keeping its settings type checked inside. */
export function nudge<Schema extends z.ZodObject>(unit: NudgeUnit<Schema>): NudgeUnit {
  return unit as unknown as NudgeUnit;
}

/** The last line of every private nudge: how to make it stop. */
export function muteHint(commands: CommandSpelling, kind: NudgeKind): string {
  return `(Mute with \`${commands.spell(`outloud mute ${kind}`)}\`.)`;
}
