import { webApi } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { SlackOutbox } from "../../../src/adapters/slack/outbox.js";
import { silentLogger } from "../../../src/logging.js";

/** Records requested waits instead of sleeping, so pacing is checked without timing the test. */
function outbox(intervalMs: number) {
  const waits: number[] = [];
  const box = new SlackOutbox({
    perChannelIntervalMs: intervalMs,
    log: silentLogger,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { box, waits };
}

describe("SlackOutbox", () => {
  it("sends one channel's posts in order, spacing them by the interval", async () => {
    const { box, waits } = outbox(1000);
    const sent: string[] = [];
    await Promise.all(["a", "b", "c"].map((x) => box.send("T1/C1", async () => sent.push(x))));
    expect(sent).toEqual(["a", "b", "c"]);
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w).toBeGreaterThan(900);
  });

  it("does not make one channel wait for another", async () => {
    const { box, waits } = outbox(1000);
    await Promise.all([
      box.send("T1/C1", async () => 1),
      box.send("T1/C2", async () => 2),
      box.send("T2/C1", async () => 3),
    ]);
    expect(waits).toEqual([]);
  });

  it("retries a rate-limited call after its Retry-After, as often as needed, and never drops it", async () => {
    const { box, waits } = outbox(0);
    let calls = 0;
    const result = await box.send("T1/C1", async () => {
      calls += 1;
      if (calls <= 3) throw new webApi.WebAPIRateLimitedError(2) as unknown as Error;
      return "delivered";
    });
    expect(result).toBe("delivered");
    expect(calls).toBe(4);
    expect(waits).toEqual([2000, 2000, 2000]);
  });

  it("gives up at once on a platform error, which no retry can fix, and keeps the lane going", async () => {
    const { box } = outbox(0);
    const platformError = Object.assign(new Error("channel_not_found"), {
      code: webApi.ErrorCode.PlatformError,
      data: { error: "channel_not_found" },
    });
    await expect(box.send("T1/C1", async () => Promise.reject(platformError))).rejects.toBe(platformError);
    await expect(box.send("T1/C1", async () => "next")).resolves.toBe("next");
  });

  it("drain waits for what is queued", async () => {
    const { box } = outbox(0);
    let done = false;
    void box.send("T1/C1", async () => {
      await new Promise((r) => setTimeout(r, 20));
      done = true;
    });
    await box.drain();
    expect(done).toBe(true);
  });
});
