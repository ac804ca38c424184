/**
 * Delivers the export outbox: claims due rows, hands each decision to its exporter, and records the
 * outcome. Failures are retried with exponential backoff through the core Scheduler; the timer is
 * re-armed from the database in start(), so exports resume after a restart. After the last attempt
 * the row is `failed` and the decision's author is told privately. Withdrawals of undone decisions
 * (rows that `/decision undo` wrote) go the same way.
 */

import { errorMessage } from "../error-message.js";
import type { CoreServices } from "../feature.js";
import type { ClaimStore } from "../stores.js";
import type { DocumentExporter } from "./exporter.js";
import { type DecisionRecord, decisionId } from "./model.js";
import type { DecisionStore, OutboxItem } from "./store.js";

export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
  leaseMs: number;
}

const TIMER_KEY = "decisions:outbox";
// Rows claimed per round: small, so a long export does not hold many leases.
const BATCH = 5;

/** What became of one claimed row in a round: `done` when the export or the withdrawal succeeded. */
export interface OutboxOutcome {
  target: string;
  withdrawal: boolean;
  done: boolean;
}

/** The wait after failed attempt number `attempt` (1-based): first, 2×first, 4×first, … up to max. */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, attempt - 1));
}

export class OutboxWorker {
  private readonly exporters: Map<string, DocumentExporter>;
  private stopped = false;

  constructor(
    private readonly services: CoreServices,
    private readonly store: DecisionStore,
    exporters: readonly DocumentExporter[],
    private readonly policy: RetryPolicy,
    private readonly notices: {
      claims: ClaimStore;
      /**
       * Whether this engine's platform serves the workspace: with Slack and Matrix side by side, each
       * engine's worker may export any row, but only the right platform can tell the author.
       */
      serves(workspace: string): boolean;
    },
  ) {
    this.exporters = new Map(exporters.map((e) => [e.target, e]));
  }

  /** Targets that take decisions from this room. */
  targetsFor(decision: Parameters<DocumentExporter["accepts"]>[0]): string[] {
    return [...this.exporters.values()].filter((e) => e.accepts(decision)).map((e) => e.target);
  }

  get configuredTargets(): string[] {
    return [...this.exporters.keys()];
  }

  /** Targets that can take an undone decision back (the others keep what they were sent). */
  get withdrawingTargets(): string[] {
    return [...this.exporters.values()].filter((e) => e.withdraw).map((e) => e.target);
  }

  /** Resumes whatever was pending when the process stopped. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.services.scheduler.cancel(TIMER_KEY);
  }

  /**
   * Exports (or withdraws) one decision's due rows now: right after it was recorded, `/decision export`,
   * `/decision undo`. Says what became of each row it claimed; a row another process holds is not among them.
   */
  async deliver(workspace: string, number: number): Promise<OutboxOutcome[]> {
    const outcomes: OutboxOutcome[] = [];
    await this.round({ workspace, number }, outcomes);
    await this.arm();
    return outcomes;
  }

  /** Exports everything due, round after round, then arms the timer for the next due row. */
  async runDue(): Promise<void> {
    while (!this.stopped && (await this.round())) {
      // keep going while rounds find work
    }
    await this.arm();
  }

  private async round(
    only?: { workspace: string; number: number },
    outcomes: OutboxOutcome[] = [],
  ): Promise<boolean> {
    const now = this.services.clock.now();
    const items = await this.store.claimDue(now, this.policy.leaseMs, BATCH, only);
    for (const item of items) {
      const done = await (item.withdraw ? this.withdrawOne(item, item.withdraw) : this.exportOne(item));
      outcomes.push({ target: item.target, withdrawal: item.withdraw !== undefined, done });
    }
    return items.length > 0;
  }

  private async exportOne(item: OutboxItem): Promise<boolean> {
    const { log, clock } = this.services;
    const id = decisionId(item.number);
    const decision = await this.store.get(item.workspace, item.number);
    if (!decision) return false; // undone meanwhile: its row became a withdrawal
    const exporter = this.exporters.get(item.target);
    try {
      if (!exporter) throw new Error(`${item.target} is no longer configured`);
      const receipt = await exporter.export(decision, item.previous);
      await this.store.markExported(item, receipt, clock.now());
      log.debug("decision exported", {
        workspace: item.workspace,
        decision: id,
        target: item.target,
        attempt: item.attempts,
      });
      return true;
    } catch (err) {
      const reason = errorMessage(err);
      const last = !exporter || item.attempts >= this.policy.attempts;
      const now = clock.now();
      const retryAt = last ? undefined : new Date(now.getTime() + retryDelay(this.policy, item.attempts));
      const recorded = await this.store.markAttemptFailed(item, reason, now, retryAt);
      // The reason may quote the document; only its kind goes to the logs.
      log.warn("decision export failed", {
        workspace: item.workspace,
        decision: id,
        target: item.target,
        attempt: item.attempts,
        final: last,
        error: (err as { status?: number }).status ?? (err as Error).name ?? "error",
      });
      if (last && recorded && this.notices.serves(item.workspace))
        // Not saved (the database cannot write): nothing is claimed, and the author is told later.
        await this.notifyFailures(item.workspace).catch((e) =>
          log.warn("export failure notice not saved", { workspace: item.workspace, error: errorMessage(e) }),
        );
      return false;
    }
  }

