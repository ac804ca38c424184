/**
 * No hello: a DM that is only a greeting, with nothing after it for a minute, gets a private tip to
 * ask the actual question straight away (nohello.net): the other person can answer in one go.
 */
import { z } from "zod";
import { LruMap } from "../lru-map.js";
import { type ChatMessage, isDirect } from "../model.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { isOnlyGreeting } from "./text-signals.js";

export const noHelloSettings = z.strictObject({
  ...baseShape(true, 24 * 60),
  waitSeconds: z
    .number()
    .int()
    .min(5)
    .max(3600)
    .default(60)
    .describe("Seconds of silence after the greeting before the tip."),
});

const MAX_PENDING = 2000;
// A greeting is an opener when nobody else spoke in the DM this recently; after that it is an answer.
const ANSWER_WINDOW_MS = 30 * 60_000;

export const noHello = nudge({
  kind: "no-hello",
  title: "No hello",
  description: "a private tip when a DM is only a greeting, with nothing after it",
  settings: noHelloSettings,
  create(ctx) {
    // Greetings waiting for their minute: the timer key → nothing but ids and times.
    const pending = new LruMap<string, true>(MAX_PENDING);
    const keyOf = (m: ChatMessage) => `nudge.no-hello:${m.workspace}:${m.room.id}:${m.user}`;
    // Per DM, who spoke last and when: ids and times only.
    const lastSpeaker = new LruMap<string, { user: string; at: number }>(MAX_PENDING);
    const watch = async (message: ChatMessage) => {
      const key = keyOf(message);
      if (pending.delete(key)) ctx.services.scheduler.cancel(key);
      const roomKey = `${message.workspace}\u0000${message.room.id}`;
      const before = lastSpeaker.get(roomKey);
      lastSpeaker.set(roomKey, { user: message.user, at: message.at.getTime() });
      // `hi` → `hi!`: the second greeting answers the first; only the opener gets the tip.
      const answers =
        before !== undefined &&
        before.user !== message.user &&
        message.at.getTime() - before.at < ANSWER_WINDOW_MS;
      const s = ctx.settingsFor(message.room);
      if (!s.enabled || message.thread || answers || !isOnlyGreeting(message.text)) return;
      pending.set(key, true);
      ctx.services.scheduler.at(new Date(message.at.getTime() + s.waitSeconds * 1000), key, async () => {
        if (!pending.delete(key)) return;
        await ctx.tipAuthor(
          message,
          "Tip: say hello and ask your question in the same message. Chat is asynchronous: " +
            "the other person can answer in one go instead of waiting for the rest.",
        );
      });
    };
    return {
      onMessage: (message: ChatMessage) => (isDirect(message.room) ? watch(message) : undefined),
      async stop() {
        for (const [key] of pending.entries()) ctx.services.scheduler.cancel(key);
      },
    };
  },
});
