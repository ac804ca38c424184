/**
 * Timing properties of the rota, checked over random rules and dates with fast-check. Local wall-clock
 * times are read back by formatting each instant with Intl, not through the offsets schedule.ts
 * computed them from, so the check is independent. Run this file also with TZ=Pacific/Kiritimati:
 * nothing may depend on the host's zone.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { holidayCheck } from "../../../src/core/rota/holidays.js";
import { forecast } from "../../../src/core/rota/rotation.js";
import {
  type AnnouncementRule,
  type AwayRange,
  addDays,
  addWorkingMinutes,
  announcementDates,
  isAway,
  isWorkingDay,
  localDateOf,
  nextOccurrence,
  occurrenceOn,
} from "../../../src/core/rota/schedule.js";

const ZONES = [
  "Europe/Madrid",
  "America/New_York",
  "Australia/Sydney",
  "Asia/Kolkata",
  "Pacific/Auckland",
  "America/Sao_Paulo",
  "Europe/London",
  "UTC",
];
const HOLIDAY_CODES = [undefined, "ES", "ES-MD", "US", "AU-NSW", "GB"];

/** Wall clock of an instant in a zone, read with Intl: `{date: YYYY-MM-DD, time: HH:MM}`. */
function wallClock(at: Date, zone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** True when no minute of `date` in `zone` shows `time` on the wall clock (a spring-forward gap). */
function timeSkippedOn(date: string, time: string, zone: string, near: Date): boolean {
  for (let t = near.getTime() - 3 * 3600_000; t <= near.getTime() + 3 * 3600_000; t += 60_000) {
    const w = wallClock(new Date(t), zone);
    if (w.date === date && w.time === time) return false;
  }
  return true;
}

const arbRule = fc.record({
  time: fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`),
  zone: fc.constantFrom(...ZONES),
  days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
});
// 2025 to 2028 covers several DST changes in every zone above, and leap day 2028-02-29.
const arbNow = fc.date({
  min: new Date("2025-01-01T00:00:00Z"),
  max: new Date("2028-12-31T00:00:00Z"),
  noInvalidDate: true,
});
const arbHolidays = fc.constantFrom(...HOLIDAY_CODES);

// Hundreds of zone computations per property: on a shared 2-core machine under load they can outlast
// the default limit. This is a harness limit, not a speed assertion.
const SLOW = { timeout: 180_000 };

describe("nextOccurrence", () => {
  it("is on a working day that is not a holiday, after now, at the rule's wall-clock time", SLOW, () => {
    fc.assert(
      fc.property(arbRule, arbNow, arbHolidays, (rule, now, code) => {
        const isHoliday = holidayCheck(code);
        const next = nextOccurrence(rule, now, { isHoliday });
        expect(next).toBeDefined();
        const { date, at } = next!;
        expect(at.getTime()).toBeGreaterThan(now.getTime());
        expect(isWorkingDay(rule, date, isHoliday)).toBe(true);
        expect(isHoliday(date)).toBe(false);
        const wall = wallClock(at, rule.zone);
        expect(wall.date).toBe(date);
        if (wall.time !== rule.time) expect(timeSkippedOn(date, rule.time, rule.zone, at)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("announces exactly once on every working day, and never on any other day", SLOW, () => {
    fc.assert(
      fc.property(arbRule, arbNow, arbHolidays, (rule, now, code) => {
        const isHoliday = holidayCheck(code);
        const seen: string[] = [];
        let cursor = now;
        for (let i = 0; i < 15; i++) {
          const next = nextOccurrence(rule, cursor, { isHoliday })!;
          seen.push(next.date);
          cursor = next.at;
        }
        // Every working day between the first and last occurrence, each exactly once, in order.
        const expected = announcementDates(rule, seen[0]!, 15, { isHoliday });
        expect(seen).toEqual(expected);
        expect(new Set(seen).size).toBe(seen.length);
      }),
      { numRuns: 200 },
    );
  });

  it("never picks a day nobody is available, and forecasts nobody who is away", SLOW, () => {
    const arbAway = fc.array(
      fc.record({
        member: fc.constantFrom("ana", "bob", "cy"),
        from: fc.integer({ min: 0, max: 30 }),
        length: fc.integer({ min: 0, max: 10 }),
      }),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(arbRule, arbNow, arbAway, (rule, now, spans) => {
        const today = localDateOf(now, rule.zone);
        const away: AwayRange[] = spans.map((s) => ({
          member: s.member,
          from: addDays(today, s.from),
          to: addDays(today, s.from + s.length),
        }));
        const members = ["ana", "bob", "cy"];
        const someoneAvailable = (d: string) => members.some((m) => !isAway(m, d, away));
        const next = nextOccurrence(rule, now, { someoneAvailable });
        expect(next).toBeDefined();
        expect(someoneAvailable(next!.date)).toBe(true);
        const dates = announcementDates(rule, today, 20, { someoneAvailable });
        for (const { date, responder } of forecast(members, dates, (m, d) => !isAway(m, d, away))) {
          expect(responder).toBeDefined();
          expect(isAway(responder!, date, away)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("daylight saving changes", () => {
  const weekdays = { time: "09:00", days: [1, 2, 3, 4, 5, 6, 7] };
  // For each zone: the days either side of both changes in 2026, and the UTC time of 09:00 local.
  const cases: [string, string, string][] = [
    ["Europe/Madrid", "2026-03-28", "08:00"],
    ["Europe/Madrid", "2026-03-30", "07:00"],
    ["Europe/Madrid", "2026-10-24", "07:00"],
    ["Europe/Madrid", "2026-10-26", "08:00"],
    ["America/New_York", "2026-03-07", "14:00"],
    ["America/New_York", "2026-03-09", "13:00"],
    ["America/New_York", "2026-10-31", "13:00"],
    ["America/New_York", "2026-11-02", "14:00"],
    ["Australia/Sydney", "2026-04-04", "22:00"], // 09:00 AEDT (+11) is 22:00 UTC the day before
    ["Australia/Sydney", "2026-04-06", "23:00"],
    ["Australia/Sydney", "2026-10-03", "23:00"],
    ["Australia/Sydney", "2026-10-05", "22:00"],
  ];
  it.each(cases)("%s on %s: 09:00 local is %s UTC", (zone, date, utc) => {
    const at = occurrenceOn({ ...weekdays, zone }, date);
    expect(at.toISOString().slice(11, 16)).toBe(utc);
    expect(wallClock(at, zone)).toEqual({ date, time: "09:00" });
  });

  it("keeps 09:00 local every day through both changes, one announcement a day", SLOW, () => {
    for (const zone of ["Europe/Madrid", "America/New_York", "Australia/Sydney"]) {
      let cursor = new Date("2026-01-01T00:00:00Z");
      for (let i = 0; i < 366; i++) {
        const next = nextOccurrence({ ...weekdays, zone }, cursor)!;
        expect(wallClock(next.at, zone)).toEqual({ date: next.date, time: "09:00" });
        if (i > 0) expect(next.date).toBe(addDays(localDateOf(cursor, zone), 1));
        cursor = next.at;
      }
    }
  });

  it("moves a time inside the spring-forward gap forward by the gap, still once that day", () => {
    const rule = { time: "02:30", zone: "Europe/Madrid", days: [7] };
    const next = nextOccurrence(rule, new Date("2026-03-28T12:00:00Z"))!;
    expect(next.date).toBe("2026-03-29");
    expect(wallClock(next.at, "Europe/Madrid").time).toBe("03:30");
    const after = nextOccurrence(rule, next.at)!;
    expect(after.date).toBe("2026-04-05");
  });

  it("takes a time that happens twice in the autumn only once, the first time", () => {
    const rule = { time: "02:30", zone: "Europe/Madrid", days: [1, 2, 3, 4, 5, 6, 7] };
    const first = nextOccurrence(rule, new Date("2026-10-24T12:00:00Z"))!;
    expect(first.date).toBe("2026-10-25");
    // 02:30 summer time (UTC+2), not the 02:30 winter time an hour later.
    expect(first.at.toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(nextOccurrence(rule, first.at)!.date).toBe("2026-10-26");
    const newYork = { ...rule, time: "01:30", zone: "America/New_York" };
    expect(occurrenceOn(newYork, "2026-11-01").toISOString()).toBe("2026-11-01T05:30:00.000Z");
  });
});

describe("a zone the time zone data does not know", () => {
  it("is read as UTC rather than failing the rota's schedule", () => {
    const rule = { time: "09:00", zone: "Mars/Olympus_Mons", days: [1, 2, 3, 4, 5, 6, 7] };
    expect(nextOccurrence(rule, new Date("2026-11-25T12:00:00Z"))).toEqual({
      date: "2026-11-26",
      at: new Date("2026-11-26T09:00:00Z"),
    });
  });
});

describe("holidays", () => {
  it("skips Spanish national and Madrid regional holidays", () => {
    const rule: AnnouncementRule = { time: "09:00", zone: "Europe/Madrid", days: [1, 2, 3, 4, 5] };
    const madrid = holidayCheck("ES-MD");
    // 2026-12-07 (Monday) is the Constitution day moved, 2026-12-08 the Immaculate Conception.
    expect(nextOccurrence(rule, new Date("2026-12-04T12:00:00Z"), { isHoliday: madrid })!.date).toBe(
      "2026-12-09",
    );
    // 2026-05-02 is the Community of Madrid's own day, not a national holiday.
    expect(madrid("2026-05-02")).toBe(true);
    expect(holidayCheck("ES")("2026-05-02")).toBe(false);
  });
});

describe("addWorkingMinutes", () => {
  const rule: AnnouncementRule = { time: "09:00", zone: "Europe/Madrid", days: [1, 2, 3, 4, 5] };
  const hours = { start: "09:00", end: "18:00" };
  it("counts only working time: Friday 17:50 plus 30 minutes is Monday 09:20", () => {
    const due = addWorkingMinutes(new Date("2026-11-27T16:50:00Z"), 30, rule, hours);
    expect(wallClock(due, "Europe/Madrid")).toEqual({ date: "2026-11-30", time: "09:20" });
  });
  it("is plain minutes inside the working day, and starts at opening time before it", () => {
    expect(addWorkingMinutes(new Date("2026-11-25T10:00:00Z"), 30, rule, hours).toISOString()).toBe(
      "2026-11-25T10:30:00.000Z",
    );
    const early = addWorkingMinutes(new Date("2026-11-25T05:00:00Z"), 30, rule, hours);
    expect(wallClock(early, "Europe/Madrid")).toEqual({ date: "2026-11-25", time: "09:30" });
  });
});

describe("the host's time zone", () => {
  it(
    "changes no answer: a process in Pacific/Kiritimati (UTC+14) computes the same occurrences",
    SLOW,
    async () => {
      const { execFileSync } = await import("node:child_process");
      const inputs = ZONES.map((zone, i) => ({
        rule: { time: "09:15", zone, days: [1, 2, 3, 4, 5] },
        now: new Date(Date.UTC(2026, 2, 27 + i, 23, 30)).toISOString(),
      }));
      const script = `
      import { nextOccurrence } from "./src/core/rota/schedule.ts";
      const inputs = JSON.parse(process.argv[1]);
      const out = inputs.map(({ rule, now }) => nextOccurrence(rule, new Date(now)));
      console.log(JSON.stringify({ offset: new Date().getTimezoneOffset(), out }));
    `;
      const raw = execFileSync(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", script, JSON.stringify(inputs)],
        {
          env: { ...process.env, TZ: "Pacific/Kiritimati" },
          encoding: "utf8",
        },
      );
      const child = JSON.parse(raw) as { offset: number; out: { date: string; at: string }[] };
      expect(child.offset).toBe(-840);
      const here = inputs.map(({ rule, now }) => nextOccurrence(rule, new Date(now))!);
      expect(child.out).toEqual(here.map((o) => ({ date: o.date, at: o.at.toISOString() })));
    },
  );
});
