/**
 * Drives the core Scheduler on the wall clock: node-schedule arms a single job for the earliest due
 * task, and re-arms whenever the queue changes. The maths of *when* lives in the core; this only waits.
 * Tasks due together run a few at a time: each mostly waits on the database and the platform's API, and
 * a thousand rota announcements due at 09:00 one after another took a minute.
 */
import schedule from "node-schedule";
import type { Clock } from "../core/ports.js";
import type { Scheduler } from "../core/scheduler.js";

/** Due work left waiting longer than this means the scheduler is stuck (a hung task, a lost timer). */
const STALL_MS = 5 * 60_000;

/**
 * Enough to keep the platform's rate limits busy rather than our own round trips; few enough that a
 * burst holds only so many claimed but not yet posted announcements, and leaves room for replies.
 */
const DEFAULT_CONCURRENCY = 16;

export class LiveSchedulerDriver {
  private job: schedule.Job | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private started = false;
  private stopped = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    /** How many due tasks may run at once. */
    private readonly concurrency = DEFAULT_CONCURRENCY,
  ) {}

  start(): void {
    this.started = true;
    this.scheduler.onChange = () => this.arm();
    this.arm();
  }

  /** For /readyz: started, not stopped, and keeping up (no due work waiting for over five minutes). */
  alive(): boolean {
    if (!this.started || this.stopped) return false;
    const next = this.scheduler.next();
    return !next || this.clock.now().getTime() - next.getTime() < STALL_MS;
  }

  /** Stops arming new work and waits for the task in flight, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.scheduler.onChange = undefined;
    this.job?.cancel();
    if (this.immediate) clearImmediate(this.immediate);
    await this.running;
  }

  private arm(): void {
    if (this.stopped) return;
    this.job?.cancel();
    this.job = undefined;
    const next = this.scheduler.next();
    if (!next) return;
    if (next.getTime() <= this.clock.now().getTime()) {
      // node-schedule refuses dates in the past; run overdue work on the next turn of the loop.
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.fire();
      });
      return;
    }
    this.job = schedule.scheduleJob(next, () => this.fire()) ?? undefined;
  }

  private fire(): void {
    this.running = this.running.then(async () => {
      if (this.stopped) return;
      await this.scheduler.runDue(this.clock.now(), { concurrency: this.concurrency });
    });
  }
}
