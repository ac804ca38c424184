/**
 * Public holidays of a country or region (`ES`, `ES-MD`, `US-NY`) from date-holidays. Only holidays of
 * type "public" count: bank or optional days are working days for most teams.
 */
import Holidays from "date-holidays";

/** Answers whether a local date (`YYYY-MM-DD`) is a public holiday. */
export type HolidayCheck = (localDate: string) => boolean;

export const noHolidays: HolidayCheck = () => false;

/** `ES-MD` → `{country: "ES", region: "MD"}` when date-holidays knows both; undefined otherwise. */
export function parseHolidayCode(code: string): { country: string; region?: string } | undefined {
  const m = /^([A-Za-z]{2})(?:-([A-Za-z0-9]{1,3}))?$/.exec(code.trim());
  if (!m) return undefined;
  const country = m[1]!.toUpperCase();
  const hd = new Holidays();
  // init() accepts unknown codes silently, so check against the lists it ships.
  if (!(country in hd.getCountries())) return undefined;
  if (m[2] === undefined) return { country };
  const region = m[2].toUpperCase();
  const states = hd.getStates(country) ?? {};
  return region in states ? { country, region } : undefined;
}

// One check per code for the process: the calendars are static data, and each year's list is
// computed once (schedules ask about the same few dates over and over).
const checks = new Map<string, HolidayCheck>();

/** A holiday check for `code` (already validated); an unknown code has no holidays. */
export function holidayCheck(code: string | undefined): HolidayCheck {
  if (!code) return noHolidays;
  let check = checks.get(code);
  if (!check) {
    const parsed = parseHolidayCode(code);
    check = parsed ? calendarCheck(parsed) : noHolidays;
    checks.set(code, check);
  }
  return check;
}

function calendarCheck(parsed: { country: string; region?: string }): HolidayCheck {
  const cache = new Map<number, Set<string>>();
  return (localDate) => {
    const year = Number(localDate.slice(0, 4));
    let dates = cache.get(year);
    if (!dates) {
      const hd = parsed.region ? new Holidays(parsed.country, parsed.region) : new Holidays(parsed.country);
      // `date` is local to the country, "YYYY-MM-DD hh:mm:ss": the first ten characters are the day.
      dates = new Set(
        hd
          .getHolidays(year)
          .filter((h) => h.type === "public")
          .map((h) => h.date.slice(0, 10)),
      );
      cache.set(year, dates);
    }
    return dates.has(localDate);
  };
}
