/**
 * Outgoing Web API calls, paced the way Slack asks. Posts to one channel go out one at a time, in
 * order, at most about one per second; updates of one topic or user group go out in order; every
 * method is also paced per workspace (method-limiter.ts: turns first come first served, Retry-After
 * kept after a 429, the workspace-wide posting rate learnt from it). Other channels and other
 * workspaces keep moving meanwhile. Updates wait for the workspace's posts to be sent. `drain()` lets a shutdown finish what is queued.
 */
import type { Logger } from "../../core/logger.js";
import { MethodLimiter } from "./method-limiter.js";

export interface OutboxOptions {
  /** Minimum gap between two posts in one channel (Slack: about 1 s). */
  perChannelIntervalMs: number;
  /**
   * Calls of one method to one workspace in flight at once. Enough to meet Slack's workspace-wide
   * posting limit within a few round trips, few enough that meeting it costs a handful of 429s.
   */
  callsInFlight?: number;
  /** Wait used when a 429 carries no usable Retry-After. */
  fallbackRetryMs?: number;
  log: Logger;
  /**
   * How long a topic or user-group update waits, at most, for the workspace's posts to be sent
   * before going anyway (default 30 s).
   */
  updatesYieldMs?: number;
  /** Called each time a call is rate limited (metrics). */
  onRateLimited?(): void;
  /** Resolves after `ms`, or as soon as `wake` is aborted. */
  sleep?(ms: number, wake: AbortSignal): Promise<void>;
  now?(): number;
}

const DEFAULT_CALLS_IN_FLIGHT = 16;
const DEFAULT_UPDATES_YIELD_MS = 30_000;

export class SlackOutbox {
  private readonly lanes = new Map<string, Promise<unknown>>();
  private readonly limiters = new Map<string, MethodLimiter>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Per workspace: posts queued or in flight, and who waits for there to be none. */
  private readonly posting = new Map<string, { count: number; idle: Array<() => void> }>();
  private readonly sleep: (ms: number, wake: AbortSignal) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: OutboxOptions) {
    this.sleep = options.sleep ?? wakeableSleep;
    this.now = options.now ?? Date.now;
  }

  /**
   * Posts to `channel` of `workspace` with `call` (a `method` such as chat.postMessage), after the
   * channel's earlier posts and the pacing gap. Resolves with the call's result; rejects with a Slack
   * platform error (those cannot succeed later).
   */
  post<T>(workspace: string, channel: string, method: string, call: () => Promise<T>): Promise<T> {
    const posting = this.posting.get(workspace) ?? { count: 0, idle: [] };
    this.posting.set(workspace, posting);
    posting.count++;
    const sent = this.limiter(workspace, method).run(call, channel);
    void sent
      .finally(() => {
        if (--posting.count > 0) return;
        this.posting.delete(workspace);
        for (const wake of posting.idle) wake();
      })
      .catch(() => undefined);
    return this.track(sent);
  }

  /**
   * An update of one thing (a room's topic, a user group) with `call`: after the earlier updates of
   * `target` with the same `method`, so the last one asked for is the one that stays. Posts go first:
   * an update waits (up to `updatesYieldMs`) until the workspace has none left to send, so a fan-out's
   * announcements and hand-overs reach people before the topics and groups that repeat them, and the
   * process's time goes to them while they wait (Slack allows those methods far fewer calls anyway).
   */
  update<T>(workspace: string, target: string, method: string, call: () => Promise<T>): Promise<T> {
    return this.inOrder(`${workspace} ${method} ${target}`, async () => {
      await this.postsSent(workspace);
      return this.limiter(workspace, method).run(call);
    });
  }

  /** Any other call (opening a DM, listing user groups): paced only per method and workspace. */
  call<T>(workspace: string, method: string, call: () => Promise<T>): Promise<T> {
    return this.track(this.limiter(workspace, method).run(call));
  }

  /** Waits until everything queued so far has been sent (or has failed for good). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves when `workspace` has no post queued or in flight, or after `updatesYieldMs` at most. */
  private postsSent(workspace: string): Promise<void> {
    const posting = this.posting.get(workspace);
    if (!posting) return Promise.resolve();
    const yieldMs = this.options.updatesYieldMs ?? DEFAULT_UPDATES_YIELD_MS;
    const wake = new AbortController();
    const waker = () => wake.abort();
    posting.idle.push(waker);
    return this.sleep(yieldMs, wake.signal).then(() => {
      const i = posting.idle.indexOf(waker);
      if (i >= 0) posting.idle.splice(i, 1);
    });
  }

  /** Runs `job` after the earlier jobs of `lane` have ended, whether they succeeded or not. */
  private inOrder<T>(lane: string, job: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(lane) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(job);
    this.lanes.set(lane, run);
    void run
      .finally(() => {
        if (this.lanes.get(lane) === run) this.lanes.delete(lane);
      })
      .catch(() => undefined);
    return this.track(run);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }

  private limiter(workspace: string, method: string): MethodLimiter {
    const key = `${workspace} ${method}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new MethodLimiter({
        places: this.options.callsInFlight ?? DEFAULT_CALLS_IN_FLIGHT,
        laneGapMs: this.options.perChannelIntervalMs,
        fallbackRetryMs: this.options.fallbackRetryMs ?? 1000,
        now: this.now,
        sleep: this.sleep,
        onRateLimited: (retryAfterMs) => {
          this.options.onRateLimited?.();
          this.options.log.warn("slack rate limited; waiting before retrying", { method, retryAfterMs });
        },
      });
      this.limiters.set(key, limiter);
    }
    return limiter;
  }
}

function wakeableSleep(ms: number, wake: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    wake.addEventListener("abort", done, { once: true });
  });
}
