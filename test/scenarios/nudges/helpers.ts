/** Builders for nudge scenarios: replay-format lines with sensible defaults. */
let seq = 0;

/** `at` as minutes (and seconds) after Wednesday 2026-11-25 10:00 UTC, inside default working hours. */
export function at(minutes: number, seconds = 0): string {
  return new Date(Date.parse("2026-11-25T10:00:00Z") + minutes * 60_000 + seconds * 1000).toISOString();
}

export function msg(
  minutes: number,
  user: string,
  room: string,
  text: string,
  extra: Record<string, unknown> = {},
) {
  return { type: "message", at: at(minutes), id: `m${++seq}`, user, room, text, ...extra };
}

export function cmd(minutes: number, user: string, room: string, text: string) {
  return { type: "command", at: at(minutes), user, room, text };
}

export function user(id: string, fields: { tz?: string; bot?: boolean } = {}) {
  return { type: "user", at: at(0), user: id, ...fields };
}

/** Two people answering each other by name: `n` messages, 30 s apart, from `start` minutes. */
export function backAndForth(start: number, a: string, b: string, room: string, n = 8) {
  return Array.from({ length: n }, (_, i) => {
    const [from, to] = i % 2 ? [b, a] : [a, b];
    return { ...msg(start, from, room, `${to}: about the migration, step ${i}`), at: at(start, i * 30) };
  });
}
