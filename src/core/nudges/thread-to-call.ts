/**
 * Thread → call: when a thread grows long, turns into a two-person ping-pong, or gets heated, post
 * once in the thread a ready call link and a reminder to record the outcome with `/decision`.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { PathLruMap } from "../lru-map.js";
import type { ChatMessage } from "../model.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { readTone } from "./tone.js";

export const threadToCallSettings = z.strictObject({
  ...baseShape(true, 0),
  maxReplies: z
    .number()
    .int()
    .min(2)
    .max(1000)
    .default(20)
    .describe("Replies after which any thread gets the suggestion."),
  pairReplies: z
    .number()
    .int()
    .min(2)
    .max(200)
    .default(8)
    .describe(
      "Back-and-forth replies between the same two people (within pairWindowMinutes) that suggest a call.",
    ),
  pairWindowMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30)
    .describe("Minutes within which those back-and-forth replies count."),
  heatedMessages: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(2)
    .describe("Harsh messages (see be-kind) that make a thread heated."),
  linkTemplate: z
    .string()
    .min(1)
    .default("https://meet.jit.si/{name}")
    .describe(
      "Call link; {name} is a stable name from the workspace, room and thread ({workspace}, {room}, {thread} also work). " +
        "Slack huddle: https://app.slack.com/huddle/{workspace}/{room}; Element Call: https://call.element.io/{name}.",
    ),
});

export interface ThreadState {
  replies: number;
  /** Recent replies: time and author (bounded). */
  recent: { at: number; author: string }[];
  harsh: number;
  done: boolean;
}

export type CallReason = "long" | "back-and-forth" | "heated";

export interface CallRules {
  maxReplies: number;
  pairReplies: number;
  pairWindowMinutes: number;
  heatedMessages: number;
}

const MAX_RECENT = 64;
const MAX_THREADS = 2000;

/** Pure: adds one reply to a thread's state and says why it now deserves a call, if it does. */
export function observeThreadReply(
  state: ThreadState,
  reply: { at: Date; author: string; harsh: boolean },
  rules: CallRules,
): CallReason | undefined {
  const now = reply.at.getTime();
  state.replies++;
  if (reply.harsh) state.harsh++;
  state.recent.push({ at: now, author: reply.author });
  const windowMs = rules.pairWindowMinutes * 60_000;
  state.recent = state.recent.filter((r) => now - r.at <= windowMs).slice(-MAX_RECENT);
  if (state.done) return undefined;
  if (state.harsh >= rules.heatedMessages) return "heated";
  if (state.replies >= rules.maxReplies) return "long";
  // The last `pairReplies` replies all by the same two people, taking turns.
  const last = state.recent.slice(-rules.pairReplies);
  if (last.length >= rules.pairReplies) {
    const people = new Set(last.map((r) => r.author));
    let turns = 0;
    for (let i = 1; i < last.length; i++) if (last[i]!.author !== last[i - 1]!.author) turns++;
    if (people.size === 2 && turns >= Math.floor(rules.pairReplies / 2)) return "back-and-forth";
  }
  return undefined;
}

/** A call name that is the same every time for one thread, and reveals nothing about it. */
export function stableCallName(workspace: string, roomName: string, thread: string): string {
  const hash = createHash("sha256")
    .update(`${workspace}\u0000${roomName}\u0000${thread}`)
    .digest("hex")
    .slice(0, 10);
  const slug =
    roomName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 30) || "room";
  return `outloud-${slug}-${hash}`;
}

export function callLink(
  template: string,
  values: { name: string; workspace: string; room: string; thread: string },
): string {
  return template.replace(/\{(name|workspace|room|thread)\}/g, (_, k: keyof typeof values) =>
    encodeURIComponent(values[k]),
  );
}

const WHY: Record<CallReason, string> = {
  long: "This thread is getting long",
  "back-and-forth": "You two have gone back and forth a lot",
  heated: "This thread is getting tense",
};

export const threadToCall = nudge({
  kind: "thread-to-call",
  title: "Thread → call",
  description: "a call link, once, when a thread grows long, ping-pongs or gets heated",
  settings: threadToCallSettings,
  create(ctx) {
    const threads = new PathLruMap<ThreadState>(MAX_THREADS);
    /** Counts a thread reply; a promise only when the thread now gets its call link. */
    const follow = (message: ChatMessage, thread: string): Promise<void> | undefined => {
      const s = ctx.settingsFor(message.room);
      if (!s.enabled) return undefined;
      const state = threads.getOrCreate(message.workspace, message.room.id, thread, () => ({
        replies: 0,
        recent: [],
        harsh: 0,
        done: false,
      }));
      const reason = observeThreadReply(
        state,
        { at: message.at, author: message.user, harsh: readTone(message.text).harsh },
        s,
      );
      return reason ? suggest(message, thread, s, state, reason) : undefined;
    };
    const suggest = async (
      message: ChatMessage,
      thread: string,
      s: z.output<typeof threadToCallSettings>,
      state: ThreadState,
      reason: CallReason,
    ) => {
      state.done = true;
      const name = stableCallName(message.workspace, message.room.name, thread);
      const link = callLink(s.linkTemplate, {
        name,
        workspace: message.workspace,
        room: message.room.id,
        thread,
      });
      // Once per thread, also across restarts and processes: claimed with the suggestion.
      const claim = () =>
        ctx.claims.claim(message.workspace, `nudge.thread-to-call:${message.room.id}:${thread}`, message.at);
      // Not saved (the database refused it): the thread's next reply tries again.
      const offered = ctx.offer({
        cause: message,
        claim,
        recipients: [],
        toEveryone: true,
        action: {
          workspace: message.workspace,
          action: "reply",
          room: message.room,
          thread,
          source: "nudge.thread-to-call",
          about: message.id,
          text:
            `${WHY[reason]}: a few minutes on a call may settle it faster. Here is a room: ${link}\n` +
            `Afterwards, record what you decided with \`${ctx.services.commands.spell("decision")}\` so everyone can find it. ` +
            "(This room can switch these suggestions off in the Outloud config.)",
        },
      });
      await offered.catch((err) => {
        state.done = false;
        throw err;
      });
    };
    return {
      onMessage: (message: ChatMessage) => (message.thread ? follow(message, message.thread) : undefined),
    };
  },
});
