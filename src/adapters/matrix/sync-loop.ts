/**
 * The long-poll `/sync` loop. We run our own rather than the SDK's `startClient()`: the position must
 * be saved in our database only after every event of a batch has been handled (the SDK advances its
 * token before our async handlers finish), and a `limited` timeline must be back-filled in order before
 * the batch's own events. Requests still go through the SDK's HTTP layer (auth, MatrixError parsing).
 *
 * The loop runs only while this replica holds the sync lease, so it can be started and stopped many
 * times: each run has its own abort signal and starts from the position stored in the database, which
 * the previous holder (this replica or another) saved.
 */
import { errorMessage } from "../../core/error-message.js";
import type { Logger } from "../../core/logger.js";
import type { SyncResponse } from "./events.js";
import { rateLimitWait } from "./rate-limit.js";

export interface SyncSource {
  /** One `/sync` request; resolves with the batch, rejects on errors. */
  sync(since: string | undefined, timeoutMs: number, signal: AbortSignal): Promise<SyncResponse>;
}

export interface SyncLoopOptions {
  source: SyncSource;
  /** Handles one batch; `first` is true for the very first sync of a fresh bot (history, not news). */
  onBatch(batch: SyncResponse, first: boolean): Promise<void>;
  loadToken(): Promise<string | undefined>;
  /** Saves the position; false when it was refused because this replica no longer holds the lease. */
  saveToken(token: string): Promise<boolean>;
  log: Logger;
  /** Long-poll timeout the server may hold a request for. */
  pollTimeoutMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export class SyncLoop {
  private abort: AbortController | undefined;
  private running: Promise<void> = Promise.resolve();
  private synced = false;
  private failures = 0;

  constructor(private readonly options: SyncLoopOptions) {}

  /** True while a run is going, once it has synced and its last sync did not fail. */
  healthy(): boolean {
    return this.active && this.synced && this.failures === 0;
  }

  /** A run is going (started and neither stopped nor fenced off). */
  get active(): boolean {
    return this.abort !== undefined && !this.abort.signal.aborted;
  }

  /**
   * Starts a run in the background (after the previous run has wound down, so one process never runs
   * two). Resolves once its first batch is handled; rejects if that first sync fails, while the run
   * goes on retrying (a caller that gives up calls stop()).
   */
  start(): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.synced = false;
    this.failures = 0;
    let firstDone: (err?: unknown) => void = () => {};
    const first = new Promise<void>((resolve, reject) => {
      firstDone = (err) => (err === undefined ? resolve() : reject(err));
    });
    this.running = this.running.then(() => this.run(abort, firstDone));
    return first;
  }

  /** Stops the current run (aborting a pending long poll) and waits until it has wound down. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
  }

  private async run(abort: AbortController, firstDone: (err?: unknown) => void): Promise<void> {
    const signal = abort.signal;
    let token: string | undefined;
    let reported = false;
    const report = (err?: unknown) => {
      if (!reported) firstDone(err);
      reported = true;
    };
    while (!signal.aborted) {
      try {
        // Read afresh on each run: another replica may have moved the position while we stood by.
        if (token === undefined) token = await this.options.loadToken();
        token = await this.once(token, abort);
        this.failures = 0;
        report();
      } catch (err) {
        if (signal.aborted) break;
        this.failures++;
        report(err);
        // Back off: the asked wait for a 429, else 1 s doubling to a minute.
        const wait = rateLimitWait(err, 1000) ?? Math.min(60_000, 1000 * 2 ** Math.min(this.failures - 1, 6));
        this.options.log.warn("matrix sync failed; retrying", { error: errorMessage(err), waitMs: wait });
        await (this.options.sleep ?? abortableSleep)(wait, signal);
      }
    }
    report(new Error("matrix sync stopped before its first batch"));
  }

  private async once(since: string | undefined, abort: AbortController): Promise<string> {
    const batch = await this.options.source.sync(
      since,
      since === undefined ? 0 : (this.options.pollTimeoutMs ?? 30_000),
      abort.signal,
    );
    await this.options.onBatch(batch, since === undefined);
    // Only now is every event of the batch handled: a crash before this line replays the batch,
    // and the processed-event ids make that replay harmless.
    if (!(await this.options.saveToken(batch.next_batch))) {
      // Another replica holds the lease now and owns the position: this run is over.
      this.options.log.warn("matrix sync position refused: lease lost; stopping sync");
      abort.abort();
      throw new Error("matrix sync lease lost");
    }
    this.synced = true;
    return batch.next_batch;
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
