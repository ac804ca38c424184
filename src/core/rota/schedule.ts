/**
 * When the rota speaks, as pure functions of (rule, time zone, working days, holidays, away list, now).
 * Nothing here reads a clock or arms a timer: the feature asks "what is the next occurrence after now?"
 * and hands that one instant to the scheduler. Wall clocks are read in the rota's zone from the tz
 * data (zone-offset.ts), never in the host's, so the host's TZ cannot change an answer; local dates are
 * plain calendar arithmetic.
 */
import { IANAZone } from "luxon";
import { type HolidayCheck, noHolidays } from "./holidays.js";
import { utcOffsetMs } from "./zone-offset.js";

/** The daily announcement rule of one rota. */
export interface AnnouncementRule {
  /** Local wall-clock time, `HH:MM` (24-hour clock). */
  time: string;
  /** IANA time zone the time and the days are read in, e.g. `Europe/Madrid`. */
  zone: string;
  /** ISO weekdays the team works: 1 = Monday … 7 = Sunday. */
  days: readonly number[];
}

/** One announcement: the local date it belongs to (its identity) and the instant it is due. */
export interface Occurrence {
  date: string;
  at: Date;
}

/** A person out of office from `from` to `to`, both local dates, inclusive. */
export interface AwayRange {
  member: string;
  from: string;
  to: string;
}

export interface ScheduleContext {
  isHoliday?: HolidayCheck;
  /** False on a day nobody in the rota can take (everyone away): no announcement that day. */
  someoneAvailable?: (localDate: string) => boolean;
}

// A rule with at least one working day finds one within a week; holidays and away ranges can push it
// further, but never by more than a year unless every day is excluded.
const SEARCH_DAYS = 400;
const DAY_MS = 86_400_000;

/** The canonical spelling of an IANA zone (`europe/madrid` → `Europe/Madrid`), or undefined if unknown. */
export function canonicalZone(zone: string): string | undefined {
  if (!IANAZone.isValidZone(zone)) return undefined;
  return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
}

/** `HH:MM` → minutes after midnight, or undefined for anything that is not a real clock time. */
export function parseClockTime(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : undefined;
}

/** The local date (`YYYY-MM-DD`) of an instant in `zone`. */
export function localDateOf(at: Date, zone: string): string {
  const ms = at.getTime();
  return isoDate(ms + utcOffsetMs(zone, ms));
}

/** True for a `YYYY-MM-DD` that names a real calendar day. */
export function isLocalDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && isoDate(dayStart(text)) === text;
}

