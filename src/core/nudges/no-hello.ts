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

export const noHello = nudge({
  kind: "no-hello",
  title: "No hello",
  description: "a private tip when a DM is only a greeting, with nothing after it",
  settings: noHelloSettings,
  create(ctx) {
    // Greetings waiting for their minute: the timer key → nothing but ids and times.
    const pending = new LruMap<string, true>(MAX_PENDING);
    const keyOf = (m: ChatMessage) => `nudge.no-hello:${m.workspace}:${m.room.id}:${m.user}`;
    return {
      async onMessage(message: ChatMessage) {
        if (!isDirect(message.room)) return;
        const key = keyOf(message);
        if (pending.delete(key)) ctx.services.scheduler.cancel(key);
        const s = ctx.settingsFor(message.room);
        if (!s.enabled || message.thread || !isOnlyGreeting(message.text)) return;
        pending.set(key, true);
        ctx.services.scheduler.at(new Date(message.at.getTime() + s.waitSeconds * 1000), key, async () => {
          if (!pending.delete(key)) return;
          await ctx.tipAuthor(
            message,
            "Tip: say hello and ask your question in the same message. Chat is asynchronous: " +
              "the other person can answer in one go instead of waiting for the rest.",
          );
        });
      },
      async stop() {
        for (const [key] of pending.entries()) ctx.services.scheduler.cancel(key);
      },
    };
  },
});
