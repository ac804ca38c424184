/** Be kind: a private, gentle note when a message's tone reads as harsh (see tone.ts). Never public. */
import { z } from "zod";
import type { ChatMessage } from "../model.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { readTone } from "./tone.js";

export const beKindSettings = z.strictObject({
  ...baseShape(true, 240),
  harshScore: z
    .number()
    .int()
    .min(-50)
    .max(-1)
    .default(-5)
    .describe("Lexicon score (AFINN sum) at or below which a message reads harsh; lower is more tolerant."),
});

export const beKind = nudge({
  kind: "be-kind",
  title: "Be kind",
  description: "a private, gentle note when a message reads harsh (lexicon plus capitals, !!!/???, insults)",
  settings: beKindSettings,
  create(ctx) {
    return {
      async onMessage(message: ChatMessage) {
        const s = ctx.settingsFor(message.room);
        if (!s.enabled) return;
        const tone = readTone(message.text, { harshScore: s.harshScore });
        if (!tone.harsh) return;
        await ctx.tipAuthor(
          message,
          `Just so you know: your last message may read harsher than you meant (${tone.reasons.join(", ")}). ` +
            "Text loses tone of voice; a softer word costs nothing.",
        );
      },
    };
  },
});
