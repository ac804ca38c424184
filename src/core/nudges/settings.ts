/**
 * The `nudges:` section of config/outloud.yaml. Every key has a default; each nudge's own keys are
 * in its file. Rooms may switch nudges off or tune them:
 *
 *   nudges:
 *     dailyCap: 3
 *     channel-to-thread: { minMessages: 8 }
 *     rooms:
 *       random: { enabled: false }                 # no nudges at all in #random
 *       support: { be-kind: { enabled: false } }   # per nudge, per room
 */
import { z } from "zod";
import { NUDGES, type NudgeKind } from "./index.js";
import type { NudgeUnit } from "./nudge.js";
import { overrideOf } from "./settings-shape.js";

/** One entry per nudge, keyed by its kind. */
function byKind<T>(units: readonly NudgeUnit[], make: (unit: NudgeUnit) => T): Record<NudgeKind, T> {
  return Object.fromEntries(units.map((unit) => [unit.kind, make(unit)])) as Record<NudgeKind, T>;
}

/** Each nudge's section, `be-kind: {…}`, with its defaults and its one-line description. */
const unitSections = byKind(NUDGES, (unit) =>
  unit.settings.prefault({}).describe(`${unit.title}: ${unit.description}.`),
);

const roomOverride = z.strictObject({
  enabled: z.boolean().optional().describe("false: no nudges in this room."),
  ...byKind(
    NUDGES.filter((unit) => unit.perRoom !== false),
    (unit) => overrideOf(unit.settings).optional(),
  ),
});

export const nudgesSettings = z
  .strictObject({
    enabled: z.boolean().default(true).describe("false: no nudges anywhere (commands still answer)."),
    dailyCap: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(3)
      .describe("Nudges one person gets per local day, all kinds together."),
    shareMinutes: z
      .number()
      .int()
      .min(1)
      .max(120)
      .default(15)
      .describe(
        "Minutes `/share` may repost a suggested DM question from memory (the text is never stored).",
      ),
    rooms: z
      .record(z.string(), roomOverride)
      .default({})
      .describe("Per-room switches and tuning, keyed by room name (without #) or id."),
    ...unitSections,
  })
  .describe(
    "Nudges: rare, mostly private hints that keep work in the open and respect asynchrony (docs/nudges.md).",
  );

export type NudgesSettings = z.output<typeof nudgesSettings>;
export type RoomOverride = z.output<typeof roomOverride>;