  /**
   * Takes an undone decision back from a target (the file and index go, the webhook hears
   * decision.undone); a failure is retried like an export's. After the last attempt the row goes (it
   * holds the text of a decision its author took back) and the author is told what to remove by hand.
   */
  private async withdrawOne(item: OutboxItem, decision: DecisionRecord): Promise<boolean> {
    const { log, clock } = this.services;
    const exporter = this.exporters.get(item.target);
    try {
      if (!exporter?.withdraw) throw new Error(`${item.target} can no longer take decisions back`);
      await exporter.withdraw(decision);
      await this.store.finishWithdrawal(item);
      log.debug("undone decision withdrawn", {
        workspace: item.workspace,
        decision: decision.id,
        target: item.target,
        attempt: item.attempts,
      });
      return true;
    } catch (err) {
      const last = !exporter?.withdraw || item.attempts >= this.policy.attempts;
      const now = clock.now();
      log.warn("undone decision not withdrawn", {
        workspace: item.workspace,
        decision: decision.id,
        target: item.target,
        attempt: item.attempts,
        final: last,
        error: (err as { status?: number }).status ?? (err as Error).name ?? "error",
      });
      if (!last) {
        const retryAt = new Date(now.getTime() + retryDelay(this.policy, item.attempts));
        await this.store.markAttemptFailed(item, errorMessage(err), now, retryAt);
      } else {
        // The row goes with the notice that replaces it, in one transaction: a crash leaves the row
        // (tried once more, then told) or the notice saved (sent after the restart), never neither.
        const serves = this.notices.serves(item.workspace);
        // Not saved: the row stays, claimed until its lease ends, and the next round tries this again.
        await this.services
          .atomically(async () => {
            if (!(await this.store.finishWithdrawal(item)) || !serves) return;
            await this.services.emit({
              workspace: item.workspace,
              action: "dm",
              user: decision.author.id,
              source: "decision.export",
              text:
                `Your undone decision ${decision.id} ("${decision.title}") could not be taken back from ${item.target} ` +
                `after ${item.attempts} attempt${item.attempts === 1 ? "" : "s"}: ${errorMessage(err)}. Remove it there if needed.`,
            });
          })
          .catch((e) =>
            log.warn("withdrawal notice not saved", { workspace: item.workspace, error: errorMessage(e) }),
          );
      }
      return false;
    }
  }

  /**
   * Tells each author, once, about exports of theirs that failed for good. Called after a final failure
   * and when the engine first hears from a workspace (so failures while it was away are not lost).
   */
  async notifyFailures(workspace: string): Promise<void> {
    const now = this.services.clock.now();
    for (const f of await this.store.failures(workspace)) {
      const key = `decision:export-failed:${f.number}:${f.target}:${f.failedAt.toISOString()}`;
      // The claim and the DM are saved together: a crash leaves both (the DM is sent after the
      // restart) or neither (the author is told when the workspace is next heard from).
      await this.services.atomically(async () => {
        if (!(await this.notices.claims.claim(workspace, key, now))) return;
        const decision = await this.store.get(workspace, f.number);
        if (!decision) return;
        const id = decision.id;
        await this.services.emit({
          workspace,
          action: "dm",
          user: decision.author.id,
          source: "decision.export",
          text:
            `Your decision ${id} ("${decision.title}") could not be exported to ${f.target} after ${f.attempts} ` +
            `attempt${f.attempts === 1 ? "" : "s"}: ${f.error}. Once that is fixed, \`${this.services.commands.spell(`decision export ${id}`)}\` tries again.`,
        });
      });
    }
  }

  /** Arms one timer at the earliest due row (a row leased by a dead process counts from its lease end). */
  private async arm(): Promise<void> {
    if (this.stopped) return;
    const due = await this.store.nextDue();
    if (!due) return;
    const now = this.services.clock.now();
    const when = due.getTime() > now.getTime() ? due : now;
    this.services.scheduler.at(when, TIMER_KEY, () => this.runDue());
  }
}
