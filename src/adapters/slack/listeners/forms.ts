/** Submitted modals (core forms): acknowledged with Slack's inline field errors, or closed and carried out. */
import type { App } from "@slack/bolt";
import { PendingCommand, pendingCommands } from "../command-reply.js";
import { FORM_CALLBACK, readSubmission } from "../forms.js";
import { type ListenerDeps, workspaceOf } from "./deps.js";

export function registerForms(app: App, deps: ListenerDeps): void {
  app.view({ callback_id: FORM_CALLBACK, type: "view_submission" }, async ({ ack, body, view, context }) => {
    const workspace = workspaceOf(context, body);
    const submission = workspace && readSubmission(view, workspace, body.user.id, new Date());
    if (!submission) return ack();
    // Where the form was asked for travels with it, so a room the bot cannot post in is explained to the person.
    const pending = PendingCommand.afterForm(submission.workspace, submission.room.id, submission.user);
    await pendingCommands.run(pending, () =>
      deps.submitForm(submission, (errors) => (errors ? ack({ response_action: "errors", errors }) : ack())),
    );
  });
}
