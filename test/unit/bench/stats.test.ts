import { describe, expect, it } from "vitest";
import { alternation, growth, median, percentile, ratio } from "../../../bench/lib/stats.js";

describe("benchmark statistics", () => {
  it("takes the median of odd and even counts without reordering the input", () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("reports nearest-rank percentiles, always a measured value", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    // With few samples p99 is the worst one: a single slow request is not hidden.
    expect(percentile([1, 2, 3, 400], 99)).toBe(400);
    expect(percentile([7.5], 50)).toBe(7.5);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it("gives ratios and growth, NaN when the base is missing", () => {
    expect(ratio(50, 100)).toBe(0.5);
    expect(ratio(50, 0)).toBeNaN();
    expect(growth(100, 115)).toBeCloseTo(0.15);
    expect(growth(0, 10)).toBeNaN();
  });

  it("alternates baseline and subject ABBA so drift hits both sides alike", () => {
    expect(alternation(2)).toEqual(["baseline", "subject", "subject", "baseline"]);
    const three = alternation(3);
    expect(three.filter((s) => s === "baseline")).toHaveLength(3);
    expect(three.filter((s) => s === "subject")).toHaveLength(3);
  });
});
