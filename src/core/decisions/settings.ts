/**
 * Settings of the decisions feature (the `decisions:` section of config/outloud.yaml). The export
 * targets add their own settings under `decisions.export` (src/exporters/settings.ts): the core knows
 * no exporter.
 */
import { z } from "zod";

export const decisionSettings = z.strictObject({
  enabled: z.boolean().default(true).describe("Offer /decision and export decisions."),
  reaction: z
    .string()
    .regex(/^[^\s:]+$/, "must be an emoji name without colons (decision) or an emoji (📝)")
    .default("decision")
    .describe(
      "Reacting with this emoji to a message records it as a decision: a Slack emoji name without colons, or for Matrix the emoji itself (e.g. 📝).",
    ),
  suggest: z
    .boolean()
    .default(true)
    .describe(
      'Privately suggest /decision when a thread says "we decided", "let\'s go with", "agreed:" or "final decision" (once per thread).',
    ),
  privateRooms: z
    .boolean()
    .default(false)
    .describe(
      "Also record decisions in private rooms (shown only to their members; exported like any other).",
    ),
  retry: z
    .strictObject({
      attempts: z
        .number()
        .int()
        .min(1)
        .max(20)
        .default(6)
        .describe("Export attempts per target before it is marked failed and the author told."),
      firstDelaySeconds: z
        .number()
        .int()
        .min(1)
        .default(60)
        .describe("Wait before the first retry; doubled after each failure."),
      maxDelaySeconds: z.number().int().min(1).default(3600).describe("Longest wait between two retries."),
      leaseSeconds: z
        .number()
        .int()
        .min(10)
        .default(300)
        .describe(
          "How long an export may run before another process may take it over (a process that died mid-export).",
        ),
    })
    .prefault({})
    .describe("Retries of failed exports, with exponential backoff."),
});

export type DecisionSettings = z.infer<typeof decisionSettings>;
