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
import type { ReservedAction } from "../core/feature.js";
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
  /** The wait after a failed send before the next, doubled each time up to an hour (default 30 s). */
  retryMs?: number;
  /**
   * Inside a transaction (the cause's claim and writes, `atomically`): runs `then` once it commits
   * and says true; outside one, false (the database handle's `afterCommit`).
   */
  afterCommit?(then: () => void): boolean;
}

const SWEEP_BATCH = 20;
/**
 * Sent marks are gathered this long and written together: a fan-out's sends then share commits (a
 * mark each was 4,000 commits for 1,000 announcements). A crash loses at most this much of them: those
 * entries are sent again after their claim runs out, and the platform's check finds them sent.
 */
const MARK_GATHER_MS = 100;
/** Sends of one entry before it is given up (about four hours of waits at the default 30 s). */
const MAX_ATTEMPTS = 10;
const MAX_RETRY_WAIT_MS = 3600_000;

export class DurableOutbox {
  private readonly claimMs: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;
  /** Sends begun once their transaction committed, which a stop waits for. */
  private readonly sending = new Set<Promise<void>>();
  /** Sent, not yet marked: written together when `markTimer` fires (or at a stop). */
  private unmarked: Array<{ workspace: string; key: string }> = [];
  private markTimer: NodeJS.Timeout | undefined;
  private marking: Promise<void> = Promise.resolve();

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
    if (!written) return sink.deliver(action, { key, mayHaveBeenSent: false });
    await this.send({ ...entry, attempts: 0 });
  }

  /**
   * Writes the action down (inside a transaction, in it) but sends it only when `send` is called; till
   * then the row is this replica's, renewed while it lives. If it dies first, a sweep of any replica
   * sends the row as written: its text then is the one saved, not the one given to `send`. A send that
   * fails is retried with the text given to it.
   */
  async reserve(action: Action): Promise<ReservedAction> {
    const { store, platform, holder, sink, log } = this.options;
    const key = randomUUID();
    try {
      await store.add(
        platform,
        { workspace: action.workspace, key, action, createdAt: new Date() },
        holder,
        this.until(),
      );
    } catch (err) {
      // Inside a transaction the failure fails it, cause and all (a no-op after-commit says whether
      // one is open). Outside one the action is still sent when told, not durably, as `deliver` does.
      if (this.options.afterCommit?.(() => undefined)) throw err;
      log.warn("outbox write failed; sending without it", {
        source: action.source,
        error: errorMessage(err),
      });
      return {
        send: (text) =>
          sink.deliver(text === undefined ? action : { ...action, text }, { key, mayHaveBeenSent: false }),
      };
    }
    return {
      send: async (text) => {
        const final = text === undefined ? action : { ...action, text };
        // Still inside the transaction (an enclosing one, Matrix's per event): sent once it commits.
        if (this.options.afterCommit?.(() => this.sendCommitted(final, key))) return;
        await this.send({
          workspace: action.workspace,
          key,
          action: final,
          attempts: 0,
          createdAt: new Date(),
        });
      },
    };
  }

  /** The send of an action whose row was committed with its cause; a stop waits for it. */
  private sendCommitted(action: Action, key: string): void {
    const entry = { workspace: action.workspace, key, action, attempts: 0, createdAt: new Date() };
    const sent = this.send(entry).finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  /**
   * Sends an entry and marks it sent. A send the sink could not complete (the platform unreachable,
   * rate limits beyond the sink's patience) is released and tried again by a sweep after a wait that
   * doubles each time; after MAX_ATTEMPTS it is given up, which the log says. A sink settles what can
   * never succeed (no such room) itself, so only what may succeed later comes back here.
   */
  private async send(entry: OutboxEntry): Promise<void> {
    const { sink, store, log } = this.options;
    try {
      await sink.deliver(entry.action, { key: entry.key, mayHaveBeenSent: entry.attempts > 0 });
    } catch (err) {
      const attempts = entry.attempts + 1;
      const source = entry.action.source;
      if (attempts >= MAX_ATTEMPTS) {
        log.error("outbox gave up on an action", { source, attempts, error: errorMessage(err) });
        this.markSent(entry.workspace, entry.key);
        return;
      }
      const wait = Math.min((this.options.retryMs ?? 30_000) * 2 ** (attempts - 1), MAX_RETRY_WAIT_MS);
      log.warn("outbox send failed; trying again later", {
        source,
        attempts,
        waitMs: wait,
        error: errorMessage(err),
      });
      // Released, not renewed: a sweep of this replica or another claims it once the wait is over,
      // and sends what this send carried (a reserved action's final text, not the text it was saved with).
      await store
        .release(entry.workspace, entry.key, new Date(Date.now() + wait), entry.action)
        .catch((e) => log.warn("outbox release failed", { error: errorMessage(e) }));
      return;
    }
    this.markSent(entry.workspace, entry.key);
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
    await this.writeMarks();
  }

  private async sweep(): Promise<void> {
    const { store, platform, holder, log } = this.options;
    try {
      await store.renew(platform, holder, this.until());
      const abandoned = await store.claimAbandoned(platform, holder, new Date(), this.until(), SWEEP_BATCH);
      if (abandoned.length > 0)
        log.info("outbox: sending what was left unsent", { platform, count: abandoned.length });
      await Promise.all(abandoned.map((entry) => this.send(entry)));
      await store.purgeSent(new Date(Date.now() - (this.options.keepSentMs ?? 7 * 24 * 3600_000)));
    } catch (err) {
      log.warn("outbox sweep failed; trying again later", { platform, error: errorMessage(err) });
    }
  }

  private markSent(workspace: string, key: string): void {
    this.unmarked.push({ workspace, key });
    this.markTimer ??= setTimeout(() => void this.writeMarks(), MARK_GATHER_MS);
  }

  private writeMarks(): Promise<void> {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    const marks = this.unmarked;
    this.unmarked = [];
    if (marks.length === 0) return this.marking;
    // Not marked: a replica resends them after the claim runs out, and the platform's check finds them sent.
    this.marking = this.marking
      .then(() => this.options.store.markSent(marks, new Date()))
      .catch((err) => this.options.log.warn("outbox mark failed", { error: errorMessage(err) }));
    return this.marking;
  }

  private until(): Date {
    return new Date(Date.now() + this.claimMs);
  }
}

/** A name for this process among replicas: host, process id and a random suffix (pids repeat across restarts). */
export function replicaName(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}
