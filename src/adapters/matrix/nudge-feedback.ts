/**
 * "Not helpful" in one step on Matrix, as Slack's button is: a private nudge the bot sends says that
 * reacting with 👎 marks it not helpful, and carries its kind and the person it is for in its content
 * (`org.outloud.feedback`). That reaction, by that person, on that message of the bot's, runs
 * `outloud unhelpful <kind>` as if they had typed it: the same core command as `!outloud unhelpful`
 * and Slack's button. Pure: the transport fetches the message reacted to and dispatches the command.
 */
import type { FeedbackOffer } from "../../core/nudges/feedback.js";
import type { MatrixRawEvent } from "./events.js";

export const UNHELPFUL_REACTION = "👎";

/** The nudge's last line on Matrix, beside the command the core's text already names. */
export const UNHELPFUL_REACTION_HINT = `React with ${UNHELPFUL_REACTION} to this message if it did not help.`;

/** Custom keys in event content are namespaced (https://spec.matrix.org/v1.11/#namespacing). */
const FEEDBACK_FIELD = "org.outloud.feedback";

/** What a private nudge's content carries so that a reaction to it can be told apart and attributed. */
export function feedbackContent(offer: FeedbackOffer, user: string): Record<string, unknown> {
  return { [FEEDBACK_FIELD]: { command: offer.command, user } };
}

/**
 * 👎 as clients send it: with or without the emoji variation selector (U+FE0F), in any skin tone
 * (U+1F3FB to U+1F3FF).
 */
export function isUnhelpfulReaction(key: string): boolean {
  return key.replace(/\uFE0F|\u{1F3FB}|\u{1F3FC}|\u{1F3FD}|\u{1F3FE}|\u{1F3FF}/gu, "") === UNHELPFUL_REACTION;
}

/**
 * The command a 👎 by `reactor` on `target` runs: only on the bot's own nudge, and only for the person
 * it was for (anyone else in the room reacting changes nothing).
 */
export function unhelpfulCommand(
  target: MatrixRawEvent,
  reactor: string,
  botUserId: string,
): string | undefined {
  if (target.sender !== botUserId) return undefined;
  const field = target.content[FEEDBACK_FIELD] as { command?: unknown; user?: unknown } | undefined;
  if (!field || field.user !== reactor || typeof field.command !== "string") return undefined;
  // The command only ever names a nudge kind; anything else in a message's content is not ours.
  return /^outloud unhelpful [a-z-]+$/.test(field.command) ? field.command : undefined;
}
