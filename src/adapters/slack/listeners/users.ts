/** Profile changes (`user_change` carries the whole user): the directory keeps the new name and time zone. */
import type { SlackUserJson } from "../directory.js";
import { type ListenerDeps, workspaceOf } from "./deps.js";
import type { EventRouter } from "./event-router.js";

export function registerUsers(events: EventRouter, deps: ListenerDeps): void {
  events.on("user_change", async ({ event, context, body }) => {
    const workspace = workspaceOf(context, body);
    const user = (event as unknown as { user?: SlackUserJson }).user;
    if (workspace && user) deps.directory.userChanged(workspace, user);
  });
}
