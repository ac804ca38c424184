/**
 * Retries a homeserver request refused with `M_LIMIT_EXCEEDED` (HTTP 429) after the wait the server
 * asked for (`Retry-After` header or `retry_after_ms`, both read by the SDK's MatrixError). Callers
 * that send events pass a fixed transaction id, so a retry can never post twice.
 */

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts?: number;
  /** Wait used when the server gives none. */
  defaultWaitMs?: number;
  /** Longest wait we accept before giving up (a server asking for an hour is not worth waiting for here). */
  maxWaitMs?: number;
  /**
   * How many of the server's rate-limit slots the request takes, one after the other. A 429's wait is
   * until one slot is free, so a request that needs two waits for both (and a fifth more: its first
   * slot was counted a moment before its second was refused), or it takes the one freed slot and is
   * refused again, every time.
   */
  slots?: number;
  sleep?: (ms: number) => Promise<void>;
  onWait?: (ms: number) => void;
}

interface RateLimited {
  isRateLimitError(): boolean;
  getRetryAfterMs(): number | null;
}

export async function withRateLimitRetry<T>(
  request: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      const asked = rateLimitWait(err, options.defaultWaitMs ?? 1000);
      const slots = options.slots ?? 1;
      const wait = asked === undefined ? undefined : slots > 1 ? asked * slots * 1.2 : asked;
      if (wait === undefined || attempt >= attempts || wait > (options.maxWaitMs ?? 120_000)) throw err;
      options.onWait?.(wait);
      await sleep(wait);
    }
  }
}

/** The wait a 429 asks for, or undefined when `err` is not a rate limit. */
export function rateLimitWait(err: unknown, fallbackMs: number): number | undefined {
  const e = err as Partial<RateLimited> | undefined;
  if (typeof e?.isRateLimitError !== "function" || !e.isRateLimitError()) return undefined;
  try {
    return Math.max(0, e.getRetryAfterMs?.() ?? fallbackMs);
  } catch {
    // A malformed Retry-After is the server's bug; wait the default rather than fail the send.
    return fallbackMs;
  }
}
