/** Building blocks for the nudges' zod settings. */
import { z } from "zod";

/** The settings every nudge has, with its own defaults. */
export function baseShape(enabled: boolean, cooldownMinutes: number) {
  return {
    enabled: z
      .boolean()
      .default(enabled)
      .describe("Whether this nudge runs at all (per workspace; rooms can override)."),
    cooldownMinutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(cooldownMinutes)
      .describe("Minutes before the same person gets this kind of nudge again."),
  };
}

/**
 * The same keys, all optional and without defaults: what a room may override. (A zod `.partial()`
 * would still fill in the defaults and so override every key.)
 */
export function overrideOf(schema: z.ZodObject) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
    shape[key] = inner.optional();
  }
  return z.strictObject(shape);
}
