/**
 * Pure parsers for the `/rota …` grammar (the words after `rota <command>`). They check the form of
 * every argument (times, zones, day lists, holiday codes, dates) and name the problem; resolving
 * `@names` to people needs the directory and happens when the command runs.
 */
import { ok, type Parsed, problem } from "../commands/command.js";
import { mentionName } from "../commands/tokenize.js";
import { parseHolidayCode } from "./holidays.js";
import { canonicalZone, isLocalDate, parseClockTime } from "./schedule.js";

const WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** `mon-fri`, `mon,tue,thu`, `fri-mon` → ISO weekdays (1 = Monday); undefined if malformed. */
export function parseDays(text: string): number[] | undefined {
  const days = new Set<number>();
  for (const part of text.toLowerCase().split(",")) {
    const ends = part.trim().split("-");
    if (ends.length > 2) return undefined;
    const from = WEEKDAY_NAMES.indexOf(ends[0]!);
    const to = WEEKDAY_NAMES.indexOf(ends[1] ?? ends[0]!);
    if (from < 0 || to < 0) return undefined;
    // A range may wrap around the week: fri-mon.
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d + 1);
      if (d === to) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

/** ISO weekdays → the shortest text form: `mon-fri`, `mon,tue,thu`. */
export function formatDays(days: readonly number[]): string {
  const sorted = [...days].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const first = WEEKDAY_NAMES[sorted[i]! - 1]!;
    const last = WEEKDAY_NAMES[sorted[j]! - 1]!;
    if (j - i >= 2) runs.push(`${first}-${last}`);
    else for (let k = i; k <= j; k++) runs.push(WEEKDAY_NAMES[sorted[k]! - 1]!);
    i = j + 1;
  }
  return runs.join(",");
}

export function timeProblem(word: string): string | undefined {
  return parseClockTime(word) === undefined ? `"${word}" is not a time: use HH:MM, e.g. 09:30` : undefined;
}

function member(word: string | undefined, what = "a person"): Parsed<string> {
  const name = word === undefined ? undefined : mentionName(word);
  if (name === undefined)
    return problem(word === undefined ? `name ${what} as @name` : `"${word}" is not a @name`);
  return ok(name);
}

function zoneArg(word: string | undefined): Parsed<string> {
  if (word === undefined) return problem("tz needs a zone such as Europe/Madrid");
  const zone = canonicalZone(word);
  return zone ? ok(zone) : problem(`unknown time zone "${word}": use an IANA name such as Europe/Madrid`);
}

function daysArg(word: string | undefined): Parsed<number[]> {
  const days = word === undefined ? undefined : parseDays(word);
  if (!days) return problem(`"${word ?? ""}" is not a list of days: use e.g. mon-fri or mon,tue,thu`);
  return ok(days);
}

export interface SetupArgs {
  members: string[];
  time?: string;
  zone?: string;
  days?: number[];
}

/** `@a @b @c [at 09:30] [tz Europe/Madrid] [days mon-fri]` (options in any order). */
export function parseSetup(words: readonly string[]): Parsed<SetupArgs> {
  const args: SetupArgs = { members: [] };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const option = word.toLowerCase();
    if (option === "at") {
      const time = words[++i];
      if (time === undefined) return problem("at needs a time such as 09:30");
      const bad = timeProblem(time);
      if (bad) return problem(bad);
      args.time = normaliseTime(time);
    } else if (option === "tz") {
      const zone = zoneArg(words[++i]);
      if (!zone.ok) return zone;
      args.zone = zone.value;
    } else if (option === "days") {
      const days = daysArg(words[++i]);
      if (!days.ok) return days;
      args.days = days.value;
    } else {
      const name = member(word);
      if (!name.ok) return problem(`"${word}" is neither a @name nor at/tz/days`);
      if (args.members.includes(name.value)) return problem(`@${name.value} is listed twice`);
      args.members.push(name.value);
    }
  }
  if (args.members.length === 0) return problem("a rota needs at least one @member");
  return ok(args);
}

