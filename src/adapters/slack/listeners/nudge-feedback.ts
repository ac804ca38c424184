/** The "Not helpful" button under a private nudge: runs `/outloud unhelpful <kind>` as the person who clicked. */
import type { App, BlockButtonAction } from "@slack/bolt";
import { UNHELPFUL_ACTION } from "../render.js";
import { type ListenerDeps, workspaceOf } from "./deps.js";

export function registerNudgeFeedback(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(UNHELPFUL_ACTION, async ({ action, ack, body, context }) => {
    await ack();
    const workspace = workspaceOf(context, body);
    // The button carries only the command; the nudge was ephemeral, so its channel is where the
    // reply goes, again ephemeral (https://api.slack.com/reference/interaction-payloads/block-actions).
    const channel = body.channel?.id ?? body.container?.channel_id;
    if (!workspace || !channel || !/^outloud unhelpful [a-z-]+$/.test(action.value ?? "")) return;
    const room = await deps.directory.room(workspace, channel);
    await deps.dispatch({
      type: "command",
      command: { workspace, room, user: body.user.id, text: action.value!, prefix: "/", at: new Date() },
    });
  });
}
