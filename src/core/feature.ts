/**
 * A feature (rota, decisions, nudges, …) plugs into the engine through this shape: commands it
 * adds to the table, events it watches, and durable timers it re-arms at start-up.
 */
import type { Action } from "./actions.js";
import type { CommandSpec } from "./commands/command.js";
import type { CommandSpelling } from "./commands/spelling.js";
import { errorMessage } from "./error-message.js";
import type { FormSpec } from "./forms.js";
import type { Logger } from "./logger.js";
import type { ChatEvent } from "./model.js";
import type { Clock, DeliveryProblem, Directory } from "./ports.js";
import type { Scheduler } from "./scheduler.js";
import type { SummaryProvider } from "./summaries.js";

export interface Feature {
  readonly name: string;
  /** Root words this feature owns, with a one-line purpose for the help. */
  readonly roots?: Readonly<Record<string, string>>;
  readonly commands?: readonly CommandSpec[];
  /** What it shows a person about themselves (the App Home on Slack), in this order. */
  readonly summaries?: readonly SummaryProvider[];
  /** Forms this feature asks people to fill in, and carries out when they are submitted. */
  readonly forms?: readonly FormSpec[];
  /**
   * Sees every event from a human (bots' and our own messages are filtered out before). Returns a
   * promise only when it has work to wait for: most events need none, and a promise for each, in
   * every feature, was a large part of what a message allocated.
   */
  onEvent?(event: ChatEvent): Promise<void> | undefined;
  /** One of this feature's actions was refused for a reason only a person can fix. */
  onDeliveryProblem?(problem: DeliveryProblem): Promise<void>;
  /** Rebuilds timers and resumes work from the database; called once before events flow. */
  start?(): Promise<void>;
  /** Stops background work; in-flight work is finished. */
  stop?(): Promise<void>;
}

/** An action saved but not sent yet (CoreServices.reserve). */
export interface ReservedAction {
  /** Sends it, with `text` in place of the saved text when given; once the transaction committed. */
  send(text?: string): Promise<void>;
}

/** What every feature may use. Stores are passed to each feature separately by the composition root. */
export interface CoreServices {
  clock: Clock;
  scheduler: Scheduler;
  directory: Directory;
  /** Hands an action to the platform. */
  emit(action: Action): Promise<void>;
  /**
   * Runs `work` so that the claim and store writes it makes and the actions it emits are saved
   * together or not at all; the actions go out once they are. Only database work belongs inside:
   * a lookup on the platform comes before.
   */
  atomically<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Saves `action` now (inside `atomically`, with its cause) and sends it when `send` is called, with
   * its final text: for an answer that reports work done after the commit (a decision's exports). If
   * the process dies first, it goes out as saved. Every reservation must be sent.
   */
  reserve(action: Action): Promise<ReservedAction>;
  /**
   * Runs `work` once the transaction this is called in (an enclosing `atomically`: Matrix's, per
   * event) committed, without waiting for it; outside one, now, waited for. For network work that
   * must not hold the database (a decision's exports). A stop waits for it; its failure is logged.
   */
  afterCommit(work: () => Promise<void>): Promise<void>;
  /** How commands are spelled on this platform, for every text that names one. */
  commands: CommandSpelling;
  log: Logger;
}

/**
 * Sends a reserved action once `finish`, run after the commit (CoreServices.afterCommit), gives its
 * final text; if `finish` fails, as saved.
 */
export function sendWhenFinished(
  services: Pick<CoreServices, "afterCommit" | "log">,
  reserved: ReservedAction,
  finish: () => Promise<string>,
): Promise<void> {
  return services.afterCommit(async () => {
    let text: string | undefined;
    try {
      text = await finish();
    } catch (err) {
      services.log.error("work before a reply failed", { error: errorMessage(err) });
    } finally {
      // Sent whatever happened: a reservation left unsent would stay this process's until it stops.
      await reserved.send(text);
    }
  });
}
