/**
 * Time measured in working hours: "answered after 40 working minutes" means the same for a question
 * asked at 16:50 on a Friday and answered at 09:30 on Monday as for one answered within the hour.
 */
import type { DateTime } from "luxon";
import { localTime, type WorkingHours } from "../nudges/working-hours.js";

const DAY_MS = 24 * 60 * 60_000;

/** Working minutes between two instants, in zone `tz` with the given hours; 0 when `to` is not after `from`. */
export function workingMinutesBetween(from: Date, to: Date, tz: string, hours: WorkingHours): number {
  if (to.getTime() <= from.getTime()) return 0;
  let total = 0;
  // Start a day early: a shift that wraps past midnight began on the previous local day.
  let day = localTime(from, tz).startOf("day").minus({ days: 1 });
  const end = to.getTime();
  while (day.toMillis() <= end) {
    if (hours.days.includes(day.weekday)) {
      const [shiftStart, shiftEnd] = shiftOf(day, hours);
      const a = Math.max(shiftStart, from.getTime());
      const b = Math.min(shiftEnd, end);
      if (b > a) total += b - a;
    }
    day = day.plus({ days: 1 });
    // A guard for absurd spans (years of silence): beyond a year the count no longer matters.
    if (day.toMillis() - from.getTime() > 366 * DAY_MS) break;
  }
  return Math.round(total / 60_000);
}

/** The shift that starts on local day `day`, as epoch milliseconds. */
function shiftOf(day: DateTime, hours: WorkingHours): [number, number] {
  const [sh, sm] = hours.start.split(":").map(Number);
  const [eh, em] = hours.end.split(":").map(Number);
  const start = day.set({ hour: sh ?? 0, minute: sm ?? 0 });
  let finish = day.set({ hour: eh ?? 0, minute: em ?? 0 });
  if (finish <= start) finish = finish.plus({ days: 1 });
  return [start.toMillis(), finish.toMillis()];
}

/** The median of a list of numbers, or undefined for an empty list. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
