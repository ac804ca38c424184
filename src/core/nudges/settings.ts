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
import { beKindSettings } from "./be-kind.js";
import { broadcastSettings } from "./broadcast.js";
import { channelToThreadSettings } from "./channel-to-thread.js";
import { dmToChannelSettings } from "./dm-to-channel.js";
import { impatientPingsSettings } from "./impatient-pings.js";
import { noHelloSettings } from "./no-hello.js";
import { outOfHoursSettings } from "./out-of-hours.js";
import { overrideOf } from "./settings-shape.js";
import { socialSettings } from "./social.js";
import { threadToCallSettings } from "./thread-to-call.js";

const roomOverride = z.strictObject({
  enabled: z.boolean().optional().describe("false: no nudges in this room."),
  "be-kind": overrideOf(beKindSettings).optional(),
  broadcast: overrideOf(broadcastSettings).optional(),
  "channel-to-thread": overrideOf(channelToThreadSettings).optional(),
  "dm-to-channel": overrideOf(dmToChannelSettings).optional(),
  "impatient-pings": overrideOf(impatientPingsSettings).optional(),
  "no-hello": overrideOf(noHelloSettings).optional(),
  "out-of-hours": overrideOf(outOfHoursSettings).optional(),
  "thread-to-call": overrideOf(threadToCallSettings).optional(),
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
    "be-kind": beKindSettings
      .prefault({})
      .describe(
        "Be kind: a private, gentle note when a message reads harsh (lexicon plus capitals, !!!/???, insults).",
      ),
    broadcast: broadcastSettings
      .prefault({})
      .describe("@channel/@here/@room: a private tip on how many people it notified, and quieter ways."),
    "channel-to-thread": channelToThreadSettings
      .prefault({})
      .describe(
        "Channel → thread: suggest a thread, mentioning them, when two people go back and forth in a room.",
      ),
    "dm-to-channel": dmToChannelSettings
      .prefault({})
      .describe("DM → channel: a private suggestion to ask a work question from a DM in the team's channel."),
    "impatient-pings": impatientPingsSettings
      .prefault({})
      .describe(
        "Impatient pings: a private tip when someone pings the same person again and again without an answer.",
      ),
    "no-hello": noHelloSettings
      .prefault({})
      .describe("No hello: a private tip when a DM is only a greeting, with nothing after it."),
    "out-of-hours": outOfHoursSettings
      .prefault({})
      .describe("Out of hours: a private note when you mention someone outside their working hours."),
    social: socialSettings
      // Enabled without a room, the call would never be announced anywhere: refuse it at start-up.
      .refine((social) => !social.enabled || social.room !== "", {
        path: ["room"],
        message: "is required when social is enabled (the room to announce the call in, e.g. random)",
      })
      .prefault({})
      .describe(
        "Social: a weekly open video call for chit-chat, announced in a chosen room (off by default).",
      ),
    "thread-to-call": threadToCallSettings
      .prefault({})
      .describe("Thread → call: a call link, once, when a thread grows long, ping-pongs or gets heated."),
  })
  .describe(
    "Nudges: rare, mostly private hints that keep work in the open and respect asynchrony (docs/nudges.md).",
  );

export type NudgesSettings = z.output<typeof nudgesSettings>;
export type RoomOverride = z.output<typeof roomOverride>;
