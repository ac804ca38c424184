/**
 * The playground's saved state: where its virtual clock stood, the next message id and who is in which
 * room, kept beside the database so a second session resumes where the first one stopped (rather than
 * at the real time, which may lie before announcements the first session already made), never reuses
 * a message id, and does not take the rota's members for people who left.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { DateTime } from "luxon";
import type { DirectorySnapshot } from "./local-directory.js";

export interface PlaygroundState {
  /** The virtual time when the last session stopped. */
  now: Date;
  /** The number of the next message id (`m<n>`). */
  nextId: number;
  directory?: DirectorySnapshot;
}

/** The saved state, or undefined when there is none (or it is unreadable: a fresh start is harmless). */
export function readPlaygroundState(path: string): PlaygroundState | undefined {
  try {
    const saved = JSON.parse(readFileSync(path, "utf8")) as {
      now?: unknown;
      nextId?: unknown;
      directory?: DirectorySnapshot;
    };
    const now = typeof saved.now === "string" ? new Date(saved.now) : undefined;
    if (!now || Number.isNaN(now.getTime()) || !Number.isInteger(saved.nextId)) return undefined;
    return { now, nextId: saved.nextId as number, directory: saved.directory };
  } catch {
    return undefined;
  }
}

export function writePlaygroundState(path: string, state: PlaygroundState): void {
  writeFileSync(path, `${JSON.stringify({ ...state, now: state.now.toISOString() })}\n`);
}

const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/**
 * `:at` targets, in UTC: an ISO time (`2026-11-26T09:00Z`), `tomorrow [HH:MM]`, or `[next] monday
 * [HH:MM]` (the first such day after today: the same words mean the same jump on any day of the week).
 */
export function parseJump(text: string, now: Date): Date | undefined {
  const words = text.trim().toLowerCase();
  const relative = /^(?:(tomorrow)|(?:next\s+)?([a-z]+))(?:\s+(\d{1,2}):(\d{2}))?$/.exec(words);
  if (relative) {
    const [, tomorrow, dayName, hh, mm] = relative;
    const day = dayName ? WEEKDAYS.findIndex((d) => d.startsWith(dayName) && dayName.length >= 3) : -1;
    if (!tomorrow && day < 0) return undefined;
    const hour = Number(hh ?? 0);
    const minute = Number(mm ?? 0);
    if (hour > 23 || minute > 59) return undefined;
    const today = DateTime.fromJSDate(now, { zone: "UTC" }).startOf("day");
    // Luxon weekdays run 1 (Monday) to 7; "next monday" on a Monday is a week later.
    const ahead = tomorrow ? 1 : (day + 1 - today.weekday + 7) % 7 || 7;
    return today.plus({ days: ahead }).set({ hour, minute }).toJSDate();
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(words)) return undefined;
  const at = Date.parse(text.trim());
  return Number.isNaN(at) ? undefined : new Date(at);
}
