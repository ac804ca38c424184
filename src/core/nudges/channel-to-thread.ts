/**
 * Channel → thread: when two people keep answering each other in a room outside a thread, suggest
 * once, mentioning them, that they continue in a thread so the room stays readable for everyone else.
 * The detector is ThreadDetector (thread-detector.ts), fed by the ConversationTracker.
 */
import { z } from "zod";
import { PathLruMap } from "../lru-map.js";
import type { ChatMessage } from "../model.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { DEFAULT_THREAD_DETECTOR, ThreadDetector } from "./thread-detector.js";

export const channelToThreadSettings = z.strictObject({
  ...baseShape(true, 20),
  minMessages: z
    .number()
    .int()
    .min(2)
    .max(100)
    .default(6)
    .describe("Messages the two address to each other before the suggestion."),
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(240)
    .default(15)
    .describe("Minutes within which those messages count as one exchange."),
  repeatAfterMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60)
    .describe("Minutes before the same two people are told again in the same room."),
});

/** Rooms followed at once; the least recently active are forgotten beyond this. */
const MAX_ROOMS = 500;

export const channelToThread = nudge({
  kind: "channel-to-thread",
  title: "Channel → thread",
  description: "suggest a thread, mentioning them, when two people go back and forth in a room",
  settings: channelToThreadSettings,
  create(ctx) {
    const detectors = new PathLruMap<ThreadDetector>(MAX_ROOMS);
    /** The people to invite into a thread are told (a promise only then). */
    const suggest = async (message: ChatMessage, detector: ThreadDetector, people: string[]) => {
      const action = (mentioned: string[]) => ({
        workspace: message.workspace,
        action: "reply" as const,
        room: message.room,
        thread: message.id,
        source: "nudge.channel-to-thread",
        about: message.id,
        mentions: mentioned,
        text:
          `${people.map((p) => (mentioned.includes(p) ? `@${p}` : p)).join(" and ")}, you have a good back-and-forth going: ` +
          "could you carry on in this thread? It keeps the room readable for everyone else. " +
          ctx.muteHint(),
      });
      // Whoever already had enough nudges today is named without a mention: no notification for them.
      const posted = await ctx.offer({
        cause: message,
        recipients: people,
        action: action(people),
        forAccepted: action,
      });
      if (!posted) detector.notPosted(people);
    };
    return {
      onMessage(message: ChatMessage) {
        if (message.thread || message.room.kind === "dm" || message.room.kind === "group-dm")
          return undefined;
        const s = ctx.settingsFor(message.room);
        if (!s.enabled) return undefined;
        const detector = detectors.getOrCreate(
          message.workspace,
          message.room.id,
          "",
          () =>
            new ThreadDetector({
              ...DEFAULT_THREAD_DETECTOR,
              minMessages: s.minMessages,
              // Two fewer of their own, as with the default six (see ThreadDetector's `conversation`).
              minOwn: Math.max(2, s.minMessages - 2),
              windowMinutes: s.windowMinutes,
              repeatAfterMinutes: s.repeatAfterMinutes,
            }),
        );
        const people = detector.observe(message);
        return people ? suggest(message, detector, people) : undefined;
      },
    };
  },
});
