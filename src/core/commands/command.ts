/**
 * Commands are data: a word path, a usage line, a summary, a pure parser and an executor that
 * returns a result. One table (see registry.ts) serves Slack `/rota …`, Matrix `!rota …` and replay.
 */
import type { Action } from "../actions.js";
import type { ReservedAction } from "../feature.js";
import type { Form } from "../forms.js";
import type { CommandInvocation } from "../model.js";

export type Parsed<A> = { ok: true; value: A } | { ok: false; problem: string };

/**
 * Actions that follow a reply once it is shown (a topic, a hand-over DM…), carried out together. The
 * room hears the answer first; an executor returns them rather than emitting anything itself.
 */
export interface FollowUps {
  followUps?: readonly Action[];
}

/**
 * Work whose outcome is the reply's final text (a decision's exports: network calls), done once what
 * the command saved is committed, so that it never holds the database. The reply is saved first with
 * `text`, which is what is said if the process dies before `finish` is done.
 */
export interface Finishing {
  finish?: () => Promise<string>;
  /**
   * The reply's row, saved by the executor inside its own transaction with what the command changed
   * (`CommandContext.reserveReply`): a crash then leaves both or neither. It is sent in this reply's
   * place, never saved a second time.
   */
  saved?: ReservedAction;
}

/** What a command answers. Expected failures are values, not exceptions. */
export type CommandReply =
  /** Seen by everyone in the room (or thread): confirmations of changes, announcements. */
  | ({ kind: "public"; text: string; mentions?: string[] } & FollowUps & Finishing)
  /** Seen only by the person who typed the command. */
  | ({ kind: "private"; text: string; mentions?: string[] } & FollowUps & Finishing)
  /** The input was wrong: a short private reply naming the problem, followed by the usage. */
  | { kind: "error"; problem: string }
  /** Nothing to say: the effect is the follow-ups, or the feature's own work (a rota's announcement). */
  | ({ kind: "silent" } & FollowUps)
  /**
   * A form to fill in, where the platform can show one now (`invocation.canOpenForm`); `otherwise` is
   * the answer everywhere else, and what a platform says if the form cannot be shown after all.
   */
  | { kind: "form"; form: Form; otherwise: CommandReply };

export interface CommandContext {
  invocation: CommandInvocation;
  /** `/` on Slack and in replay, `!` (configurable) on Matrix: used when echoing usage. */
  prefix: string;
  /**
   * Saves `reply` where the command was typed, unsent, for an executor that calls it inside its own
   * transaction (`CoreServices.atomically`) and returns the reservation as its reply's `saved`.
   */
  reserveReply?(reply: CommandReply): Promise<ReservedAction | undefined>;
}

export interface CommandSpec<A = unknown> {
  /** Words that select the command, e.g. `["rota", "setup"]`. The longest matching path wins. */
  path: readonly string[];
  /** Arguments after the path, e.g. `@a @b [at HH:MM] [tz Zone] [days mon-fri]`. */
  usage: string;
  /** One line for the generated help. */
  summary: string;
  /** Pure: turns the remaining words into arguments or names the problem. */
  parse(args: readonly string[]): Parsed<A>;
  run(ctx: CommandContext, args: A): Promise<CommandReply>;
}

/** Declares a command while keeping its argument type checked between parse and run. */
export function command<A>(spec: CommandSpec<A>): CommandSpec<unknown> {
  return spec as CommandSpec<unknown>;
}

export const ok = <A>(value: A): Parsed<A> => ({ ok: true, value });
export const problem = (text: string): Parsed<never> => ({ ok: false, problem: text });

/** A command whose only arguments are none at all. */
export function noArgs(args: readonly string[]): Parsed<Record<string, never>> {
  return args.length === 0 ? ok({}) : problem(`unexpected "${args.join(" ")}"`);
}
