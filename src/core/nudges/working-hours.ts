/**
 * Working hours: pure helpers for "is this moment inside someone's working day", and the parser of
 * `/outloud hours 08:00-16:00 mon-thu`. Times are local to the person's IANA time zone.
 */
import { DateTime } from "luxon";
import { utcOffsetMs } from "../rota/zone-offset.js";

export interface WorkingHours {
  /** `HH:MM`, local. */
  start: string;
  /** `HH:MM`, local; an end before the start means the day wraps past midnight. */
  end: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  days: number[];
}

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** `mon-fri`, `mon,wed,fri`, `fri-mon` → ISO weekday numbers; undefined when malformed. */
export function parseDays(text: string): number[] | undefined {
  const days = new Set<number>();
  for (const part of text.toLowerCase().split(",")) {
    const [a, b, extra] = part.trim().split("-");
    if (extra !== undefined || !a) return undefined;
    const from = WEEKDAYS.indexOf(a.slice(0, 3));
    const to = WEEKDAYS.indexOf((b ?? a).slice(0, 3));
    if (from < 0 || to < 0) return undefined;
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d + 1);
      if (d === to) break;
    }
  }
  return [...days].sort((x, y) => x - y);
}

/** `08:00-16:00` and optional days → hours; a problem sentence when malformed. */
export function parseHours(range: string, daysText = "mon-fri"): WorkingHours | string {
  const m = /^(\S+)-(\S+)$/.exec(range);
  if (!m || !CLOCK.test(m[1]!) || !CLOCK.test(m[2]!))
    return `"${range}" is not a time range like 08:00-16:00`;
  if (m[1] === m[2]) return "the start and end of the working day must differ";
  const days = parseDays(daysText);
  if (!days) return `"${daysText}" is not a list of days like mon-fri or mon,wed,fri`;
  return { start: pad(m[1]!), end: pad(m[2]!), days };
}

function pad(clock: string): string {
  return clock.length === 4 ? `0${clock}` : clock;
}

function minutes(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The local time in a zone; falls back to UTC for an unknown zone rather than failing. */
export function localTime(at: Date, tz: string): DateTime {
  const local = DateTime.fromJSDate(at, { zone: tz });
  return local.isValid ? local : DateTime.fromJSDate(at, { zone: "UTC" });
}

/**
 * The wall clock in a zone as minutes since midnight, ISO weekday and date. The nudges ask on nearly
 * every message (for each person mentioned); a luxon DateTime each time was most of their time
 * arithmetic, so zones the platform's tz data knows are read through the remembered UTC offsets of
 * zone-offset.ts, and only other spellings (`UTC+3`, `local`) through luxon, as before.
 */
function wallClock(at: Date, tz: string): { minutes: number; weekday: number; date: string } {
  const ms = at.getTime();
  if (intlKnows(tz) && ms >= MIN_PLAIN_YEAR_MS && ms < MAX_PLAIN_YEAR_MS) {
    const local = new Date(ms + utcOffsetMs(tz, ms));
    const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
    return { minutes, weekday: local.getUTCDay() || 7, date: local.toISOString().slice(0, 10) };
  }
  const local = localTime(at, tz);
  return {
    minutes: local.hour * 60 + local.minute,
    weekday: local.weekday,
    date: local.toISODate() ?? at.toISOString().slice(0, 10),
  };
}

// Dates with four-digit years, where `toISOString` and luxon spell the day alike (a day's margin for offsets).
const MIN_PLAIN_YEAR_MS = Date.parse("0001-01-02T00:00:00Z");
const MAX_PLAIN_YEAR_MS = Date.parse("9999-12-30T00:00:00Z");

const zonesIntlKnows = new Map<string, boolean>();

/** Whether Intl (the tz data luxon also reads) accepts the zone name. */
function intlKnows(tz: string): boolean {
  let known = zonesIntlKnows.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    zonesIntlKnows.set(tz, known);
  }
  return known;
}

/** True when `at` falls inside the working hours, in zone `tz`. */
export function isWorkingTime(at: Date, tz: string, hours: WorkingHours): boolean {
  const { minutes: now, weekday } = wallClock(at, tz);
  const start = minutes(hours.start);
  const end = minutes(hours.end);
  if (start < end) return hours.days.includes(weekday) && now >= start && now < end;
  // Past midnight: the late part belongs to the previous day's shift.
  if (now >= start) return hours.days.includes(weekday);
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  return now < end && hours.days.includes(yesterday);
}

/** The person's local date `YYYY-MM-DD` (daily caps count per local day). */
export function localDate(at: Date, tz: string): string {
  return wallClock(at, tz).date;
}

/** `21:40 (Tue)` in the person's zone, for "it's 21:40 for them". */
export function localClock(at: Date, tz: string): string {
  return localTime(at, tz).toFormat("HH:mm (ccc)");
}

/** `08:00-16:00 mon-thu`. */
/** The workspace's working hours from config (`workspace.workingHours`): everyone's until they set their own. */
export function workspaceHours(config: { start: string; end: string; days: string }): WorkingHours {
  return { start: config.start, end: config.end, days: parseDays(config.days) ?? [1, 2, 3, 4, 5] };
}

export function formatHours(hours: WorkingHours): string {
  return `${hours.start}-${hours.end} ${formatDays(hours.days)}`;
}

function formatDays(days: number[]): string {
  const sorted = [...days].sort((a, b) => a - b);
  const contiguous = sorted.every((d, i) => i === 0 || d === sorted[i - 1]! + 1);
  if (contiguous && sorted.length > 1)
    return `${WEEKDAYS[sorted[0]! - 1]}-${WEEKDAYS[sorted[sorted.length - 1]! - 1]}`;
  return sorted.map((d) => WEEKDAYS[d - 1]).join(",");
}
