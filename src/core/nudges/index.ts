/** Every nudge, alphabetically. Adding a nudge means adding its file and one line here. */
import { beKind } from "./be-kind.js";
import { broadcast } from "./broadcast.js";
import { channelToThread } from "./channel-to-thread.js";
import { dmToChannel } from "./dm-to-channel.js";
import { impatientPings } from "./impatient-pings.js";
import { noHello } from "./no-hello.js";
import type { NudgeUnit } from "./nudge.js";
import { outOfHours } from "./out-of-hours.js";
import { social } from "./social.js";
import { threadToCall } from "./thread-to-call.js";

export const NUDGES = [
  beKind,
  broadcast,
  channelToThread,
  dmToChannel,
  impatientPings,
  noHello,
  outOfHours,
  social,
  threadToCall,
] as const satisfies readonly NudgeUnit[];

/** A nudge's name: `be-kind`, `broadcast`, … */
export type NudgeKind = (typeof NUDGES)[number]["kind"];

export const NUDGE_KINDS: readonly NudgeKind[] = NUDGES.map((unit) => unit.kind);

export function isNudgeKind(word: string): word is NudgeKind {
  return (NUDGE_KINDS as readonly string[]).includes(word);
}
