/**
 * Replay scenario lines (docs/replay.md's format) written by hand in scenario tests: a command or a
 * message in a room, at an ISO time.
 */

/** `2026-MM-DDTHH:MM:00Z` for a day of the month `month` (1–12) of 2026 and an `HH:MM` time. */
export function dayAt(month: number, day: number, time: string): string {
  return `2026-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}T${time}:00Z`;
}

/** A command line, as `user` typed it in `room`. */
export function commandLine(at: string, user: string, text: string, room: string) {
  return { type: "command", at, user, room, text };
}

/** A message line, as `user` wrote it in `room`; `extra` adds `thread`, `mentions` and the like. */
export function messageLine(
  at: string,
  id: string,
  user: string,
  text: string,
  room: string,
  extra: Record<string, unknown> = {},
) {
  return { type: "message", at, id, user, room, text, ...extra };
}
