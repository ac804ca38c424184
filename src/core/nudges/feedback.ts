/**
 * "Not helpful": every private nudge offers it in one step. The nudges feature attaches a
 * FeedbackOffer to each private nudge it delivers; Slack renders it as a button that runs
 * `/outloud unhelpful <kind>` for the person who clicks; on Matrix and in the playground the nudge's
 * last line names the command (`!outloud unhelpful`). The command (commands.ts) keeps the kind and the
 * time, never text, and mutes the kind for the person the second time within 30 days.
 */
import type { Action } from "../actions.js";
import type { NudgeKind } from "./index.js";

/** Attached to a private nudge as the `feedback` field. */
export interface FeedbackOffer {
  kind: NudgeKind;
  /** The command the one step runs, e.g. `outloud unhelpful be-kind` (without the prefix). */
  command: string;
}

export function feedbackOffer(kind: NudgeKind): FeedbackOffer {
  return { kind, command: `outloud unhelpful ${kind}` };
}

/** The "not helpful" offer a nudge's action carries, if any (adapters render it as a button). */
export function feedbackOfferOf(action: Pick<Action, "text">): FeedbackOffer | undefined {
  const offer = (action as { feedback?: FeedbackOffer }).feedback;
  return offer && typeof offer.command === "string" ? offer : undefined;
}

/** The action with the offer attached, for a private nudge (a notice or a DM); others unchanged. */
export function withFeedback(action: Action, kind: NudgeKind): Action {
  if (action.action !== "notice" && action.action !== "dm") return action;
  const offered: Action & { feedback: FeedbackOffer } = { ...action, feedback: feedbackOffer(kind) };
  return offered;
}
