/**
 * Pure translation of Matrix events into the pieces of the core model: commands (with a prefix or
 * after a mention of the bot), mentions, threads, reactions. No I/O here, so unit tests target it.
 */
import type { BroadcastMention, ChatEvent, Room } from "../../core/model.js";
import type { MatrixRawEvent } from "./events.js";

/** A Matrix user id in plain text, e.g. `@alice:example.org` (localpart and server name grammar). */
const USER_ID = /@[a-z0-9._=\-/+]+:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d+)?/g;
/** A pill in HTML: `<a href="https://matrix.to/#/@alice:example.org">`. */
const PILL = /href=["']https:\/\/matrix\.to\/#\/(@[^"'?/]+)["'?/]/g;

export interface BotIdentity {
  userId: string;
  /** The bot's display name, if it has one (people type it to address the bot). */
  displayName?: string;
}

/** The text of a `m.room.message`, or undefined for anything the core should not see as a message. */
export function messageText(event: MatrixRawEvent): string | undefined {
  if (event.type !== "m.room.message") return undefined;
  const { msgtype, body } = event.content;
  if (typeof body !== "string") return undefined;
  // Edits repeat the message; the core has no notion of editing, so only the original counts.
  if (relation(event)?.rel_type === "m.replace") return undefined;
  if (msgtype === "m.text" || msgtype === "m.emote") return stripReplyFallback(body);
  return undefined;
}

/** True for `m.notice`: bots speak in notices, and the bot never reacts to one. */
export function isNotice(event: MatrixRawEvent): boolean {
  return event.type === "m.room.message" && event.content.msgtype === "m.notice";
}

/** The thread root when the event is part of an `m.thread`. */
export function threadRoot(event: MatrixRawEvent): string | undefined {
  const rel = relation(event);
  return rel?.rel_type === "m.thread" && typeof rel.event_id === "string" ? rel.event_id : undefined;
}

/** `m.reaction` → the message reacted to and the key (colons around a shortcode are dropped). */
export function reactionOf(event: MatrixRawEvent): { target: string; key: string } | undefined {
  if (event.type !== "m.reaction") return undefined;
  const rel = relation(event);
  if (rel?.rel_type !== "m.annotation" || typeof rel.event_id !== "string" || typeof rel.key !== "string")
    return undefined;
  const key = rel.key.replace(/^:(.+):$/, "$1");
  return key ? { target: rel.event_id, key } : undefined;
}

/** Users a message mentions: intentional mentions (`m.mentions`), else pills, else ids in the text. */
export function mentionsOf(event: MatrixRawEvent): { users: string[]; broadcast?: BroadcastMention } {
  const intentional = event.content["m.mentions"] as { user_ids?: unknown; room?: unknown } | undefined;
  const body = typeof event.content.body === "string" ? event.content.body : "";
  let users: string[];
  if (intentional && Array.isArray(intentional.user_ids)) {
    users = intentional.user_ids.filter((u): u is string => typeof u === "string");
  } else {
    const html = typeof event.content.formatted_body === "string" ? event.content.formatted_body : "";
    const pills = [...html.matchAll(PILL)].map((m) => decodeURIComponent(m[1] ?? ""));
    users = pills.length > 0 ? pills : [...stripReplyFallback(body).matchAll(USER_ID)].map((m) => m[0]);
  }
  const broadcast = intentional?.room === true || /(^|\s)@room\b/.test(body) ? ("room" as const) : undefined;
  return { users: [...new Set(users)], broadcast };
}

/**
 * If `text` is a command for us, the command line without prefix (`rota who`), else undefined.
 * Accepted: `!rota who` (with the configured prefix), and the same after addressing the bot:
 * `Outloud: rota who`, `@outloud:example.org !rota who`.
 */
