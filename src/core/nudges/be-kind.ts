/** Be kind: a private, gentle note when a message reads harsh toward people (see tone.ts). Never public. */
import { z } from "zod";
import type { ChatMessage } from "../model.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { DEFAULT_TONE, readTone, SWEARING_MODES } from "./tone.js";

export const beKindSettings = z.strictObject({
  ...baseShape(true, 240),
  swearing: z
    .enum(SWEARING_MODES)
    .default(DEFAULT_TONE.swearing)
    .describe(
      "When swearing counts on its own: any (default), strong (only the strongest words) or aimed (only at someone or their work).",
    ),
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
        const tone = readTone(message.text, { swearing: s.swearing });
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
