/**
 * Impatient pings: the same person mentions or DMs the same person again and again without an
 * answer. A private tip that chat is asynchronous, with the other person's local time when they are
 * outside their working hours.
 */
import { z } from "zod";
import { PathLruMap } from "../lru-map.js";
import type { ChatMessage } from "../model.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { isWorkingTime, localClock } from "./working-hours.js";

export const impatientPingsSettings = z.strictObject({
  ...baseShape(true, 60),
  pings: z
    .number()
    .int()
    .min(2)
    .max(50)
    .default(3)
    .describe("Pings without an answer that make someone impatient (within windowMinutes)."),
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(10)
    .describe("Minutes within which those pings count."),
});

/** Pings from one person to another not yet answered: times and the rooms they were in. */
export interface PingState {
  times: number[];
  rooms: Set<string>;
}

/** Pure: records a ping; true when it makes `pings` unanswered pings within the window. */
export function recordPing(
  state: PingState,
  at: Date,
  room: string,
  rules: { pings: number; windowMinutes: number },
): boolean {
  const now = at.getTime();
  state.times = state.times.filter((t) => now - t <= rules.windowMinutes * 60_000).slice(-(rules.pings + 1));
  state.times.push(now);
  state.rooms.add(room);
  return state.times.length >= rules.pings;
}

/** Pure: does this message from `answerer` answer pings from `pinger` made in `rooms`? */
export function answersPings(
  message: { user: string; room: { id: string }; mentions: readonly string[] },
  pinger: string,
  state: PingState,
): boolean {
  return state.rooms.has(message.room.id) || message.mentions.includes(pinger);
}

type ImpatientPingsSettings = z.output<typeof impatientPingsSettings>;

const MAX_PAIRS = 5000;
const MAX_PINGERS = 50;

export const impatientPings = nudge({
  kind: "impatient-pings",
  title: "Impatient pings",
  description: "a private tip when someone pings the same person again and again without an answer",
  settings: impatientPingsSettings,
  create(ctx) {
    const pings = new PathLruMap<PingState>(MAX_PAIRS);
    // Who is waiting for whom: pinged person → pingers (so an answer clears the right pairs).
    const waiting = new PathLruMap<Set<string>>(MAX_PAIRS);

    /** Who a message pings: those it mentions, or in a DM everyone else in it (asked of the directory). */
    function pinged(message: ChatMessage): string[] | Promise<string[]> {
      if (message.room.kind === "dm")
        return ctx.services.directory
          .roomMembers(message.workspace, message.room)
          .then((members) => members.filter((m) => m !== message.user));
      return message.mentions.filter((m) => m !== message.user);
    }

    /**
     * Counts the pings of `message` to `targets`, in order; the author of one ping too many gets the
     * tip before the next is counted. A promise only when there is a tip to give.
     */
    function count(
      message: ChatMessage,
      s: ImpatientPingsSettings,
      targets: string[],
    ): Promise<void> | undefined {
      const ws = message.workspace;
      for (let i = 0; i < targets.length; i++) {
        const to = targets[i]!;
        const state = pings.getOrCreate(ws, message.user, to, () => ({ times: [], rooms: new Set() }));
        const set = waiting.getOrCreate(ws, to, "", () => new Set());
        set.add(message.user);
        // Bounded: the oldest pinger is forgotten first (a Set keeps insertion order).
        if (set.size > MAX_PINGERS) set.delete(set.values().next().value as string);
        if (!recordPing(state, message.at, message.room.id, s)) continue;
        pings.delete(ws, message.user, to);
        return tip(message, s, to).then(() => count(message, s, targets.slice(i + 1)));
      }
      return undefined;
    }

    async function tip(message: ChatMessage, s: ImpatientPingsSettings, to: string): Promise<void> {
      const { tz, hours } = await ctx.hours.hoursOf(message.workspace, to);
      const away = isWorkingTime(message.at, tz, hours)
        ? ""
        : ` It is ${localClock(message.at, tz)} for them, outside their working hours.`;
      await ctx.tipAuthor(
        message,
        `You've pinged @${to} ${s.pings} times in a few minutes. Chat is asynchronous: they will answer when ` +
          `they can, and one clear message is easier to answer than several.${away}`,
        { mentions: [to] },
      );
    }

    return {
      onMessage(message: ChatMessage) {
        const ws = message.workspace;
        // An answer: the pinged person speaks where they were pinged, or mentions the pinger.
        const pingers = waiting.get(ws, message.user, "");
        if (pingers) {
          // Deleting the entry just visited is safe while iterating a Set: no copy per message.
          for (const from of pingers) {
            const state = pings.get(ws, from, message.user);
            if (!state || answersPings(message, from, state)) {
              pings.delete(ws, from, message.user);
              pingers.delete(from);
            }
          }
        }
        const s = ctx.settingsFor(message.room);
        if (!s.enabled) return undefined;
        const targets = pinged(message);
        if (Array.isArray(targets)) return targets.length > 0 ? count(message, s, targets) : undefined;
        return targets.then((found) => count(message, s, found));
      },
    };
  },
});
