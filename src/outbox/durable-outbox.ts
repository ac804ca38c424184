/**
 * The durable outbox: every action a platform's core takes is written to the database before it is
 * sent and marked sent after, so that one waiting behind a rate limit when the process dies is sent
 * after all, by this replica on restart or by any other. Each entry is claimed by the replica sending
 * it, and the claim is renewed while that replica lives; one whose claim ran out is taken over.
 * The sink (the platform's paced sender) gets the entry's key with each send, the same on a resend,
 * so the platform can tell a repeat (Matrix transaction ids, Slack message metadata).
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Action } from "../core/actions.js";
import { errorMessage } from "../core/error-message.js";
import type { Logger } from "../core/logger.js";
import type { ActionSink } from "../core/ports.js";
import type { ActionOutboxStore, OutboxEntry } from "./store.js";

export interface DurableOutboxOptions {
  /** `slack`, `matrix`: this replica sends the entries of its own platform only. */
  platform: string;
  store: ActionOutboxStore;
  sink: ActionSink;
  log: Logger;
  /** This replica's name in its claims. */
  holder: string;
  /** How long a claim holds without renewal: a dead replica's entries wait this long (default 15 s). */
  claimMs?: number;
  /** How long sent entries are kept (default 7 days). */
  keepSentMs?: number;
  /**
   * Inside a transaction (the cause's claim and writes, `atomically`): runs `then` once it commits
   * and says true; outside one, false (the database handle's `afterCommit`).
   */
  afterCommit?(then: () => void): boolean;
}

const SWEEP_BATCH = 20;

export class DurableOutbox {
  private readonly claimMs: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;
  /** Sends begun once their transaction committed, which a stop waits for. */
  private readonly sending = new Set<Promise<void>>();

  constructor(private readonly options: DurableOutboxOptions) {
    this.claimMs = options.claimMs ?? 15_000;
  }

  /**
   * Writes the action down, sends it, marks it sent. Inside a transaction the row is written in it,
   * with what caused the action, and the send waits for the commit; a failed write then fails the
   * transaction. Outside one, an action that cannot be written is sent anyway (not durably).
   */
  async deliver(action: Action): Promise<void> {
    const { store, sink, platform, holder, log } = this.options;
    const key = randomUUID();
    const entry = { workspace: action.workspace, key, action, createdAt: new Date() };
    if (this.options.afterCommit?.(() => this.sendCommitted(action, key))) {
      await store.add(platform, entry, holder, this.until());
      return;
    }
    let written = true;
    try {
      await store.add(platform, entry, holder, this.until());
    } catch (err) {
      written = false;
      log.warn("outbox write failed; sending without it", {
        source: action.source,
        error: errorMessage(err),
      });
    }
    await sink.deliver(action, { key, mayHaveBeenSent: false });
    if (written) await this.markSent(action.workspace, key);
  }

  /** The send of an action whose row was committed with its cause; a stop waits for it. */
  private sendCommitted(action: Action, key: string): void {
    const sent = this.options.sink
      .deliver(action, { key, mayHaveBeenSent: false })
      .then(() => this.markSent(action.workspace, key))
      .catch((err) =>
        // Left unsent: sent again after a restart, or by another replica if this one dies.
        this.options.log.warn("outbox send failed", { source: action.source, error: errorMessage(err) }),
      )
      .finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  /** Sends what dead replicas left unsent, then keeps the claims of this one fresh, every third of a claim. */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.sweeping ??= this.sweep().finally(() => {
        this.sweeping = undefined;
      });
    };
    tick();
    this.timer = setInterval(tick, Math.max(1000, Math.floor(this.claimMs / 3)));
    this.timer.unref();
  }

  /** Stops sweeping; what this replica still sends finishes through the sink's own drain. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.sweeping;
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
  }

  private async sweep(): Promise<void> {
    const { store, platform, holder, log } = this.options;
    try {
      await store.renew(platform, holder, this.until());
      const abandoned = await store.claimAbandoned(platform, holder, new Date(), this.until(), SWEEP_BATCH);
      if (abandoned.length > 0)
        log.info("outbox: sending what was left unsent", { platform, count: abandoned.length });
      await Promise.all(abandoned.map((entry) => this.resend(entry)));
      await store.purgeSent(new Date(Date.now() - (this.options.keepSentMs ?? 7 * 24 * 3600_000)));
    } catch (err) {
      log.warn("outbox sweep failed; trying again later", { platform, error: errorMessage(err) });
    }
  }

  private async resend(entry: OutboxEntry): Promise<void> {
    await this.options.sink.deliver(entry.action, { key: entry.key, mayHaveBeenSent: entry.attempts > 0 });
    await this.markSent(entry.workspace, entry.key);
  }

  private async markSent(workspace: string, key: string): Promise<void> {
    // Not marked: a replica resends it after the claim runs out, and the platform's check finds it sent.
    await this.options.store
      .markSent(workspace, key, new Date())
      .catch((err) => this.options.log.warn("outbox mark failed", { error: errorMessage(err) }));
  }

  private until(): Date {
    return new Date(Date.now() + this.claimMs);
  }
}

/** A name for this process among replicas: host, process id and a random suffix (pids repeat across restarts). */
export function replicaName(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}
