/**
 * The "Record a decision" form: a title and the decision's text, prefilled from a message (the Slack
 * message shortcut) or empty (a bare `/decision`). Submitting it records the decision as the command
 * does, with the same checks and the same public confirmation; a message's author stays the author.
 */
import { type FieldErrors, type Form, type FormSpec, formSpec } from "../forms.js";
import type { QuotedMessage } from "../model.js";
import type { DecisionRequest, RecordResult, SaveConfirmation } from "./model.js";
import { decisionTextProblem, TEXT_MAX, TITLE_MAX, titleOf } from "./text.js";

export const DECISION_FORM = "decision";

/** The claim that a message has been recorded: a reaction, the shortcut or its form record it once. */
export function messageRecordedKey(room: string, message: string): string {
  return `decision:reaction:${room}:${message}`;
}

/** The form, prefilled from `message` when there is one. */
export function decisionForm(message?: QuotedMessage): Form {
  return {
    kind: DECISION_FORM,
    title: "Record a decision",
    submit: "Record",
    fields: [
      {
        name: "title",
        label: "Title",
        value: message ? titleOf(message.text) : undefined,
        optional: true,
        maxLength: TITLE_MAX,
        hint: "Leave it empty to use the decision's first sentence.",
      },
      {
        name: "text",
        label: "What was decided, and why",
        value: message?.text,
        multiline: true,
        maxLength: TEXT_MAX,
      },
    ],
    context: message ? { message: message.id, author: message.user } : {},
  };
}

export function decisionFormSpec(deps: {
  /**
   * Records it; with `claim`, once (undefined when the claim was taken already); its confirmation
   * saved with it by `confirm`.
   */
  record(
    request: DecisionRequest,
    claim: string | undefined,
    confirm: SaveConfirmation,
  ): Promise<RecordResult | undefined>;
}): FormSpec {
  return formSpec<{ text: string; title?: string }>({
    kind: DECISION_FORM,
    check(submission) {
      const text = (submission.values.text ?? "").trim();
      const title = (submission.values.title ?? "").replace(/\s+/g, " ").trim();
      const errors: FieldErrors = {};
      const problem = decisionTextProblem(text);
      if (problem) errors.text = `${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`;
      if (title.length > TITLE_MAX) errors.title = `Keep the title within ${TITLE_MAX} characters.`;
      if (Object.keys(errors).length > 0) return { ok: false, errors };
      return { ok: true, value: { text, ...(title ? { title } : {}) } };
    },
    async run(submission, value, reserveReply) {
      const { workspace, room, user, at } = submission;
      const { message, author } = submission.context;
      const result = await deps.record(
        {
          workspace,
          room,
          thread: submission.thread,
          author: author ?? user,
          recordedBy: user,
          text: value.text,
          title: value.title,
          at,
        },
        message ? messageRecordedKey(room.id, message) : undefined,
        (text) => reserveReply({ kind: "public", text }),
      );
      if (!result) return { kind: "private", text: "That message has already been recorded as a decision." };
      return result.ok
        ? { kind: "public", text: result.text, finish: result.exported, saved: result.saved }
        : { kind: "private", text: `I did not record that: ${result.problem}.` };
    },
  });
}
