// Working hours are judged on the person's wall clock: the same answers as luxon gives for their zone,
// across daylight-saving changes, for zones Intl does not know (luxon's fixed offsets, unknown names).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isWorkingTime,
  localDate,
  localTime,
  parseHours,
  type WorkingHours,
} from "../../../src/core/nudges/working-hours.js";

const zones = [
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "UTC",
  "UTC+3",
  "Not/AZone",
];
const shifts = [parseHours("09:00-17:30", "mon-fri"), parseHours("22:00-06:00", "sun-thu")] as WorkingHours[];
const clock = (c: string) => Number(c.slice(0, 2)) * 60 + Number(c.slice(3));

/** The rule as written with a luxon DateTime: the reference. */
function luxonSays(at: Date, tz: string, hours: WorkingHours): boolean {
  const local = localTime(at, tz);
  const now = local.hour * 60 + local.minute;
  const [start, end] = [clock(hours.start), clock(hours.end)];
  if (start < end) return hours.days.includes(local.weekday) && now >= start && now < end;
  if (now >= start) return hours.days.includes(local.weekday);
  return now < end && hours.days.includes(local.weekday === 1 ? 7 : local.weekday - 1);
}

describe("working hours in a person's zone", () => {
  it("are read as luxon reads the zone", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("1990-01-01T00:00:00Z"),
          max: new Date("2040-01-01T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.constantFrom(...zones),
        fc.constantFrom(...shifts),
        (at, tz, hours) => {
          expect(localDate(at, tz)).toBe(localTime(at, tz).toISODate());
          expect(isWorkingTime(at, tz, hours)).toBe(luxonSays(at, tz, hours));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("turn at the local midnight around a daylight-saving change", () => {
    // Berlin moved from +01:00 to +02:00 at 01:00 UTC on 2026-03-29.
    expect(localDate(new Date("2026-03-28T22:59:00Z"), "Europe/Berlin")).toBe("2026-03-28");
    expect(localDate(new Date("2026-03-28T23:00:00Z"), "Europe/Berlin")).toBe("2026-03-29");
    expect(localDate(new Date("2026-03-29T21:59:00Z"), "Europe/Berlin")).toBe("2026-03-29");
    expect(localDate(new Date("2026-03-29T22:00:00Z"), "Europe/Berlin")).toBe("2026-03-30");
  });
});
