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

export const nudgesSettings = z.strictObject({
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
    .describe("Minutes `/share` may repost a suggested DM question from memory (the text is never stored)."),
  rooms: z
    .record(z.string(), roomOverride)
    .default({})
    .describe("Per-room switches and tuning, keyed by room name (without #) or id."),
  "be-kind": beKindSettings.prefault({}),
  broadcast: broadcastSettings.prefault({}),
  "channel-to-thread": channelToThreadSettings.prefault({}),
  "dm-to-channel": dmToChannelSettings.prefault({}),
  "impatient-pings": impatientPingsSettings.prefault({}),
  "no-hello": noHelloSettings.prefault({}),
  "out-of-hours": outOfHoursSettings.prefault({}),
  social: socialSettings.prefault({}),
  "thread-to-call": threadToCallSettings.prefault({}),
});

export type NudgesSettings = z.output<typeof nudgesSettings>;
export type RoomOverride = z.output<typeof roomOverride>;
