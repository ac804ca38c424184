import { describe, expect, it, vi } from "vitest";
import { climbLadder, highestSustainedRate } from "../../../bench/lib/ladder.js";

/** The search against a server that sustains exactly up to `limit`, recording the rates it tried. */
async function search(limit: number): Promise<{ found: number; tried: number[] }> {
  const tried: number[] = [];
  const found = await highestSustainedRate(async (rate) => {
    tried.push(rate);
    return rate <= limit;
  });
  return { found, tried };
}

describe("the rate ladder", () => {
  it("doubles until a rate fails, then bisects three times", async () => {
    const { found, tried } = await search(550);
    expect(tried).toEqual([100, 200, 400, 800, 600, 500, 550]);
    expect(found).toBe(550);
  });

  it("reports the last rate that passed, within an eighth of the bracket", async () => {
    const { found } = await search(130);
    expect(found).toBeLessThanOrEqual(130);
    expect(found).toBeGreaterThan(100);
  });

  it("reports 0 when not even the lowest rate passes, and bisects below it", async () => {
    const { found, tried } = await search(10);
    expect(tried).toEqual([100, 50, 25, 13]);
    expect(found).toBe(0);
  });

  it("stops at the top of the ladder when every rate passes", async () => {
    const { found, tried } = await search(Number.POSITIVE_INFINITY);
    expect(found).toBe(6400);
    expect(tried).toHaveLength(7);
  });
});

describe("a side's measurement at the fixed rate", () => {
  it("takes three steps and reports their medians, so one disturbed step does not move the figures", async () => {
    vi.useFakeTimers();
    try {
      let cpuMs = 0;
      const fixedCosts = [0.5, 1.5, 0.6]; // CPU ms per event of each fixed-rate step; the second disturbed
      const fixedP99 = [5, 50, 6];
      let fixedSeen = 0;
      const climbing = climbLadder({
        async step(rate, what, durationMs) {
          const sent = Math.round((rate * durationMs) / 1000);
          const result = {
            offeredRate: rate,
            sent,
            ok: sent,
            failed: 0,
            p50Ms: 1,
            p99Ms: 5,
            maxMs: 9,
            maxSendLagMs: 1,
          };
          if (!what.startsWith("fixed rate")) return what === "ladder" ? { ...result, p99Ms: 500 } : result;
          cpuMs += sent * fixedCosts[fixedSeen]!;
          return { ...result, p99Ms: fixedP99[fixedSeen++]! };
        },
        cpuMs: async () => cpuMs,
        servers: 1,
        stepMs: 3000,
        warmUpMs: 3000,
      });
      await vi.runAllTimersAsync();
      const climb = await climbing;
      expect(climb.fixedSteps).toHaveLength(3);
      expect(climb.cpuMsPerEvent).toBeCloseTo(0.6);
      expect(climb.fixed.p99Ms).toBe(6);
      expect(climb.fixed.sent).toBe(1800);
      expect(climb.highestRate).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
