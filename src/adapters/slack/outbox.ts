/**
 * Outgoing Web API calls, paced the way Slack asks: posts to one channel go out one at a time, at
 * most about one per second, and a call answered 429 waits its Retry-After and goes again: never
 * dropped, never retried in a tight loop. Other channels keep moving meanwhile. `drain()` lets a
 * shutdown finish what is queued.
 */
import { webApi } from "@slack/bolt";
import type { Logger } from "../../core/scheduler.js";

export interface OutboxOptions {
  /** Minimum gap between two posts in one channel (Slack: about 1 s). */
  perChannelIntervalMs: number;
  /** Wait used when a 429 carries no usable Retry-After. */
  fallbackRetryMs?: number;
  log: Logger;
  /** Called each time a call is rate limited (metrics). */
  onRateLimited?(): void;
  sleep?(ms: number): Promise<void>;
}

export class SlackOutbox {
  private readonly lanes = new Map<string, Promise<unknown>>();
  private readonly lastSent = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: OutboxOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Runs `call` in the lane `lane` (e.g. `T1/C42`), after the lane's earlier calls and the pacing gap.
   * Resolves with the call's result; rejects with a Slack platform error (those cannot succeed later).
   */
  send<T>(lane: string, call: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(lane) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.paced(lane, call));
    this.lanes.set(lane, run);
    this.track(run);
    void run
      .finally(() => {
        if (this.lanes.get(lane) === run) this.lanes.delete(lane);
      })
      .catch(() => undefined);
    return run;
  }

  /** A call outside any channel lane (topics, user groups): only the 429 handling applies. */
  call<T>(call: () => Promise<T>): Promise<T> {
    const run = this.withRetryAfter(call);
    this.track(run);
    return run;
  }

  /** Waits until everything queued so far has been sent (or has failed for good). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get pending(): number {
    return this.inFlight.size;
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
  }

  private async paced<T>(lane: string, call: () => Promise<T>): Promise<T> {
    const last = this.lastSent.get(lane);
    if (last !== undefined) {
      const wait = last + this.options.perChannelIntervalMs - Date.now();
      if (wait > 0) await this.sleep(wait);
    }
    try {
      return await this.withRetryAfter(call);
    } finally {
      this.lastSent.set(lane, Date.now());
    }
  }

  private async withRetryAfter<T>(call: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (err) {
        if (!isRateLimited(err)) throw err;
        this.options.onRateLimited?.();
        const seconds = err.retryAfter;
        const waitMs =
          Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : (this.options.fallbackRetryMs ?? 1000);
        this.options.log.warn("slack rate limited; waiting before retrying", { retryAfterMs: waitMs });
        await this.sleep(waitMs);
      }
    }
  }
}

function isRateLimited(err: unknown): err is webApi.WebAPIRateLimitedError {
  return (err as { code?: string } | undefined)?.code === webApi.ErrorCode.RateLimitedError;
}
