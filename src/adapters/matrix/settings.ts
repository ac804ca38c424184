/** The `matrix:` section of config/outloud.yaml: how the bot behaves on a Matrix homeserver. */
import { z } from "zod";

export const matrixSettings = z
  .strictObject({
    autoJoin: z
      .strictObject({
        servers: z
          .array(z.string().min(1))
          .default([])
          .describe(
            "Homeservers whose users may invite the bot into rooms (the bot's own homeserver is always allowed); * allows every server.",
          ),
        users: z
          .array(z.string().regex(/^@[^:]+:.+$/, "must be a full Matrix user id like @alice:example.org"))
          .default([])
          .describe("People (full Matrix ids) who may invite the bot from any homeserver."),
      })
      .prefault({})
      .describe("Which invitations the bot accepts by itself; others are left unanswered."),
    reactionNames: z
      .record(z.string().min(1), z.string().regex(/^[\w+-]+$/, "must be an emoji name without colons"))
      .default({ "📝": "decision" })
      .describe(
        "Matrix reactions are emoji characters; this names them for the features, e.g. 📝 → decision (see decisions.reaction).",
      ),
    timelineLimit: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(50)
      .describe("Most events per room in one sync; more than that arrive as a gap the bot back-fills."),
    backfillLimit: z
      .number()
      .int()
      .min(0)
      .max(2000)
      .default(200)
      .describe(
        "Most missed events the bot fetches per room to fill a gap in the sync (0: never back-fill).",
      ),
    syncLeaseSeconds: z
      .number()
      .int()
      .min(2)
      .max(300)
      .default(20)
      .describe(
        "With several replicas, one at a time reads the Matrix event stream, holding a lease in the database for this many seconds and renewing it every quarter of that; when it dies another takes over after at most 1.25 times this (25 s by default).",
      ),
  })
  .describe("The Matrix adapter (used when MATRIX_HOMESERVER_URL and friends are set).");

export type MatrixSettings = z.infer<typeof matrixSettings>;
