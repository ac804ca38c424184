/**
 * A decision as Outloud records it: what was decided, by whom, where, and where it was written down.
 * Ids are short and per workspace (`D-12`) so people can type them in commands.
 */

import type { ReservedAction } from "../feature.js";
import type { Room } from "../model.js";

export type DecisionStatus = "accepted" | "superseded";

export interface Person {
  id: string;
  name: string;
}

export interface DecisionRecord {
  workspace: string;
  /** Short id typed in commands, `D-<number>`. */
  id: string;
  /** Per-workspace sequence number; never reused, even after an undo. */
  number: number;
  /** First sentence of the text, at most 80 characters. */
  title: string;
  text: string;
  author: Person;
  /** `private` is true for a private room: its decisions are shown only to its members. */
  room: { id: string; name: string; private?: boolean };
  /** Root message of the thread the decision was taken in. */
  thread?: string;
  /** Link back to the conversation (Slack permalink, matrix.to), when the platform has one. */
  link?: string;
  /** People who took part in the thread (the author included). */
  participants: Person[];
  at: Date;
  status: DecisionStatus;
  /** Id (`D-7`) of the decision this one replaces. */
  supersedes?: string;
  /** Id of the decision that replaced this one. */
  supersededBy?: string;
}

/** The export state of one decision for one target, as `/decision show` reports it. */
export type ExportStatus = "pending" | "exported" | "failed";

export interface ExportState {
  target: string;
  status: ExportStatus;
  attempts: number;
  nextAttemptAt?: Date;
  lastError?: string;
  /** Where the document is (a path, a URL, a list of addresses), once exported. */
  location?: string;
}

export function decisionId(number: number): string {
  return `D-${number}`;
}

/** `D-12`, `d-12` or `12` → 12. */
export function parseDecisionId(word: string): number | undefined {
  const m = /^(?:d-?)?(\d{1,9})$/i.exec(word.trim());
  return m ? Number(m[1]) : undefined;
}

/** A decision to record, from a command, a reaction or the Slack "Record as decision" shortcut. */
export interface DecisionRequest {
  workspace: string;
  room: Room;
  /** Root of the thread it was taken in; for a message outside threads, the message itself. */
  thread?: string;
  /** Who stated the decision. */
  author: string;
  /** Someone else who took part (the person who reacted), if any. */
  recordedBy?: string;
  text: string;
  /** Given in the form; otherwise the text's first sentence. */
  title?: string;
  at: Date;
  supersedes?: number;
}

export type RecordResult =
  | {
      ok: true;
      decision: DecisionRecord;
      /** The confirmation as saved: its exports pending. */
      text: string;
      /**
       * Exports it (network calls: after the commit, never inside a transaction) and gives the
       * confirmation saying how that went.
       */
      exported: () => Promise<string>;
      /** The confirmation, saved with the decision (SaveConfirmation): to send with `exported`'s text. */
      saved?: ReservedAction;
    }
  | { ok: false; problem: string };

/**
 * Saves the confirmation `text` unsent, called inside the transaction that records the decision so
 * that a crash leaves both or neither (CoreServices.reserve, CommandContext.reserveReply).
 */
export type SaveConfirmation = (text: string) => Promise<ReservedAction | undefined>;
