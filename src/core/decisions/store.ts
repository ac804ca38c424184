/**
 * Storage port for decisions and their export outbox. One implementation runs on SQLite and
 * PostgreSQL (src/storage/decision-store.ts); the contract tests in test/contract/decision-store.test.ts
 * hold any implementation to the same behaviour.
 */
import type { ExportReceipt } from "./exporter.js";
import type { DecisionRecord, ExportState, Person } from "./model.js";

export interface NewDecision {
  workspace: string;
  title: string;
  text: string;
  author: Person;
  room: { id: string; name: string; private?: boolean };
  thread?: string;
  link?: string;
  participants: Person[];
  at: Date;
  /** Number of the decision this one replaces; it becomes `superseded` in the same transaction. */
  supersedes?: number;
}

export interface DecisionQuery {
  /** A room id, or its name with or without `#`. */
  room?: string;
  /** Only decisions taken at or after this instant. */
  since?: Date;
  limit: number;
}

/**
 * One claimed outbox row: export decision `number` of `workspace` to `target`, or, when `withdraw` is
 * set, take that undone decision back from it.
 */
export interface OutboxItem {
  workspace: string;
  number: number;
  target: string;
  /** Attempts so far, this one included. */
  attempts: number;
  /** Receipt of the last successful export, so a re-export updates the same document. */
  previous?: ExportReceipt;
  /** The undone decision to take back (its row is gone; this is the decision as it was). */
  withdraw?: DecisionRecord;
  /** Proves the claim is still ours when reporting the result (a stale worker's report is ignored). */
  token: string;
}

/** `record` was asked to supersede a decision that does not exist or is already superseded. */
export class SupersedeError extends Error {
  constructor(readonly id: string) {
    super(`${id} does not exist or is already superseded`);
  }
}

export interface ExportFailure {
  number: number;
  target: string;
  attempts: number;
  error: string;
  failedAt: Date;
}

export interface DecisionStore {
  /**
   * Records a new decision with the next short id of its workspace, one pending outbox row per
   * target, and (when it supersedes another) the old decision's new status and its re-export, all in
   * ONE transaction: a decision is never recorded without its exports, nor the reverse. Throws
   * SupersedeError (and records nothing) when the decision to supersede is missing or superseded.
   */
  record(input: NewDecision, targets: readonly string[]): Promise<DecisionRecord>;
  get(workspace: string, number: number): Promise<DecisionRecord | undefined>;
  /** Newest first. */
  list(workspace: string, query: DecisionQuery): Promise<DecisionRecord[]>;
  /** Full-text search over title and text, best match first (FTS5 on SQLite, tsvector on PostgreSQL). */
  search(workspace: string, words: string, limit: number): Promise<DecisionRecord[]>;
  /**
   * Removes a decision (undo); a decision it superseded becomes accepted again and is queued for
   * re-export. In the same transaction, each of `withdrawFrom` that may hold the decision (exported,
   * or tried) gets a pending withdrawal row carrying the decision, due now; its other outbox rows go.
   * Returns the export states it had, so the caller can say what was already written elsewhere.
   */
  remove(
    workspace: string,
    number: number,
    now: Date,
    withdrawFrom: readonly string[],
  ): Promise<ExportState[]>;

  /** Export state per target, in target order. */
  exports(workspace: string, number: number): Promise<ExportState[]>;
  /** Makes the decision's rows (all targets, or those named) due now with fresh attempts. */
  requeue(workspace: string, number: number, now: Date, targets?: readonly string[]): Promise<number>;
  /**
   * Claims up to `limit` due rows (pending, due at or before `now`, not leased by someone else) for
   * `leaseMs`. Safe with several processes: a row is claimed by one of them only. An unfinished claim
   * (a process that died) can be claimed again once its lease has run out.
   */
  claimDue(
    now: Date,
    leaseMs: number,
    limit: number,
    only?: { workspace: string; number: number },
  ): Promise<OutboxItem[]>;
  /** Records a successful export; false when the claim was lost (requeued or re-claimed meanwhile). */
  markExported(item: OutboxItem, receipt: ExportReceipt, now: Date): Promise<boolean>;
  /** A withdrawal is over (done, or given up): its row and the decision it carried go. */
  finishWithdrawal(item: OutboxItem): Promise<boolean>;
  /** Records a failed attempt: retried at `retryAt`, or `failed` for good when it is undefined. */
  markAttemptFailed(item: OutboxItem, error: string, now: Date, retryAt: Date | undefined): Promise<boolean>;
  /** When the earliest pending row becomes claimable, if any. */
  nextDue(): Promise<Date | undefined>;
  /** Exports still to deliver, in every workspace (the outbox depth metric). */
  pendingCount(): Promise<number>;
  /** Exports of a workspace that failed for good, with when they failed (so each failure is reported once). */
  failures(workspace: string): Promise<ExportFailure[]>;
}
