/**
 * Who will be on duty when: the forecast behind `/rota who` and App Home's "your next duty". It uses
 * the announcements' own rules, so it says what will happen if nothing changes: the rota's working
 * days in its zone, public holidays, days when everyone is away, and the rotation that passes over
 * people who are away or gone from the room (they keep their place) and puts a skipper first in line.
 */
import { DateTime } from "luxon";
import { holidayCheck } from "./holidays.js";
import { forecast } from "./rotation.js";
import {
  type AnnouncementRule,
  addDays,
  announcementDates,
  isAway,
  localDateOf,
  occurrenceToday,
  type ScheduleContext,
} from "./schedule.js";
import type { Rota, RotaState, Turn } from "./store.js";

export function ruleOf(rota: Rota): AnnouncementRule {
  return { time: rota.time, zone: rota.zone, days: rota.days };
}

/** Who can take the turn on a local date: in the rota, not away, still in the room. */
export function isAvailable(state: RotaState, member: string, date: string): boolean {
  return !state.left.includes(member) && !isAway(member, date, state.away);
}

export function scheduleContext(state: RotaState): ScheduleContext {
  return {
    isHoliday: holidayCheck(state.rota.holidays ?? undefined),
    someoneAvailable: (date) => state.queue.some((m) => isAvailable(state, m, date)),
  };
}

/** The first announcement date to forecast: today if it is still to come and not yet taken. */
export function forecastStart(state: RotaState, now: Date, todayTurn: Turn | undefined): string {
  const today = localDateOf(now, state.rota.zone);
  if (todayTurn) return addDays(today, 1);
  const occurrence = occurrenceToday(ruleOf(state.rota), now, scheduleContext(state));
  return occurrence && occurrence.at.getTime() > now.getTime() ? today : addDays(today, 1);
}

/** The next `count` announcements after today's turn (if taken), with who will take each. */
export function upcomingTurns(
  state: RotaState,
  now: Date,
  todayTurn: Turn | undefined,
  count: number,
): { date: string; responder: string | undefined }[] {
  const dates = announcementDates(
    ruleOf(state.rota),
    forecastStart(state, now, todayTurn),
    count,
    scheduleContext(state),
  );
  return forecast(state.queue, dates, (m, d) => isAvailable(state, m, d));
}

/**
 * The local date of `member`'s next duty: today when today's turn is theirs, else the first forecast
 * turn that falls to them. Undefined when the rota is paused, or none of the next announcements (at
 * least 60, about three months of working days) falls to them: away, or gone from the room, for that long.
 */
export function nextDuty(
  state: RotaState,
  member: string,
  now: Date,
  todayTurn: Turn | undefined,
): string | undefined {
  if (state.rota.paused || !state.queue.includes(member)) return undefined;
  if (todayTurn?.responder === member) return todayTurn.date;
  const turns = upcomingTurns(state, now, todayTurn, Math.max(60, 2 * state.queue.length));
  return turns.find((t) => t.responder === member)?.date;
}

/** A local date as people read it in the rota's messages: `Tue 1 Dec`. */
export function formatDay(localDate: string): string {
  return DateTime.fromISO(localDate, { zone: "UTC", locale: "en-GB" }).toFormat("ccc d LLL");
}
