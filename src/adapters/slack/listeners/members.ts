/** People joining or leaving a channel (the rota and room membership follow them). */
import type { App } from "@slack/bolt";
import { roomKindFromChannelType, tsToDate } from "../translate.js";
import { type ListenerDeps, workspaceOf } from "./deps.js";

export function registerMembers(app: App, deps: ListenerDeps): void {
  app.event("member_joined_channel", async ({ event, context, body }) => {
    const workspace = workspaceOf(context, body);
    if (!workspace) return;
    deps.directory.forgetMembers(workspace, event.channel);
    if (event.user === (await deps.botUserId(workspace))) return;
    const room = await deps.directory.room(
      workspace,
      event.channel,
      roomKindFromChannelType(event.channel_type, event.channel),
    );
    await deps.dispatch({
      type: "member-joined",
      workspace,
      room,
      user: event.user,
      at: tsToDate(event.event_ts, new Date()),
    });
  });
  app.event("member_left_channel", async ({ event, context, body }) => {
    const workspace = workspaceOf(context, body);
    if (!workspace) return;
    deps.directory.forgetMembers(workspace, event.channel);
    if (event.user === (await deps.botUserId(workspace))) return;
    const room = await deps.directory.room(
      workspace,
      event.channel,
      roomKindFromChannelType(event.channel_type, event.channel),
    );
    await deps.dispatch({
      type: "member-left",
      workspace,
      room,
      user: event.user,
      at: tsToDate(event.event_ts, new Date()),
    });
  });
}