/** `09:30` and `9:30` → `09:30`. */
export function normaliseTime(time: string): string {
  const minutes = parseClockTime(time)!;
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${hh}:${mm}`;
}

/** `@x [after @y]` */
export function parseAdd(words: readonly string[]): Parsed<{ member: string; after?: string }> {
  const who = member(words[0]);
  if (!who.ok) return who;
  if (words.length === 1) return ok({ member: who.value });
  if (words.length !== 3 || words[1]!.toLowerCase() !== "after")
    return problem(`unexpected "${words.slice(1).join(" ")}"`);
  const after = member(words[2]);
  if (!after.ok) return after;
  if (after.value === who.value) return problem("a person cannot come after themselves");
  return ok({ member: who.value, after: after.value });
}

/** `@x` (remove, back) */
export function parseOneMember(words: readonly string[]): Parsed<{ member: string }> {
  if (words.length > 1) return problem(`unexpected "${words.slice(1).join(" ")}"`);
  const who = member(words[0]);
  return who.ok ? ok({ member: who.value }) : who;
}

/** `@a @b` */
export function parseSwap(words: readonly string[]): Parsed<{ a: string; b: string }> {
  if (words.length !== 2) return problem("swap needs two people");
  const a = member(words[0]);
  if (!a.ok) return a;
  const b = member(words[1]);
  if (!b.ok) return b;
  if (a.value === b.value) return problem("swap needs two different people");
  return ok({ a: a.value, b: b.value });
}

/** `@x 2026-12-24..2026-12-31` or `@x 2026-12-24` (one day). */
export function parseAway(words: readonly string[]): Parsed<{ member: string; from: string; to: string }> {
  const who = member(words[0]);
  if (!who.ok) return who;
  if (words.length !== 2) return problem("give the dates as YYYY-MM-DD..YYYY-MM-DD");
  const parts = words[1]!.split("..");
  const from = parts[0] ?? "";
  const to = parts[1] ?? from;
  if (parts.length > 2 || !isLocalDate(from) || !isLocalDate(to))
    return problem(`"${words[1]}" is not a date range: use YYYY-MM-DD..YYYY-MM-DD`);
  if (to < from) return problem(`the range ${words[1]} ends before it starts`);
  return ok({ member: who.value, from, to });
}

/** `10:00 [tz Zone]` */
export function parseTime(words: readonly string[]): Parsed<{ time: string; zone?: string }> {
  const time = words[0];
  if (time === undefined) return problem("give a time such as 10:00");
  const bad = timeProblem(time);
  if (bad) return problem(bad);
  if (words.length === 1) return ok({ time: normaliseTime(time) });
  if (words.length !== 3 || words[1]!.toLowerCase() !== "tz")
    return problem(`unexpected "${words.slice(1).join(" ")}"`);
  const zone = zoneArg(words[2]);
  return zone.ok ? ok({ time: normaliseTime(time), zone: zone.value }) : zone;
}

/** `mon,tue,thu` */
export function parseDaysArgs(words: readonly string[]): Parsed<{ days: number[] }> {
  if (words.length !== 1) return problem("give the days as one word, e.g. mon-fri or mon,tue,thu");
  const days = daysArg(words[0]);
  return days.ok ? ok({ days: days.value }) : days;
}

/** `ES`, `ES-MD`, or `none` to stop skipping holidays. */
export function parseHolidays(words: readonly string[]): Parsed<{ code: string | null }> {
  if (words.length !== 1) return problem("give one country or region code, e.g. ES or ES-MD");
  const word = words[0]!;
  if (/^(none|off)$/i.test(word)) return ok({ code: null });
  const parsed = parseHolidayCode(word);
  if (!parsed) return problem(`unknown holiday country or region "${word}": use a code such as ES or ES-MD`);
  return ok({ code: parsed.region ? `${parsed.country}-${parsed.region}` : parsed.country });
}
