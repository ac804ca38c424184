/** People joining or leaving a channel (the rota and room membership follow them). */
import { roomKindFromChannelType, tsToDate } from "../translate.js";
import { type ListenerDeps, workspaceOf } from "./deps.js";
import type { EventRouter } from "./event-router.js";

const MEMBERSHIP_EVENTS = [
  ["member_joined_channel", "member-joined"],
  ["member_left_channel", "member-left"],
] as const;

export function registerMembers(events: EventRouter, deps: ListenerDeps): void {
  for (const [slackEvent, type] of MEMBERSHIP_EVENTS) {
    events.on(slackEvent, async ({ event, context, body }) => {
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
        type,
        workspace,
        room,
        user: event.user,
        at: tsToDate(event.event_ts, new Date()),
      });
    });
  }
}
