/**
 * The pace of one Web API method in one workspace: Slack limits each method per app per workspace,
 * and posting also per channel.
 * - Calls go first come, first served, a few in flight at once. A call for a channel (a lane) also
 *   waits until the channel's previous call has ended and its gap has passed, keeping its place
 *   meanwhile: calls that came later to other channels go ahead of it, but not past it once its
 *   channel is ready. So a channel with a backlog moves at its own pace and holds nobody up, and a
 *   post that has waited for its channel goes before newer ones.
 * - A call answered 429 holds the method until its Retry-After has passed, then goes again in its
 *   place: never dropped, never retried in a tight loop.
 * - Slack publishes no number for some limits (chat.postMessage's workspace-wide one), so a 429 also
 *   teaches one: the calls that got through in the Retry-After before it are taken as what any such
 *   stretch of time allows, and from then on a call waits while that many went out in the last one.
 *   Without this, each 429 stopped every post for a whole Retry-After and then let a burst run into
 *   the next 429. What was learnt is forgotten after ten minutes without a 429, in case the limit was
 *   met at a busy moment.
 */
import { webApi } from "@slack/bolt";

export interface LimiterOptions {
  /** Calls in flight at once. */
  places: number;
  /** Gap between the end of one call in a lane and the start of the next. */
  laneGapMs: number;
  /** Wait used when a 429 carries no usable Retry-After. */
  fallbackRetryMs: number;
  now(): number;
  /** Resolves after `ms`, or as soon as `wake` is aborted. */
  sleep(ms: number, wake: AbortSignal): Promise<void>;
  /** Called on each 429, with the wait it asked for. */
  onRateLimited(waitMs: number): void;
}

interface Waiting {
  /** Place in line: the order calls came in. */
  turn: number;
  lane: string | undefined;
  go(): void;
}

/** Longest stretch of past calls kept to learn a rate from. */
const MAX_WINDOW_MS = 60_000;
const FORGET_AFTER_MS = 10 * 60_000;
const MAX_LANES_REMEMBERED = 1000;

export class MethodLimiter {
  private turns = 0;
  private inFlight = 0;
  /** In order of turn. */
  private readonly waiting: Waiting[] = [];
  private readonly busyLanes = new Set<string>();
  private readonly laneEnded = new Map<string, number>();
  private heldUntil = 0;
  private learnt: { calls: number; windowMs: number; until: number } | undefined;
  /** The last 429: when the refused call went out, and the window its Retry-After suggests. */
  private learning: { at: number; windowMs: number } | undefined;
  /** When recent calls that reached Slack went out and ended, in the order they ended. */
  private readonly recent: Array<{ started: number; ended: number }> = [];
  private pumping = false;
  private wake: AbortController | undefined;

  constructor(private readonly options: LimiterOptions) {}

  /** Runs `call` (in `lane`, if given) when its turn comes, again after each 429. Rejects with any other error. */
  async run<T>(call: () => Promise<T>, lane?: string): Promise<T> {
    const turn = this.turns++;
    for (;;) {
      await this.admit(turn, lane);
      const started = this.options.now();
      try {
        const result = await call();
        this.finish(lane, started);
        return result;
      } catch (err) {
        if (!isRateLimited(err)) {
          this.finish(lane, started);
          throw err;
        }
        this.rateLimited(err.retryAfter, started);
        this.finish(lane, undefined);
      }
    }
  }

  private admit(turn: number, lane: string | undefined): Promise<void> {
    return new Promise((go) => {
      let i = this.waiting.length;
      while (i > 0 && this.waiting[i - 1]!.turn > turn) i--;
      this.waiting.splice(i, 0, { turn, lane, go });
      this.nudge();
    });
  }

  /**
   * A call ended. One that reached Slack (`started` is when it went) counts towards the learnt rate
   * and its lane's gap; one refused with 429 counts for neither.
   */
  private finish(lane: string | undefined, started: number | undefined): void {
    this.inFlight--;
    const now = this.options.now();
    const reached = started !== undefined;
    if (reached) this.recent.push({ started, ended: now });
    if (reached && this.learning && started <= this.learning.at) this.learn();
    if (lane !== undefined) {
      this.busyLanes.delete(lane);
      if (reached) this.laneEnded.set(lane, now);
      // Lanes past their gap need no entry: keep the map to the channels posted to lately.
      if (this.laneEnded.size > MAX_LANES_REMEMBERED)
        for (const [l, at] of this.laneEnded)
          if (at + this.options.laneGapMs <= now) this.laneEnded.delete(l);
    }
    while (this.recent.length > 0 && this.recent[0]!.ended <= now - MAX_WINDOW_MS) this.recent.shift();
    this.nudge();
  }

