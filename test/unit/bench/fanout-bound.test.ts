import { describe, expect, it } from "vitest";
import { fanoutLowerBoundMs } from "../../../bench/fanout.js";

// The limits the fan-out benchmark sets on the fake Slack API: 100 posts a second per workspace,
// one post a second per channel.
describe("the fan-out lower bound", () => {
  it("lets the first window's posts go at once and each further 100 wait a second", () => {
    expect(fanoutLowerBoundMs(1, 1)).toBe(0);
    expect(fanoutLowerBoundMs(100, 1)).toBe(0);
    expect(fanoutLowerBoundMs(101, 1)).toBe(1000);
    expect(fanoutLowerBoundMs(2000, 1)).toBe(19_000);
  });

  it("is bound by one channel when many posts go to the same one", () => {
    expect(fanoutLowerBoundMs(10, 10)).toBe(9000);
  });

  it("is zero with nothing to post", () => {
    expect(fanoutLowerBoundMs(0, 0)).toBe(0);
  });
});
