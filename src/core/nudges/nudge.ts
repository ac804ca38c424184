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
import type { baseShape } from "./settings-shape.js";
import type { ShareHandles } from "./share.js";
import type { NudgeStore } from "./store.js";
import type { WorkingHours } from "./working-hours.js";

/** Settings every nudge has; each unit extends them with its own tuning. */
export interface BaseNudgeSettings {
  enabled: boolean;
  /** Minutes before the same person gets this kind of nudge again. */
  cooldownMinutes: number;
}

/** Something a nudge wants to say; the feature decides whether it may. */
export interface NudgeProposal {
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
  /**
   * A once-only claim (once a day, per thread, per week): taken in the transaction that saves the
   * action, so a crash leaves both or neither; false (taken already) offers nothing. Kept even when
   * the nudge is then refused (cooldown, cap, mute).
   */
  claim?(): Promise<boolean>;
  /** Called once the action was saved (e.g. to keep a short-lived share handle). */
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
  /**
   * Proposes the usual private tip: a notice to the author of `message`, where they wrote it, about
   * that message, ending with how to mute this nudge. Resolves true when it was delivered.
   */
  tipAuthor(message: ChatMessage, text: string, options?: { mentions?: string[] }): Promise<boolean>;
  /** `(Mute with `/outloud mute <this kind>`.)`, spelled for the platform: the last words of a nudge. */
  muteHint(): string;
}

/** The running part of a nudge: handlers with bounded in-memory state. */
export interface NudgeRuntime {
  /** Returns a promise only when it has work to wait for (see Feature.onEvent). */
  onMessage?(message: ChatMessage): Promise<void> | undefined;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** The settings schema as the feature sees every unit's: at least the keys all nudges share. */
export type SharedSettingsSchema = z.ZodObject<ReturnType<typeof baseShape>>;

export interface NudgeUnit<Schema extends z.ZodObject = SharedSettingsSchema, Kind extends string = string> {
  /** The name people mute it by and config keys it under, e.g. `be-kind`. */
  readonly kind: Kind;
  /** Its name in prose, e.g. `Be kind`. */
  readonly title: string;
  /** What it does, in one line: written once, for the config reference and the docs. */
  readonly description: string;
  /** zod settings with a default for every key (see settings-shape.ts). */
  readonly settings: Schema;
  /** False when rooms cannot tune it (the social call is announced in one chosen room). */
  readonly perRoom?: boolean;
  create(ctx: NudgeContext<z.output<Schema> & BaseNudgeSettings>): NudgeRuntime;
}

/** Declares a unit while keeping its settings type checked inside, and its kind a literal. */
export function nudge<Kind extends string, Schema extends z.ZodObject>(
  unit: NudgeUnit<Schema, Kind>,
): NudgeUnit<SharedSettingsSchema, Kind> {
  return unit as unknown as NudgeUnit<SharedSettingsSchema, Kind>;
}

/** The last words of every nudge: how to say it did not help, and how to make it stop. */
export function muteHint(commands: CommandSpelling, kind: string): string {
  return `(Not helpful? \`${commands.spell("outloud unhelpful")}\`. Mute with \`${commands.spell(`outloud mute ${kind}`)}\`.)`;
}
