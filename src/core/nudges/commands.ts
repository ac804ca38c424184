/**
 * `/outloud mute [kind|all] [for 7d]`, `/outloud unmute [kind]`, `/outloud hours 08:00-16:00 mon-thu`,
 * `/outloud privacy`, and `/share [text]`: commands are data, their parsers pure.
 */
import { command, noArgs, ok, type Parsed, problem } from "../commands/command.js";
import type { CoreServices } from "../feature.js";
import { isNudgeKind, NUDGE_KINDS } from "./index.js";
import { type ShareHandles, shareAction, sharedNotice } from "./share.js";
import type { Mute, NudgeStore } from "./store.js";
import { formatHours, localTime, parseHours, type WorkingHours } from "./working-hours.js";

export interface MuteArgs {
  kind: string;
  /** Minutes; absent: until unmuted. */
  minutes?: number;
}

const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 24 * 60, w: 7 * 24 * 60 };

/** `7d`, `12h`, `30m`, `2w` → minutes. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,4})\s*(m|min|h|d|w)$/i.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[1]) * UNIT_MINUTES[m[2]!.toLowerCase()[0]!]!;
  return minutes > 0 && minutes <= 366 * 24 * 60 ? minutes : undefined;
}

/** Pure parser of `[kind|all] [for 7d]`. */
export function parseMute(args: readonly string[]): Parsed<MuteArgs> {
  const words = [...args];
  let kind = "all";
  if (words[0] && words[0].toLowerCase() !== "for") {
    const k = words.shift()!.toLowerCase();
    if (k !== "all" && !isNudgeKind(k))
      return problem(`"${k}" is not a nudge; use one of: all, ${NUDGE_KINDS.join(", ")}`);
    kind = k;
  }
  if (words.length === 0) return ok({ kind });
  if (words[0]!.toLowerCase() !== "for" || words.length !== 2)
    return problem(`unexpected "${words.join(" ")}"`);
  const minutes = parseDuration(words[1]!);
  if (minutes === undefined) return problem(`"${words[1]}" is not a duration like 7d, 12h or 30m`);
  return ok({ kind, minutes });
}

export function parseUnmute(args: readonly string[]): Parsed<{ kind?: string }> {
  if (args.length === 0) return ok({});
  const k = args[0]!.toLowerCase();
  if (args.length > 1 || (k !== "all" && !isNudgeKind(k)))
    return problem(`"${args.join(" ")}" is not a nudge`);
  return ok(k === "all" ? {} : { kind: k });
}

/** `[kind]`: one nudge kind (not `all`), or nothing for the last nudge the person got. */
export function parseUnhelpful(args: readonly string[]): Parsed<{ kind?: string }> {
  if (args.length === 0) return ok({});
  const k = args[0]!.toLowerCase();
  if (args.length > 1 || !isNudgeKind(k)) return problem(`"${args.join(" ")}" is not a nudge`);
  return ok({ kind: k });
}

/** Marks of one kind within this many days mute it for the person. */
export const UNHELPFUL_WINDOW_DAYS = 30;
export const UNHELPFUL_TO_MUTE = 2;

/**
 * `08:00-16:00 mon-thu`; nothing: show the current hours. Without days, `keepDays` is set: the
 * person's current working days stay as they are (only the times change).
 */
export function parseHoursArgs(
  args: readonly string[],
): Parsed<{ hours?: WorkingHours; keepDays?: boolean }> {
  if (args.length === 0) return ok({});
  if (args.length > 2) return problem(`unexpected "${args.slice(2).join(" ")}"`);
  const hours = parseHours(args[0]!, args[1] ?? "mon-fri");
  if (typeof hours === "string") return problem(hours);
  return ok(args[1] === undefined ? { hours, keepDays: true } : { hours });
}

function describeKind(kind: string): string {
  return kind === "all" ? "all nudges" : `${kind} nudges`;
}

/**
 * "all nudges for you until 2026-12-01 10:00 Europe/Madrid", "be-kind nudges for you until you unmute
 * them": the end in the person's own zone `tz`.
 */
export function describeMute(mute: Mute, tz = "UTC"): string {
  const until = mute.until
    ? ` until ${localTime(mute.until, tz).toFormat("yyyy-MM-dd HH:mm")} ${localTime(mute.until, tz).zoneName}`
    : " until you unmute them";
  return `${describeKind(mute.kind)} for you${until}`;
}

export interface NudgeCommandDeps {
  services: CoreServices;
  store: NudgeStore;
  shares: ShareHandles;
  hoursOf(workspace: string, user: string): Promise<{ tz: string; hours: WorkingHours }>;
  defaultHours: WorkingHours;
  retentionDays: number;
}

