/**
 * Answers from Slack's read methods, remembered for a while, with at most one request in flight per
 * key: when many announcements fall due in the same minute and ask about the same people, rooms or
 * user groups at once, they share one Web API call instead of each making its own (an experiment
 * without this called users.info 6,305 times for 50 people). A failed request is not remembered.
 */
export class LookupCache<T> {
  private readonly answers = new Map<string, { value: T; until: number }>();
  private readonly pending = new Map<string, Promise<T>>();

  /** `ttlMs`: how long an answer is reused; forever by default. */
  constructor(private readonly ttlMs = Number.POSITIVE_INFINITY) {}

  /**
   * The remembered answer for `key`, the one being fetched, or a new fetch with `load`. `load` may
   * call `keepFor(ms)` to have its answer remembered for less than usual (a fallback after a failure).
   */
  get(key: string, load: (keepFor: (ms: number) => void) => Promise<T>): Promise<T> {
    const hit = this.answers.get(key);
    if (hit && hit.until > Date.now()) return Promise.resolve(hit.value);
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    let ttlMs = this.ttlMs;
    const fetching = load((ms) => {
      ttlMs = ms;
    })
      .then((value) => {
        // Forgotten while in flight (someone left the room): the answer may already be stale.
        if (this.pending.get(key) === fetching) this.set(key, value, ttlMs);
        return value;
      })
      .finally(() => {
        if (this.pending.get(key) === fetching) this.pending.delete(key);
      });
    this.pending.set(key, fetching);
    return fetching;
  }

  /** Remembers an answer learnt another way (a list that named many at once). */
  set(key: string, value: T, ttlMs = this.ttlMs): void {
    this.answers.set(key, { value, until: Date.now() + ttlMs });
  }

  /** Is a fresh answer remembered for `key`? */
  has(key: string): boolean {
    return (this.answers.get(key)?.until ?? 0) > Date.now();
  }

  /** The next `get` asks again. */
  delete(key: string): void {
    this.answers.delete(key);
    this.pending.delete(key);
  }

  /** Every remembered answer, fresh or not, with its key. */
  entries(): IterableIterator<[string, T]> {
    return (function* (answers) {
      for (const [key, { value }] of answers) yield [key, value] as [string, T];
    })(this.answers);
  }
}