/** Adds whole days to a local date (calendar arithmetic, no time zone involved). */
export function addDays(localDate: string, days: number): string {
  return isoDate(dayStart(localDate) + days * DAY_MS);
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export function weekdayOf(localDate: string): number {
  return new Date(dayStart(localDate)).getUTCDay() || 7;
}

/** Midnight UTC of a `YYYY-MM-DD` date: a day number to do calendar arithmetic with. */
function dayStart(localDate: string): number {
  const year = Number(localDate.slice(0, 4));
  const month = Number(localDate.slice(5, 7));
  const day = Number(localDate.slice(8, 10));
  return Date.UTC(year, month - 1, day);
}

/** The `YYYY-MM-DD` of the UTC calendar day that contains `ms`. */
function isoDate(ms: number): string {
  const d = new Date(ms);
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return `${d.getUTCFullYear()}-${month < 10 ? "0" : ""}${month}-${day < 10 ? "0" : ""}${day}`;
}

/** A working day is one of the rule's weekdays that is not a public holiday. */
export function isWorkingDay(
  rule: AnnouncementRule,
  localDate: string,
  isHoliday: HolidayCheck = noHolidays,
): boolean {
  return rule.days.includes(weekdayOf(localDate)) && !isHoliday(localDate);
}

/**
 * The instant of the rule's wall-clock time on `localDate` in its zone. A time that does not exist that
 * day (the spring-forward gap) moves forward by the gap, as clocks do; a time that happens twice (the
 * autumn fall-back) is taken the first time, so the day still has one announcement.
 */
export function occurrenceOn(rule: AnnouncementRule, localDate: string): Date {
  const minutes = parseClockTime(rule.time) ?? 0;
  const wall = dayStart(localDate) + minutes * 60_000;
  // The offsets in force a day either side: a wall time is one of them applied, and no zone changes
  // its offset twice within two days.
  const before = utcOffsetMs(rule.zone, wall - DAY_MS);
  const after = utcOffsetMs(rule.zone, wall + DAY_MS);
  const first = wall - before;
  if (before === after || utcOffsetMs(rule.zone, first) === before) return new Date(first);
  const second = wall - after;
  if (utcOffsetMs(rule.zone, second) === after) return new Date(second);
  // Neither reads `wall` on the clock: it falls in the gap; the offset before the change moves it on.
  return new Date(first);
}

/** Does the rota announce on this local date? (a working day, not a holiday, someone available) */
export function announcesOn(
  rule: AnnouncementRule,
  localDate: string,
  context: ScheduleContext = {},
): boolean {
  if (!isWorkingDay(rule, localDate, context.isHoliday)) return false;
  return context.someoneAvailable ? context.someoneAvailable(localDate) : true;
}

/** Today's occurrence in the rule's zone, due or not, if today is an announcement day. */
export function occurrenceToday(
  rule: AnnouncementRule,
  now: Date,
  context: ScheduleContext = {},
): Occurrence | undefined {
  const today = localDateOf(now, rule.zone);
  return announcesOn(rule, today, context) ? { date: today, at: occurrenceOn(rule, today) } : undefined;
}

/** The first occurrence strictly after `now`; undefined when the rule excludes every day. */
export function nextOccurrence(
  rule: AnnouncementRule,
  now: Date,
  context: ScheduleContext = {},
): Occurrence | undefined {
  // Start a day early: just after midnight UTC it can still be "yesterday" in the rule's zone.
  let date = addDays(localDateOf(now, rule.zone), -1);
  for (let i = 0; i < SEARCH_DAYS; i++, date = addDays(date, 1)) {
    if (!announcesOn(rule, date, context)) continue;
    const at = occurrenceOn(rule, date);
    if (at.getTime() > now.getTime()) return { date, at };
  }
  return undefined;
}

/** The next `count` announcement dates from `fromDate` (inclusive). */
export function announcementDates(
  rule: AnnouncementRule,
  fromDate: string,
  count: number,
  context: ScheduleContext = {},
): string[] {
  const dates: string[] = [];
  let date = fromDate;
  for (let i = 0; i < SEARCH_DAYS && dates.length < count; i++, date = addDays(date, 1)) {
    if (announcesOn(rule, date, context)) dates.push(date);
  }
  return dates;
}

/** True when `member` is out of office on `localDate`. */
export function isAway(member: string, localDate: string, away: readonly AwayRange[]): boolean {
  return away.some((r) => r.member === member && r.from <= localDate && localDate <= r.to);
}

/** Working hours used to count "30 working minutes": a daily window on the rule's working days. */
export interface WorkingHours {
  start: string;
  end: string;
}

/**
 * `start` plus `minutes` of working time: only minutes inside the working window of a working day
 * (the rule's weekdays, minus holidays) count. A question asked on Friday evening is due on Monday.
 */
export function addWorkingMinutes(
  start: Date,
  minutes: number,
  rule: AnnouncementRule,
  hours: WorkingHours,
  isHoliday: HolidayCheck = noHolidays,
): Date {
  let remaining = minutes * 60_000;
  let date = localDateOf(start, rule.zone);
  for (let i = 0; i < SEARCH_DAYS; i++, date = addDays(date, 1)) {
    if (!isWorkingDay(rule, date, isHoliday)) continue;
    const open = occurrenceOn({ ...rule, time: hours.start }, date).getTime();
    const close = occurrenceOn({ ...rule, time: hours.end }, date).getTime();
    const from = Math.max(open, start.getTime());
    if (from >= close) continue;
    if (from + remaining <= close) return new Date(from + remaining);
    remaining -= close - from;
  }
  // No working time at all within a year (a rule without days): fall back to plain minutes.
  return new Date(start.getTime() + minutes * 60_000);
}