export function commandText(
  text: string,
  options: { prefix: string; bot: BotIdentity; isCommand(line: string): boolean },
): string | undefined {
  const { prefix } = options;
  let rest = text.trim();
  const addressed = stripAddress(rest, options.bot);
  if (addressed !== undefined)
    rest = addressed.startsWith(prefix) ? addressed.slice(prefix.length) : addressed;
  else if (rest.startsWith(prefix)) rest = rest.slice(prefix.length);
  else return undefined;
  rest = rest.trim();
  // "Outloud: help" reads naturally; it means the bot's own help.
  if (addressed !== undefined && rest.toLowerCase() === "help") return "outloud help";
  return rest && options.isCommand(rest) ? rest : undefined;
}

/** Removes a leading `@bot:server`, `Bot Name:` or `botlocalpart,` from `text`, if it starts so. */
function stripAddress(text: string, bot: BotIdentity): string | undefined {
  const localpart = bot.userId.slice(1).split(":")[0] ?? "";
  const names = [bot.userId, bot.displayName, localpart, `@${localpart}`].filter((n): n is string =>
    Boolean(n),
  );
  for (const name of names.sort((a, b) => b.length - a.length)) {
    if (text.toLowerCase().startsWith(name.toLowerCase())) {
      const after = text.slice(name.length);
      const m = /^[:,]?\s+|^[:,]$/.exec(after);
      if (m || after === "") return after.slice(m?.[0].length ?? 0).trim();
    }
  }
  return undefined;
}

function relation(event: MatrixRawEvent): Record<string, unknown> | undefined {
  const rel = event.content["m.relates_to"];
  return rel && typeof rel === "object" ? (rel as Record<string, unknown>) : undefined;
}

/** Clients quote the message replied to as `> <@bob:x> text` lines before the reply; drop them. */
function stripReplyFallback(body: string): string {
  if (!body.startsWith("> ")) return body;
  const lines = body.split("\n");
  let i = 0;
  while (i < lines.length && lines[i]?.startsWith("> ")) i++;
  if (lines[i] === "") i++;
  return lines.slice(i).join("\n");
}

export interface ChatEventContext {
  room: Room;
  /** For member events: the person's membership before this event. */
  membershipBefore?: string;
  bot: BotIdentity;
  prefix: string;
  isCommand(line: string): boolean;
  /** Reaction emoji → the names features use (`📝` → `decision`). */
  reactionNames: Readonly<Record<string, string>>;
  /** When the event carries no timestamp. */
  now: Date;
}

/** One Matrix timeline event as the core sees it, or undefined when the core has no use for it. */
export function toChatEvent(event: MatrixRawEvent, ctx: ChatEventContext): ChatEvent | undefined {
  const at = new Date(event.origin_server_ts ?? ctx.now.getTime());
  const { room } = ctx;
  const workspace = room.workspace;
  if (event.type === "m.room.member" && event.state_key) {
    const now = event.content.membership;
    if (now === "join" && ctx.membershipBefore !== "join")
      return { type: "member-joined", workspace, room, user: event.state_key, at };
    if ((now === "leave" || now === "ban") && ctx.membershipBefore === "join")
      return { type: "member-left", workspace, room, user: event.state_key, at };
    return undefined;
  }
  const reaction = reactionOf(event);
  if (reaction) {
    const emoji = ctx.reactionNames[reaction.key] ?? reaction.key;
    return {
      type: "reaction",
      reaction: { workspace, room, user: event.sender, target: reaction.target, emoji, at },
    };
  }
  const text = messageText(event);
  if (text === undefined) return undefined;
  const thread = threadRoot(event);
  const command = commandText(text, ctx);
  if (command !== undefined) {
    return {
      type: "command",
      command: { workspace, room, thread, user: event.sender, text: command, prefix: ctx.prefix, at },
    };
  }
  const mentions = mentionsOf(event);
  const id = event.event_id ?? "";
  return {
    type: "message",
    message: {
      workspace,
      id,
      room,
      thread,
      user: event.sender,
      text,
      mentions: mentions.users,
      broadcast: mentions.broadcast,
      at,
    },
  };
}
