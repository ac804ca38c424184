import { describe, expect, it } from "vitest";
import { highestSustainedRate } from "../../../bench/lib/ladder.js";

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
