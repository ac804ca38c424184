/** App Home: published when opened; its buttons run commands as the person who pressed them. */
import type { App, BlockButtonAction } from "@slack/bolt";
import { errorCode } from "../directory.js";
import { HOME_COMMAND_ACTION } from "../home.js";
import { type ListenerDeps, workspaceOf } from "./deps.js";
import type { EventRouter } from "./event-router.js";

export function registerHome(app: App, events: EventRouter, deps: ListenerDeps): void {
  events.on("app_home_opened", async ({ event, context, body }) => {
    const workspace = workspaceOf(context, body);
    if (!workspace || event.tab !== "home") return;
    await deps.home
      .publish(workspace, event.user)
      .catch((err) => deps.log.warn("slack views.publish failed", { workspace, error: errorCode(err) }));
  });

  app.action<BlockButtonAction>(
    new RegExp(`^${HOME_COMMAND_ACTION}:`),
    async ({ action, ack, body, context, client }) => {
      const workspace = workspaceOf(context, body);
      await ack();
      if (!workspace || !action.value) return;
      const user = body.user.id;
      // Replies go to the person's DM with the bot: the home tab has no channel of its own.
      const opened = await client.conversations.open({ users: user });
      const channel = opened.channel?.id;
      if (!channel) return;
      const room = await deps.directory.room(workspace, channel, "dm");
      await deps.dispatch({
        type: "command",
        command: { workspace, room, user, text: action.value, prefix: "/", at: new Date() },
      });
      await deps.home
        .publish(workspace, user)
        .catch((err) => deps.log.warn("slack views.publish failed", { workspace, error: errorCode(err) }));
    },
  );
}
