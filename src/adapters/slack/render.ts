/**
 * Renders a core action's text as a Slack message: Block Kit sections (mrkdwn) plus the plain-text
 * `text` fallback that notifications, screen readers and old clients show; a private nudge also gets
 * its "Not helpful" button.
 */
import type { Action } from "../../core/actions.js";
import { feedbackOfferOf } from "../../core/nudges/feedback.js";
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
  const feedback = feedbackOfferOf(action);
  if (feedback)
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: UNHELPFUL_ACTION,
          text: { type: "plain_text", text: "Not helpful" },
          value: feedback.command,
        },
      ],
    });
  return { text, blocks };
}

/** The action id of the "Not helpful" button; its value is the command it runs for whoever clicks. */
export const UNHELPFUL_ACTION = "outloud_unhelpful";

/**
 * Splits at line ends where possible, so a long list is not cut mid-line, else at a space; never
 * inside a mention or link (`<@U123>`, `<https://…|label>`) or an escape (`&amp;`), which Slack would
 * show broken in both halves.
 */
export function chunks(text: string, limit: number): string[] {
  if (text.length <= limit) return [text];
  const out: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const at = safeCut(rest, limit);
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^[\n ]/, "");
  }
  if (rest) out.push(rest);
  return out;
}

/** Where to cut `text` at or before `limit`. */
function safeCut(text: string, limit: number): number {
  const line = text.lastIndexOf("\n", limit);
  const space = text.lastIndexOf(" ", limit);
  let at = line > limit / 2 ? line : space > limit / 2 ? space : limit;
  // Inside `<…>` or `&…;`: cut before it instead.
  const open = text.lastIndexOf("<", at - 1);
  if (open >= 0 && text.indexOf(">", open) >= at) at = open;
  const amp = text.lastIndexOf("&", at - 1);
  if (amp >= 0 && at - amp <= 5 && !text.slice(amp, at).includes(";")) at = amp;
  return at > 0 ? at : limit;
}

/** `text` cut to at most `limit` characters, at a safe place (see chunks). */
export function fitText(text: string, limit: number): string {
  return chunks(text, limit)[0] ?? "";
}
