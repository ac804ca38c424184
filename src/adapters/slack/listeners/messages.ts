/** Messages and thread replies (`thread_ts`) in channels and conversations the bot is in. */
import { fromSlackText, roomKindFromChannelType, tsToDate } from "../translate.js";
import { type ListenerDeps, workspaceOf } from "./deps.js";
import type { EventRouter } from "./event-router.js";

/** Subtypes that are a person saying something; edits, deletions and join notices are not. */
const SPOKEN_SUBTYPES = new Set([undefined, "thread_broadcast", "file_share", "me_message"]);

interface MessageEventFields {
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
  channel_type?: string;
}

export function registerMessages(events: EventRouter, deps: ListenerDeps): void {
  events.on("message", async ({ event, context, body }) => {
    const m = event as unknown as MessageEventFields;
    const workspace = workspaceOf(context, body);
    if (!workspace || !SPOKEN_SUBTYPES.has(m.subtype) || !m.user) return;
    // Other bots' messages (bot_id) and our own are never acted on.
    if (m.bot_id || m.user === (await deps.botUserId(workspace))) return;
    const room = await deps.directory.room(
      workspace,
      m.channel,
      roomKindFromChannelType(m.channel_type, m.channel),
    );
    const author = await deps.directory.user(workspace, m.user);
    const { text, mentions, broadcast } = fromSlackText(m.text ?? "");
    const isReply = m.thread_ts !== undefined && m.thread_ts !== m.ts;
    await deps.dispatch({
      type: "message",
      message: {
        workspace,
        id: m.ts,
        room,
        ...(isReply ? { thread: m.thread_ts } : {}),
        user: m.user,
        text,
        mentions,
        ...(broadcast ? { broadcast } : {}),
        at: tsToDate(m.ts, new Date()),
        fromBot: author.bot,
      },
    });
  });
}