export function nudgeCommands(deps: NudgeCommandDeps) {
  const { services, store } = deps;
  return [
    command({
      path: ["outloud", "mute"],
      usage: "[kind|all] [for 7d]",
      summary: "stop nudges to you (all, or one kind), for a while or until you unmute",
      parse: parseMute,
      async run({ invocation }, args) {
        const now = invocation.at;
        const until = args.minutes ? new Date(now.getTime() + args.minutes * 60_000) : undefined;
        const mute = { kind: args.kind, until };
        await store.mute(invocation.workspace, invocation.user, mute);
        const { tz } = await deps.hoursOf(invocation.workspace, invocation.user);
        return { kind: "private", text: `Muted ${describeMute(mute, tz)}.` };
      },
    }),
    command({
      path: ["outloud", "unmute"],
      usage: "[kind]",
      summary: "hear nudges again",
      parse: parseUnmute,
      async run({ invocation }, args) {
        const removed = await store.unmute(invocation.workspace, invocation.user, args.kind);
        if (removed === 0)
          return { kind: "private", text: `Nothing was muted${args.kind ? ` for ${args.kind}` : ""}.` };
        return { kind: "private", text: `Unmuted ${describeKind(args.kind ?? "all")}.` };
      },
    }),
    command({
      path: ["outloud", "unhelpful"],
      usage: "[kind]",
      summary: `tell Outloud a nudge did not help (your last one, or one kind); twice in ${UNHELPFUL_WINDOW_DAYS} days mutes it for you`,
      parse: parseUnhelpful,
      async run({ invocation, prefix }, args) {
        const { workspace, user, at } = invocation;
        const kind = args.kind ?? (await store.lastDelivery(workspace, user))?.kind;
        if (!kind)
          return {
            kind: "error",
            problem: `you had no nudge lately; name one of: ${NUDGE_KINDS.join(", ")}`,
          };
        await store.markUnhelpful(workspace, user, kind, at);
        const since = new Date(at.getTime() - UNHELPFUL_WINDOW_DAYS * 24 * 60 * 60_000);
        if ((await store.unhelpfulSince(workspace, user, kind, since)) < UNHELPFUL_TO_MUTE)
          return {
            kind: "private",
            text: `Thanks, noted: that ${kind} nudge did not help. If another one does not help within ${UNHELPFUL_WINDOW_DAYS} days, ${kind} nudges stop for you.`,
          };
        await store.mute(workspace, user, { kind });
        return {
          kind: "private",
          text: `Thanks. That is twice in ${UNHELPFUL_WINDOW_DAYS} days, so ${describeMute({ kind })}. To undo it: \`${prefix}outloud unmute ${kind}\`.`,
        };
      },
    }),
    command({
      path: ["outloud", "hours"],
      usage: "[08:00-16:00 [mon-thu]]",
      summary: "set (or show) your working hours, in your own time zone",
      parse: parseHoursArgs,
      async run({ invocation }, args) {
        if (args.hours) {
          const current = await deps.hoursOf(invocation.workspace, invocation.user);
          const hours = args.keepDays ? { ...args.hours, days: current.hours.days } : args.hours;
          await store.setHours(invocation.workspace, invocation.user, hours);
          return {
            kind: "private",
            text: `Your working hours are now ${formatHours(hours)} (${current.tz}).`,
          };
        }
        const { tz, hours } = await deps.hoursOf(invocation.workspace, invocation.user);
        return { kind: "private", text: `Your working hours: ${formatHours(hours)} (${tz}).` };
      },
    }),
    command({
      path: ["outloud", "privacy"],
      usage: "",
      summary: "what Outloud keeps about you, and for how long",
      parse: noArgs,
      async run({ invocation }) {
        const counts = await store.unhelpfulCounts(invocation.workspace);
        const marks = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`);
        return {
          kind: "private",
          text: [
            "What Outloud keeps for its nudges:",
            `• which nudge went to whom and when, with the id of the message that caused it (for cooldowns and the daily cap): deleted after ${deps.retentionDays} days;`,
            `• for DM suggestions, that a pair of people got one that day (ids and the date): deleted after ${deps.retentionDays} days;`,
            "• your mutes (until they end) and your working hours (until you change them);",
            `• "not helpful" marks: who marked which kind of nudge, and when (no text): deleted after ${deps.retentionDays} days. ` +
              `In this workspace so far: ${marks.length ? marks.join(", ") : "none"}.`,
            "It never stores the text of DMs or private rooms, and never repeats in public what it saw in private.",
            "To repost a DM question, `share` keeps it in memory only, for a few minutes, and only when you ask.",
          ].join("\n"),
        };
      },
    }),
    command({
      path: ["share"],
      usage: "[text]",
      summary: "post your last suggested DM question (or this text) in the suggested channel",
      parse: (args): Parsed<{ text?: string }> => ok(args.length ? { text: args.join(" ") } : {}),
      async run({ invocation }, args) {
        const handle = deps.shares.take(invocation.workspace, invocation.user, invocation.at);
        if (!handle) return { kind: "error", problem: "there is no suggested question to share right now" };
        const text = args.text ?? handle.text;
        if (!text) {
          deps.shares.offer(invocation.workspace, invocation.user, handle.room, "", new Date(0));
          return { kind: "error", problem: "the question is no longer in memory: type it after the command" };
        }
        await services.emit(shareAction(invocation.workspace, invocation.user, handle.room, text));
        return { kind: "private", text: sharedNotice(handle.room) };
      },
    }),
  ];
}