  /** A call that went out at `sent` was refused. */
  private rateLimited(retryAfterSeconds: number, sent: number): void {
    const waitMs =
      Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0
        ? retryAfterSeconds * 1000
        : this.options.fallbackRetryMs;
    this.options.onRateLimited(waitMs);
    const now = this.options.now();
    this.heldUntil = Math.max(this.heldUntil, now + waitMs);
    // Slack counted up to the refused call, not up to its answer: the answer may come back much later
    // (a slow network, a busy process), and the calls before it are what the limit allowed.
    this.learning = { at: sent, windowMs: Math.min(waitMs, MAX_WINDOW_MS) };
    this.learn();
  }

  /**
   * The rate Slack allowed before the last 429: the calls that went out within its window before it
   * (a call that went just before the window may have reached Slack within it too, but counting it
   * could learn a rate Slack refuses at once). Calls still in flight at the 429 count once they end.
   */
  private learn(): void {
    const learning = this.learning;
    if (!learning) return;
    const from = learning.at - learning.windowMs;
    const calls = this.recent.filter((c) => c.started > from && c.started <= learning.at).length;
    if (calls > 0) this.learnt = { calls, windowMs: learning.windowMs, until: learning.at + FORGET_AFTER_MS };
  }

  /** Something changed: look for a call to let go now rather than at the end of the current wait. */
  private nudge(): void {
    if (this.pumping) this.wake?.abort();
    else void this.pump();
  }

  /** Lets waiting calls go, one by one, as their turn comes. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.waiting.length > 0) {
        const now = this.options.now();
        let wait = this.waitBeforeNext(now);
        let next: number | undefined;
        if (wait === 0) ({ next, wait } = this.nextReady(now));
        // No place free, or every lane busy: the next call to end wakes us.
        if (wait === Number.POSITIVE_INFINITY) return;
        if (next === undefined) {
          this.wake = new AbortController();
          await this.options.sleep(wait, this.wake.signal);
          this.wake = undefined;
          continue;
        }
        const [chosen] = this.waiting.splice(next, 1);
        this.inFlight++;
        if (chosen!.lane !== undefined) this.busyLanes.add(chosen!.lane);
        chosen!.go();
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The first call in line whose lane is free and past its gap, or how long until one is. */
  private nextReady(now: number): { next?: number; wait: number } {
    const seen = new Set<string>();
    let wait = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.waiting.length; i++) {
      const lane = this.waiting[i]!.lane;
      if (lane === undefined) return { next: i, wait: 0 };
      // Only the first in each lane may go: a lane's calls keep their order.
      if (seen.has(lane)) continue;
      seen.add(lane);
      if (this.busyLanes.has(lane)) continue;
      const ready = (this.laneEnded.get(lane) ?? Number.NEGATIVE_INFINITY) + this.options.laneGapMs;
      if (ready <= now) {
        this.laneEnded.delete(lane);
        return { next: i, wait: 0 };
      }
      wait = Math.min(wait, ready - now);
    }
    return { wait };
  }

  /** How long every call must still wait: for a place, a 429's Retry-After, or the learnt rate. */
  private waitBeforeNext(now: number): number {
    if (this.inFlight >= this.options.places) return Number.POSITIVE_INFINITY;
    if (this.heldUntil > now) return this.heldUntil - now;
    const learnt = this.learnt;
    if (!learnt) return 0;
    if (learnt.until <= now) {
      this.learnt = undefined;
      return 0;
    }
    // Calls still in flight may reach Slack within this window too: count them.
    const from = now - learnt.windowMs;
    const recent = this.endedSince(from);
    if (recent + this.inFlight >= learnt.calls) {
      if (recent === 0) return Number.POSITIVE_INFINITY;
      return this.recent[this.recent.length - recent]!.ended - from;
    }
    return 0;
  }

  /** How many calls that reached Slack ended after `from`. */
  private endedSince(from: number): number {
    let lo = 0;
    let hi = this.recent.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.recent[mid]!.ended <= from) lo = mid + 1;
      else hi = mid;
    }
    return this.recent.length - lo;
  }
}

function isRateLimited(err: unknown): err is webApi.WebAPIRateLimitedError {
  return (err as { code?: string } | undefined)?.code === webApi.ErrorCode.RateLimitedError;
}
