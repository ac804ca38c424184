/**
 * Renders a core action's text as a Slack message: Block Kit sections (mrkdwn) plus the plain-text
 * `text` fallback that notifications, screen readers and old clients show.
 */
import type { Action } from "../../core/actions.js";
import { toSlackText } from "./translate.js";

/** Slack rejects section text longer than 3000 characters. */
const SECTION_LIMIT = 3000;

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

export function renderMessage(action: Pick<Action, "text" | "mentions">): SlackMessage {
  const text = toSlackText(action.text, action.mentions);
  const blocks: SlackMessage["blocks"] = [];
  for (const chunk of chunks(text, SECTION_LIMIT))
    blocks.push({ type: "section", text: { type: "mrkdwn", text: chunk } });
  return { text, blocks };
}

/** Splits at line ends where possible, so a long list is not cut mid-line. */
function chunks(text: string, limit: number): string[] {
  if (text.length <= limit) return [text];
  const out: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = rest.lastIndexOf("\n", limit);
    const at = cut > limit / 2 ? cut : limit;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, "");
  }
  if (rest) out.push(rest);
  return out;
}
