/**
 * Leases: "only one replica at a time does X" (consume the Matrix /sync stream) on a shared database.
 * A lease is held until it expires unless its holder renews it; when the holder dies, another replica
 * takes it once it has expired. Each new tenure gets a higher `generation`, a fencing token: a store
 * can refuse writes from an old holder that has not noticed yet that it lost the lease.
 */

import { errorMessage } from "./error-message.js";
import type { Logger } from "./logger.js";
import type { Clock } from "./ports.js";

export interface Lease {
  workspace: string;
  /** What the lease is for, e.g. `matrix.sync`. */
  name: string;
  /** Who holds it: one id per replica process. */
  holder: string;
  /** Increases by one each time the lease changes hands (or is taken again after a release). */
  generation: number;
  expiresAt: Date;
}

/**
 * Persistent leases, safe with any number of processes on one database. Times come from the caller's
 * clock: replicas need clocks in step (NTP) to well within the lease's time to live.
 */
export interface LeaseStore {
  /**
   * Takes the lease for `holder` until `now + ttlMs` when it is free, expired or already `holder`'s
   * (then it is extended, same generation). Undefined when someone else holds it.
   */
  acquire(
    workspace: string,
    name: string,
    holder: string,
    now: Date,
    ttlMs: number,
  ): Promise<Lease | undefined>;
  /** Extends a lease still held in the same tenure; undefined when it was lost (taken over). */
  renew(lease: Lease, now: Date, ttlMs: number): Promise<Lease | undefined>;
  /** Gives the lease up at once so another replica need not wait for it to expire. */
  release(lease: Lease, now: Date): Promise<void>;
  /** The current unexpired lease, if any. */
  current(workspace: string, name: string, now: Date): Promise<Lease | undefined>;
}

export interface LeaseKeeperOptions {
  store: LeaseStore;
  clock: Clock;
  log: Logger;
  workspace: string;
  name: string;
  holder: string;
  /**
   * Default 20 s. With a check every ttl/4 (5 s), a standby takes over at most ttl + ttl/4 = 25 s
   * after the holder died: within the 30 s promised for Matrix sync.
   */
  ttlMs?: number;
  /** Start the work that needs the lease (e.g. syncing from the stored token). */
  onAcquired(lease: Lease): void | Promise<void>;
  /** Stop that work now: another replica has it, or may have it soon. */
  onLost(lease: Lease): void | Promise<void>;
}

/**
 * Keeps trying to hold one lease: every ttl/4 the holder renews it and a standby tries to take it.
 * `check()` is one such step, so tests drive it on a virtual clock; `start()` repeats it on a timer.
 */
export class LeaseKeeper {
  private held: Lease | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  readonly ttlMs: number;

  constructor(private readonly options: LeaseKeeperOptions) {
    this.ttlMs = options.ttlMs ?? 20_000;
  }

  get lease(): Lease | undefined {
    return this.held;
  }

  /** One renew-or-acquire step; never throws (a database error is logged and retried next time). */
  check(): Promise<void> {
    // One step at a time, so a slow database never has two steps racing each other.
    this.running = this.running
      .then(() => this.step())
      .catch((err) =>
        this.options.log.error("lease check failed", { lease: this.options.name, error: errorMessage(err) }),
      );
    return this.running;
  }

  start(): void {
    const every = Math.max(1, Math.floor(this.ttlMs / 4));
    const loop = () => {
      if (this.stopped) return;
      void this.check().then(() => {
        if (!this.stopped) this.timer = setTimeout(loop, every);
      });
    };
    loop();
  }

  /** Stops checking and releases the lease if held, so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    const lease = this.held;
    if (!lease) return;
    this.held = undefined;
    await this.options.onLost(lease);
    await this.options.store.release(lease, this.options.clock.now()).catch((err) => {
      this.options.log.warn("could not release lease; it will expire", {
        lease: lease.name,
        error: errorMessage(err),
      });
    });
  }

  private async step(): Promise<void> {
    if (this.stopped) return;
    const { store, workspace, name, holder, clock, log } = this.options;
    const now = clock.now();
    if (this.held) {
      const lease = this.held;
      let renewed: Lease | undefined;
      try {
        renewed = await store.renew(lease, now, this.ttlMs);
      } catch (err) {
        log.warn("could not renew lease", { lease: name, error: errorMessage(err) });
        // Unable to reach the database: keep working only while the lease surely is still ours.
        if (clock.now() < lease.expiresAt) return;
      }
      if (renewed) {
        this.held = renewed;
        return;
      }
      this.held = undefined;
      log.warn("lease lost", { lease: name, generation: lease.generation });
      await this.notify(() => this.options.onLost(lease));
      return;
    }
    let acquired: Lease | undefined;
    try {
      acquired = await store.acquire(workspace, name, holder, now, this.ttlMs);
    } catch (err) {
      log.warn("could not acquire lease", { lease: name, error: errorMessage(err) });
      return;
    }
    if (!acquired) return;
    this.held = acquired;
    // Stopped meanwhile: stop() releases it right after this step, without starting the work.
    if (this.stopped) return;
    log.info("lease acquired", { lease: name, generation: acquired.generation });
    await this.notify(() => this.options.onAcquired(acquired));
  }

  private async notify(callback: () => void | Promise<void>): Promise<void> {
    try {
      await callback();
    } catch (err) {
      this.options.log.error("lease callback failed", { lease: this.options.name, error: errorMessage(err) });
    }
  }
}
