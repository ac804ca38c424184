/**
 * Pure translation between Slack's text and conversation shapes and the core's. Slack writes mentions
 * as `<@U123>` or `<@U123|name>`, channels as `<#C1|name>`, broadcasts as `<!here>`, links as
 * `<https://x|label>`, and escapes `& < >`; the core reads `@U123`, `#name`, `@here` and plain text.
 */
import type { BroadcastMention, RoomKind } from "../../core/model.js";

export interface CoreText {
  text: string;
  /** User ids mentioned, in order of first appearance. */
  mentions: string[];
  broadcast?: BroadcastMention;
}

export function fromSlackText(slack: string): CoreText {
  const mentions: string[] = [];
  let broadcast: BroadcastMention | undefined;
  const text = slack.replace(/<([^<>]*)>/g, (_all, inner: string) => {
    const [target = "", label] = inner.split("|", 2);
    if (target.startsWith("@")) {
      const id = target.slice(1);
      if (!mentions.includes(id)) mentions.push(id);
      return `@${id}`;
    }
    if (target.startsWith("#")) return `#${label ?? target.slice(1)}`;
    if (target.startsWith("!")) {
      const word = target.slice(1).split("^", 1)[0] ?? "";
      if (word === "channel" || word === "everyone") broadcast ??= "channel";
      else if (word === "here") broadcast ??= "here";
      else if (word.startsWith("subteam")) return `@${label?.replace(/^@/, "") ?? "group"}`;
      return `@${word === "everyone" ? "channel" : word}`;
    }
    return label ?? target;
  });
  return { text: unescapeSlack(text), mentions, ...(broadcast ? { broadcast } : {}) };
}

/**
 * Core text to Slack mrkdwn: escapes `& < >` and turns `@U123` into real mentions, for the users the
 * action names and for anything shaped like a Slack user id (the core writes people as `@<id>`, and
 * Slack shows a bare id as gibberish, a mention as the person's name). A Slack id has digits in it:
 * a word such as `@UTC` or `@WWDC` in someone's text stays a word.
 */
export function toSlackText(text: string, mentions: readonly string[] = []): string {
  let out = escapeSlack(text).replace(/(^|[^\w<])@([UW][A-Z0-9]*\d[A-Z0-9]*)\b/g, "$1<@$2>");
  for (const id of mentions) {
    out = out.replace(new RegExp(`(^|[^\\w<])@${escapeRegExp(id)}(?![\\w])`, "g"), `$1<@${id}>`);
  }
  return out;
}

/** Slack's `channel_type` on message events (and `C…`/`G…`/`D…` id prefixes as a last resort). */
export function roomKindFromChannelType(
  channelType: string | undefined,
  channelId: string,
): RoomKind | undefined {
  switch (channelType) {
    case "channel":
    case "C":
      return "public";
    case "group":
    case "G":
      return "private";
    case "im":
      return "dm";
    case "mpim":
      return "group-dm";
  }
  if (channelId.startsWith("D")) return "dm";
  return undefined;
}

/** The kind of a conversation as `conversations.info` describes it. */
export function roomKindFromInfo(info: {
  is_im?: boolean;
  is_mpim?: boolean;
  is_private?: boolean;
}): RoomKind {
  if (info.is_im) return "dm";
  if (info.is_mpim) return "group-dm";
  return info.is_private ? "private" : "public";
}

/** A Slack `ts` ("1700000000.000100") as a Date. */
export function tsToDate(ts: string | undefined, fallback: Date): Date {
  const seconds = Number(ts);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(Math.round(seconds * 1000)) : fallback;
}

function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Escapes `& < >`, the three characters mrkdwn gives a meaning (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
