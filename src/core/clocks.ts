/** The two clocks: the wall clock of live mode, and a virtual one that replay and tests move by hand. */
import type { Clock } from "./ports.js";
import type { Scheduler } from "./scheduler.js";

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

  /**
   * Moves to `when`, first running everything scheduled before it, each at its own time. A replay
   * moves the clock for every line and mostly nothing falls due on the way: then no promise.
   */
  advanceTo(when: Date, scheduler: Scheduler): Promise<void> | undefined {
    if (when.getTime() < this.current) return undefined;
    const next = scheduler.next();
    if (next === undefined || next.getTime() > when.getTime()) {
      this.current = when.getTime();
      return undefined;
    }
    return this.runDue(when, scheduler);
  }

  private async runDue(when: Date, scheduler: Scheduler): Promise<void> {
    await scheduler.runDue(when, {
      beforeEach: (due) => {
        if (due.getTime() > this.current) this.current = due.getTime();
      },
    });
    this.current = when.getTime();
  }
}

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
