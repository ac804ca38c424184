/**
 * The little statistics the benchmarks need. Pure functions, unit-tested in test/unit/bench/.
 * Percentiles use the nearest-rank method: the reported value is always one that was measured,
 * which is what "p99 under 100 ms" means to someone reading the table.
 */

/** The middle value (mean of the two middle values for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of values; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

/** As `percentile`, for values already sorted ascending (saves re-sorting for several percentiles). */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** subject / baseline, or NaN when the baseline is zero or missing. */
export function ratio(subject: number, baseline: number): number {
  return baseline > 0 && Number.isFinite(subject) ? subject / baseline : Number.NaN;
}

/** (after - before) / before: 0.15 means 15% growth. */
export function growth(before: number, after: number): number {
  return before > 0 ? (after - before) / before : Number.NaN;
}

/**
 * The order in which to run baseline (A) and subject (B) over `rounds` rounds: ABBA ABBA… so that a
 * machine getting slower (or faster) during the run penalises both sides alike.
 */
export function alternation(rounds: number): Array<"baseline" | "subject"> {
  const order: Array<"baseline" | "subject"> = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) order.push("baseline", "subject");
    else order.push("subject", "baseline");
  }
  return order;
}
