/**
 * One queue of timed work for the whole core. Features ask for `at(when, key, task)`; a driver decides
 * when "now" moves: the virtual clock in replay and tests, a single armed timer in live mode
 * (src/runtime/live-scheduler.ts). Tasks are not durable: features rebuild theirs from the
 * database in `start()`, and claim each occurrence there so a re-armed task never acts twice.
 */
import { errorMessage } from "./error-message.js";
import type { Logger } from "./logger.js";

export type Task = () => Promise<void>;

interface Entry {
  when: number;
  key: string;
  task: Task;
  seq: number;
  /** Set for periodic tasks: milliseconds between runs. */
  interval?: number;
}

/** How `runDue` runs the tasks that are due. */
export interface RunOptions {
  /** Lets a virtual clock stand at each task's own time while it runs (with one task at a time). */
  beforeEach?: (when: Date) => void;
  /**
   * How many due tasks may run at once (default 1: one after another). Tasks start in time order, and
   * never two with the same key at once.
   */
  concurrency?: number;
}

export class Scheduler {
  // Entries sorted by (when, seq); a binary heap would do, but sizes stay small (one per rota and
  // pending timer) and a sorted array keeps `next()` trivial.
  private entries: Entry[] = [];
  private byKey = new Map<string, Entry>();
  private seq = 0;
  // Tasks running now, by key, and whether each was cancelled meanwhile (a periodic one then stops).
  private readonly running = new Map<string, { cancelled: boolean }>();
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
      const running = this.running.get(key);
      if (running) running.cancelled = true;
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
   * Runs every task due at or before `until`, in time order: one at a time unless `concurrency` allows
   * more. `beforeEach` lets a virtual clock stand at each task's own time while it runs. A failing task
   * is logged, not rethrown: one broken rota must not stop the others.
   */
  async runDue(until: Date, options: RunOptions = {}): Promise<number> {
    const limit = until.getTime();
    const concurrency = Math.max(1, options.concurrency ?? 1);
    const runs = new Set<Promise<void>>();
    let ran = 0;
    for (;;) {
      while (runs.size < concurrency) {
        const entry = this.takeDue(limit);
        if (!entry) break;
        options.beforeEach?.(new Date(entry.when));
        const run: Promise<void> = this.runOne(entry).finally(() => runs.delete(run));
        runs.add(run);
        ran++;
      }
      if (runs.size === 0) break;
      // A task that ends frees a place, and may have scheduled more work that is due already.
      await Promise.race(runs);
    }
    if (ran > 0) this.onChange?.();
    return ran;
  }

  /** Takes the earliest task due by `limit` whose key is not running already, if any. */
  private takeDue(limit: number): Entry | undefined {
    for (let i = 0; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (entry.when > limit) return undefined;
      if (this.running.has(entry.key)) continue;
      this.entries.splice(i, 1);
      this.byKey.delete(entry.key);
      const lag = entry.interval ? Math.floor((limit - entry.when) / entry.interval) : 0;
      if (entry.interval && lag > 0) {
        // A periodic task that fell behind runs once, in its latest slot, not once per slot it missed.
        this.insert({ ...entry, when: entry.when + lag * entry.interval, seq: this.seq++ });
        i = -1;
        continue;
      }
      return entry;
    }
    return undefined;
  }

  private async runOne(entry: Entry): Promise<void> {
    const state = { cancelled: false };
    this.running.set(entry.key, state);
    try {
      await entry.task();
    } catch (err) {
      this.log.error("scheduled task failed", { key: entry.key, error: errorMessage(err) });
    } finally {
      this.running.delete(entry.key);
    }
    // A periodic task comes back, unless it was cancelled or replaced while it ran.
    if (entry.interval && !this.byKey.has(entry.key) && !state.cancelled) {
      this.insert({ ...entry, when: entry.when + entry.interval, seq: this.seq++ });
    }
  }
}
