/**
 * The sync loop runs only while its replica holds the sync lease: it must start again after a stop
 * (from the position stored meanwhile, perhaps by another replica) and end itself when a save of the
 * position is refused because the lease was lost.
 */
import { expect, it } from "vitest";
import type { SyncResponse } from "../../../src/adapters/matrix/events.js";
import { SyncLoop, type SyncSource } from "../../../src/adapters/matrix/sync-loop.js";
import { silentLogger } from "../../../src/logging.js";

/** A stream of batches s1, s2, …: each request answers at once with the next position after `since`. */
class CountingSource implements SyncSource {
  readonly asked: Array<string | undefined> = [];
  async sync(since: string | undefined, _timeoutMs: number, signal: AbortSignal): Promise<SyncResponse> {
    this.asked.push(since);
    // A long poll with nothing new: wait a little (or until aborted) like a server would.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (signal.aborted) throw new Error("aborted");
    const n = since ? Number(since.slice(1)) + 1 : 1;
    return { next_batch: `s${n}` } as SyncResponse;
  }
}

function loop(source: SyncSource, stored: { token?: string; allowed: boolean }, batches: boolean[] = []) {
  return new SyncLoop({
    source,
    onBatch: async (_batch, first) => {
      batches.push(first);
    },
    loadToken: async () => stored.token,
    saveToken: async (token) => {
      if (!stored.allowed) return false;
      stored.token = token;
      return true;
    },
    log: silentLogger,
    pollTimeoutMs: 10,
  });
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
};

it("starts again after a stop, from the position stored meanwhile by someone else", async () => {
  const source = new CountingSource();
  const stored: { token?: string; allowed: boolean } = { allowed: true };
  const batches: boolean[] = [];
  const sync = loop(source, stored, batches);
  await sync.start();
  expect(batches[0]).toBe(true); // a fresh bot's first sync is history
  await until(() => Number(stored.token?.slice(1)) >= 3);
  await sync.stop();
  expect(sync.active).toBe(false);
  expect(sync.healthy()).toBe(false);

  // Another replica held the lease for a while and moved the position on.
  stored.token = "s100";
  const asked = source.asked.length;
  await sync.start();
  expect(source.asked[asked]).toBe("s100");
  expect(batches.slice(1).every((first) => first === false)).toBe(true);
  expect(sync.healthy()).toBe(true);
  await sync.stop();
});

it("ends the run when saving the position is refused (the lease was lost)", async () => {
  const source = new CountingSource();
  const stored: { token?: string; allowed: boolean } = { token: "s5", allowed: true };
  const sync = loop(source, stored);
  await sync.start();
  stored.allowed = false;
  await until(() => !sync.active);
  const asked = source.asked.length;
  await new Promise((r) => setTimeout(r, 50));
  // No more requests, and the position stayed where the lease holder left it.
  expect(source.asked.length).toBe(asked);
  expect(Number(stored.token?.slice(1))).toBeGreaterThanOrEqual(6);
  const frozen = stored.token;
  await sync.stop();
  expect(stored.token).toBe(frozen);
});

it("rejects start() when the first sync of a run fails, and stop() ends the retries", async () => {
  let calls = 0;
  const failing: SyncSource = {
    async sync() {
      calls++;
      throw new Error("M_UNKNOWN_TOKEN");
    },
  };
  const sync = new SyncLoop({
    source: failing,
    onBatch: async () => {},
    loadToken: async () => undefined,
    saveToken: async () => true,
    log: silentLogger,
    // The back-off lasts until stop(), so the test can count attempts.
    sleep: (_ms, signal) =>
      new Promise((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener("abort", () => resolve());
      }),
  });
  await expect(sync.start()).rejects.toThrow("M_UNKNOWN_TOKEN");
  await sync.stop();
  expect(calls).toBe(1);
});
