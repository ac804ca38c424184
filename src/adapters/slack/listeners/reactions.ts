/** Emoji reactions on messages (e.g. `:decision:` to record a decision). */
import { tsToDate } from "../translate.js";
import { type ListenerDeps, workspaceOf } from "./deps.js";
import type { EventRouter } from "./event-router.js";

export function registerReactions(events: EventRouter, deps: ListenerDeps): void {
  events.on("reaction_added", async ({ event, context, body }) => {
    const workspace = workspaceOf(context, body);
    if (!workspace || event.item.type !== "message") return;
    if (event.user === (await deps.botUserId(workspace))) return;
    const room = await deps.directory.room(workspace, event.item.channel);
    await deps.dispatch({
      type: "reaction",
      reaction: {
        workspace,
        room,
        user: event.user,
        target: event.item.ts,
        emoji: event.reaction.split("::", 1)[0] ?? event.reaction,
        at: tsToDate(event.event_ts, new Date()),
      },
    });
  });
}
