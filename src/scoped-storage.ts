/**
 * An AsyncLocalStorage switched off whenever none of its `run`s is in progress. On Node 20 an enabled
 * AsyncLocalStorage makes every promise the process creates, in any code, run a hook (measured in
 * issue 21: about a tenth of the CPU of a replayed message), so a value carried for the length of a
 * transaction or a slash command must not leave the hook on between them. Work a `run` leaves behind
 * (a promise not awaited inside it) may not see the value once every `run` has ended.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export class ScopedStorage<T> {
  private readonly storage = new AsyncLocalStorage<T>();
  private running = 0;

  getStore(): T | undefined {
    return this.storage.getStore();
  }

  async run<R>(value: T, work: () => Promise<R>): Promise<R> {
    this.running++;
    try {
      return await this.storage.run(value, work);
    } finally {
      // `run` enables it again for the next one.
      if (--this.running === 0) this.storage.disable();
    }
  }
}
