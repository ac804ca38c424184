/**
 * One queue of timed work for the whole core. Features ask for `at(when, key, task)`; a driver decides
 * when "now" moves: the virtual clock in replay and tests, a single armed timer in live mode
 * (src/scheduler/live-scheduler.ts). Tasks are not durable: features rebuild theirs from the
 * database in `start()`, and claim each occurrence there so a re-armed task never acts twice.
 */
import type { Clock } from "./ports.js";

export type Task = () => Promise<void>;

interface Entry {
  when: number;
  key: string;
  task: Task;
  seq: number;
  /** Set for periodic tasks: milliseconds between runs. */
  interval?: number;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export class Scheduler {
  // Entries sorted by (when, seq); a binary heap would do, but sizes stay small (one per rota and
  // pending timer) and a sorted array keeps `next()` trivial.
  private entries: Entry[] = [];
  private byKey = new Map<string, Entry>();
  private seq = 0;
  private running: Entry | undefined;
  private runningCancelled = false;
  /** Called whenever the earliest due time may have changed (live driver re-arms its timer). */
  onChange: (() => void) | undefined;

  constructor(private readonly log: Logger) {}

  /** Runs `task` at `when`; replaces any pending task with the same key. */
  at(when: Date, key: string, task: Task): void {
    this.insert({ when: when.getTime(), key, task, seq: this.seq++ });
  }

  /**
   * Runs `task` every `intervalMs`, the first time one interval after `from`. When the clock jumps
   * (a replay crossing a quiet week), the runs it skipped over are coalesced into one: a periodic
   * check does not need to run ten thousand times to catch up.
   */
  every(key: string, intervalMs: number, from: Date, task: Task): void {
    if (intervalMs <= 0) throw new Error("interval must be positive");
    this.insert({ when: from.getTime() + intervalMs, key, task, seq: this.seq++, interval: intervalMs });
  }

  private insert(entry: Entry): void {
    this.cancel(entry.key, false);
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = this.entries[mid]!;
      if (other.when < entry.when || (other.when === entry.when && other.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, entry);
    this.byKey.set(entry.key, entry);
    this.onChange?.();
  }

  cancel(key: string, notify = true): void {
    const entry = this.byKey.get(key);
    if (!entry) {
      // Cancelling a periodic task from inside its own run stops it coming back.
      if (this.running?.key === key) this.runningCancelled = true;
      return;
    }
    this.byKey.delete(key);
    const i = this.entries.indexOf(entry);
    if (i >= 0) this.entries.splice(i, 1);
    if (notify) this.onChange?.();
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** When the earliest pending task is due, if any. */
  next(): Date | undefined {
    const first = this.entries[0];
    return first ? new Date(first.when) : undefined;
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Runs every task due at or before `until`, in time order, one at a time. `beforeEach` lets a
   * virtual clock stand at each task's own time while it runs. A failing task is logged, not rethrown:
   * one broken rota must not stop the others.
   */
  async runDue(until: Date, beforeEach?: (when: Date) => void): Promise<number> {
    let ran = 0;
    const limit = until.getTime();
    for (;;) {
      const first = this.entries[0];
      if (!first || first.when > limit) break;
      this.entries.shift();
      this.byKey.delete(first.key);
      const lag = first.interval ? Math.floor((limit - first.when) / first.interval) : 0;
      if (first.interval && lag > 0) {
        // A periodic task that fell behind runs once, in its latest slot, not once per slot it missed.
        this.insert({ ...first, when: first.when + lag * first.interval, seq: this.seq++ });
        continue;
      }
      beforeEach?.(new Date(first.when));
      this.running = first;
      this.runningCancelled = false;
      try {
        await first.task();
      } catch (err) {
        this.log.error("scheduled task failed", { key: first.key, error: errorMessage(err) });
      } finally {
        this.running = undefined;
      }
      ran++;
      // A periodic task comes back, unless it was cancelled or replaced while it ran.
      if (first.interval && !this.byKey.has(first.key) && !this.runningCancelled) {
        this.insert({ ...first, when: first.when + first.interval, seq: this.seq++ });
      }
    }
    if (ran > 0) this.onChange?.();
    return ran;
  }
}

/** A clock that only moves when told to: replay, the playground's fast-forward, and tests. */
export class VirtualClock implements Clock {
  private current: number;

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(when: Date): void {
    this.current = when.getTime();
  }

  /** Moves to `when`, first running everything scheduled before it, each at its own time. */
  async advanceTo(when: Date, scheduler: Scheduler): Promise<void> {
    if (when.getTime() < this.current) return;
    await scheduler.runDue(when, (due) => {
      if (due.getTime() > this.current) this.current = due.getTime();
    });
    this.current = when.getTime();
  }
}

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
