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

export const NUDGES: readonly NudgeUnit[] = [
  beKind,
  broadcast,
  channelToThread,
  dmToChannel,
  impatientPings,
  noHello,
  outOfHours,
  social,
  threadToCall,
];
