import { describe, expect, it } from "vitest";
import { tokenize } from "../../../src/core/commands/tokenize.js";
import {
  formatDays,
  parseAdd,
  parseAway,
  parseDays,
  parseDaysArgs,
  parseHolidays,
  parseOneMember,
  parseSetup,
  parseSwap,
  parseTime,
} from "../../../src/core/rota/parse.js";

const words = (line: string) => tokenize(line);

describe("rota command parsers", () => {
  it("setup: members with defaults left open, options in any order", () => {
    expect(parseSetup(words("@a @b @c"))).toEqual({ ok: true, value: { members: ["a", "b", "c"] } });
    expect(parseSetup(words("@a @b days mon,tue,thu at 9:30 tz europe/madrid"))).toEqual({
      ok: true,
      value: { members: ["a", "b"], time: "09:30", zone: "Europe/Madrid", days: [1, 2, 4] },
    });
  });

  it.each([
    ["", "a rota needs at least one @member"],
    ["@a at 25:00", '"25:00" is not a time: use HH:MM, e.g. 09:30'],
    ["@a at", "at needs a time such as 09:30"],
    ["@a tz Mars/Base", 'unknown time zone "Mars/Base": use an IANA name such as Europe/Madrid'],
    ["@a days funday", '"funday" is not a list of days: use e.g. mon-fri or mon,tue,thu'],
    ["@a @a", "@a is listed twice"],
    ["@a bob", '"bob" is neither a @name nor at/tz/days'],
  ])("setup %j → %s", (line, expected) => {
    expect(parseSetup(words(line))).toEqual({ ok: false, problem: expected });
  });

  it("add, remove, back, swap", () => {
    expect(parseAdd(words("@x"))).toEqual({ ok: true, value: { member: "x" } });
    expect(parseAdd(words("@x after @y"))).toEqual({ ok: true, value: { member: "x", after: "y" } });
    expect(parseAdd(words("@x before @y"))).toEqual({ ok: false, problem: 'unexpected "before @y"' });
    expect(parseAdd(words("x"))).toEqual({ ok: false, problem: '"x" is not a @name' });
    expect(parseOneMember([])).toEqual({ ok: false, problem: "name a person as @name" });
    expect(parseOneMember(words("@x"))).toEqual({ ok: true, value: { member: "x" } });
    expect(parseSwap(words("@a @b"))).toEqual({ ok: true, value: { a: "a", b: "b" } });
    expect(parseSwap(words("@a @a"))).toEqual({ ok: false, problem: "swap needs two different people" });
    expect(parseSwap(words("@a"))).toEqual({ ok: false, problem: "swap needs two people" });
  });

  it("away: a range or one day; impossible or reversed dates are named", () => {
    expect(parseAway(words("@x 2026-12-24..2026-12-31"))).toEqual({
      ok: true,
      value: { member: "x", from: "2026-12-24", to: "2026-12-31" },
    });
    expect(parseAway(words("@x 2026-12-24"))).toEqual({
      ok: true,
      value: { member: "x", from: "2026-12-24", to: "2026-12-24" },
    });
    expect(parseAway(words("@x 2026-02-30"))).toEqual({
      ok: false,
      problem: '"2026-02-30" is not a date range: use YYYY-MM-DD..YYYY-MM-DD',
    });
    expect(parseAway(words("@x 2026-12-31..2026-12-24"))).toEqual({
      ok: false,
      problem: "the range 2026-12-31..2026-12-24 ends before it starts",
    });
  });

  it("time, days, holidays", () => {
    expect(parseTime(words("10:00"))).toEqual({ ok: true, value: { time: "10:00" } });
    expect(parseTime(words("10:00 tz America/New_York"))).toEqual({
      ok: true,
      value: { time: "10:00", zone: "America/New_York" },
    });
    expect(parseTime(words("25:00"))).toEqual({
      ok: false,
      problem: '"25:00" is not a time: use HH:MM, e.g. 09:30',
    });
    expect(parseTime(words("10:60"))).toEqual({
      ok: false,
      problem: '"10:60" is not a time: use HH:MM, e.g. 09:30',
    });
    expect(parseDaysArgs(words("mon,tue,thu"))).toEqual({ ok: true, value: { days: [1, 2, 4] } });
    expect(parseHolidays(words("es-md"))).toEqual({ ok: true, value: { code: "ES-MD" } });
    expect(parseHolidays(words("ES"))).toEqual({ ok: true, value: { code: "ES" } });
    expect(parseHolidays(words("none"))).toEqual({ ok: true, value: { code: null } });
    expect(parseHolidays(words("XX"))).toEqual({
      ok: false,
      problem: 'unknown holiday country or region "XX": use a code such as ES or ES-MD',
    });
    expect(parseHolidays(words("ES-ZZ")).ok).toBe(false);
  });

  it("day lists round-trip through their shortest form, ranges may wrap", () => {
    expect(parseDays("fri-mon")).toEqual([1, 5, 6, 7]);
    expect(formatDays([1, 2, 3, 4, 5])).toBe("mon-fri");
    expect(formatDays([1, 2, 4])).toBe("mon,tue,thu");
    expect(parseDays("mon-")).toBeUndefined();
  });
});
