/**
 * The long-poll `/sync` loop. We run our own rather than the SDK's `startClient()`: the position must
 * be saved in our database only after every event of a batch has been handled (the SDK advances its
 * token before our async handlers finish), and a `limited` timeline must be back-filled in order before
 * the batch's own events. Requests still go through the SDK's HTTP layer (auth, MatrixError parsing).
 */
import { errorMessage, type Logger } from "../../core/scheduler.js";
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
  saveToken(token: string): Promise<void>;
  log: Logger;
  /** Long-poll timeout the server may hold a request for. */
  pollTimeoutMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export class SyncLoop {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private synced = false;
  private failures = 0;

  constructor(private readonly options: SyncLoopOptions) {}

  /** True once a sync has succeeded and the last one did not fail. */
  healthy(): boolean {
    return this.synced && this.failures === 0;
  }

  /** Runs the first sync (so start-up fails loudly on a bad token), then loops in the background. */
  async start(): Promise<void> {
    let since = await this.options.loadToken();
    since = await this.once(since);
    this.running = this.loop(since);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(since: string): Promise<void> {
    let token = since;
    while (!this.abort.signal.aborted) {
      try {
        token = await this.once(token);
        this.failures = 0;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.failures++;
        // Back off: the asked wait for a 429, else 1 s doubling to a minute.
        const wait = rateLimitWait(err, 1000) ?? Math.min(60_000, 1000 * 2 ** Math.min(this.failures - 1, 6));
        this.options.log.warn("matrix sync failed; retrying", { error: errorMessage(err), waitMs: wait });
        await (this.options.sleep ?? abortableSleep)(wait, this.abort.signal);
      }
    }
  }

  private async once(since: string | undefined): Promise<string> {
    const batch = await this.options.source.sync(
      since,
      since === undefined ? 0 : (this.options.pollTimeoutMs ?? 30_000),
      this.abort.signal,
    );
    await this.options.onBatch(batch, since === undefined);
    // Only now is every event of the batch handled: a crash before this line replays the batch,
    // and the processed-event ids make that replay harmless.
    await this.options.saveToken(batch.next_batch);
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
