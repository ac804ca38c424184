/** When weekly and daily digests fall due: pure functions of a weekday, a local time and a zone. */
import { DateTime } from "luxon";
import { localTime, type WorkingHours } from "../nudges/working-hours.js";

/** The first moment strictly after `after` that is `weekday` at `time` in `zone`. */
export function nextWeekly(after: Date, weekday: number, time: string, zone: string): Date {
  const [h, m] = time.split(":").map(Number);
  let day = DateTime.fromJSDate(after, { zone }).startOf("day");
  for (let i = 0; i < 8; i++) {
    const at = day.set({ hour: h ?? 0, minute: m ?? 0 });
    if (at.weekday === weekday && at.toMillis() > after.getTime()) return at.toJSDate();
    day = day.plus({ days: 1 });
  }
  throw new Error("unreachable: a week always has the weekday");
}

/** The occurrence a week before `occurrence`, in local time (a DST change keeps the clock time). */
export function weekBefore(occurrence: Date, zone: string): Date {
  return DateTime.fromJSDate(occurrence, { zone }).minus({ weeks: 1 }).toJSDate();
}

/** The start of the person's next working day after `after`: their hours' start, on a working day. */
export function nextWorkdayStart(after: Date, tz: string, hours: WorkingHours): Date {
  const [h, m] = hours.start.split(":").map(Number);
  let day = localTime(after, tz).startOf("day");
  for (let i = 0; i < 15; i++) {
    const at = day.set({ hour: h ?? 0, minute: m ?? 0 });
    if (hours.days.includes(at.weekday) && at.toMillis() > after.getTime()) return at.toJSDate();
    day = day.plus({ days: 1 });
  }
  // No working day at all in two weeks (an empty list of days): try again in a day.
  return new Date(after.getTime() + 24 * 60 * 60_000);
}

/** The start of the working day before the one that starts at `start`: what "since your last working day" means. */
export function previousWorkdayStart(start: Date, tz: string, hours: WorkingHours): Date {
  const [h, m] = hours.start.split(":").map(Number);
  const today = localTime(start, tz).startOf("day");
  for (let back = 1; back <= 14; back++) {
    const day = today.minus({ days: back });
    if (hours.days.includes(day.weekday)) return day.set({ hour: h ?? 0, minute: m ?? 0 }).toJSDate();
  }
  return new Date(start.getTime() - 24 * 60 * 60_000);
}
