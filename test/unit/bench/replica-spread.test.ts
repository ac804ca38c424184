import { describe, expect, it } from "vitest";
import { type Delivery, spreadDeliveries } from "../../../bench/lib/replica-spread.js";

function take(n: number, replicas: number, retryEvery: number): Delivery[] {
  const deliveries = spreadDeliveries(replicas, retryEvery);
  return Array.from({ length: n }, () => deliveries.next().value);
}

describe("spreading deliveries over replicas", () => {
  it("gives the replicas equal shares, round robin", () => {
    const shares = [0, 0, 0];
    for (const d of take(330, 3, 10)) shares[d.replica]!++;
    expect(shares).toEqual([110, 110, 110]);
  });

  it("delivers every event, in order, and every tenth a second time as a retry", () => {
    const deliveries = take(110, 3, 10);
    const events = deliveries.filter((d) => d.retryNum === 0).map((d) => d.event);
    expect(events).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(deliveries.filter((d) => d.retryNum === 1).map((d) => d.event)).toEqual([
      9, 19, 29, 39, 49, 59, 69, 79, 89, 99,
    ]);
  });

  it("sends a retry right after its first delivery, to another replica", () => {
    const deliveries = take(110, 3, 10);
    deliveries.forEach((d, i) => {
      if (d.retryNum === 0) return;
      const first = deliveries[i - 1]!;
      expect(first).toMatchObject({ event: d.event, retryNum: 0 });
      expect(d.replica).not.toBe(first.replica);
    });
  });

  it("sends everything to the only replica when there is one", () => {
    expect(new Set(take(50, 1, 10).map((d) => d.replica))).toEqual(new Set([0]));
  });

  it("refuses no replicas", () => {
    expect(() => spreadDeliveries(0, 10).next()).toThrow(RangeError);
  });
});
