/** Value schemas shared by config sections and command parsers. */
import { z } from "zod";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM`, 24-hour clock. */
export const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time like 09:30 (24-hour clock)");

/**
 * Parses `mon-fri`, `mon,tue,thu` or `sat-sun` into ISO weekday numbers (1 = Monday … 7 = Sunday).
 * Returns undefined for anything else.
 */
export function parseWeekdays(text: string): number[] | undefined {
  const days = new Set<number>();
  for (const part of text.toLowerCase().split(",")) {
    const range = part.trim().split("-");
    if (range.length > 2 || range[0] === "") return undefined;
    const from = WEEKDAYS.indexOf(range[0] as Weekday);
    const to = WEEKDAYS.indexOf((range[1] ?? range[0]) as Weekday);
    if (from < 0 || to < 0) return undefined;
    // A range may wrap around the week: fri-mon.
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d + 1);
      if (d === to) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

export const weekdayList = z
  .string()
  .refine((s) => parseWeekdays(s) !== undefined, "must be days like mon-fri or mon,tue,thu");
