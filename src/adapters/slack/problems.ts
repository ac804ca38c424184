/**
 * Slack refusals that only a person can fix, in words that say what to do: the bot not in the
 * channel, an archived channel, a missing scope, user groups closed to bots or not on the plan.
 * Error codes from each method's page (https://api.slack.com/methods/chat.postMessage "Errors",
 * https://api.slack.com/methods/usergroups.users.update "Errors").
 */
import type { Action } from "../../core/actions.js";
import type { DeliveryProblem } from "../../core/ports.js";
import { errorCode } from "./directory.js";

/** How people invite the bot: Slack's `/invite` with the bot's name from manifest.yaml. */
export const INVITE_COMMAND = "/invite @outloud";

/** Errors that mean the bot cannot post in that channel itself (Slack can still post a command's answer). */
export const NOT_IN_CHANNEL = new Set(["not_in_channel", "channel_not_found"]);
/** User groups are closed to the bot (workspace permissions) or not on the workspace's plan. */
export const GROUPS_UNAVAILABLE = new Set([
  "permission_denied",
  "plan_upgrade_required",
  "paid_only",
  "paid_teams_only",
]);

/** What a person sees when the bot cannot post where they asked it to. */
export function inviteHint(room: string): string {
  return `I am not a member of #${room}, so I cannot post there myself. Invite me with \`${INVITE_COMMAND}\` in #${room}.`;
}

/** The problem behind a refused action, or undefined when it is not one a person can fix. */
export function deliveryProblemOf(action: Action, err: unknown): DeliveryProblem | undefined {
  const code = errorCode(err);
  const where = "room" in action ? `#${action.room.name}` : "that conversation";
  if (NOT_IN_CHANNEL.has(code) && "room" in action)
    return {
      action,
      kind: "not-in-room",
      reason: `I am not a member of ${where}`,
      fix: `Invite me with \`${INVITE_COMMAND}\` in ${where}.`,
    };
  if (code === "is_archived")
    return {
      action,
      kind: "room-archived",
      reason: `${where} is archived`,
      fix: action.source.startsWith("rota.")
        ? "Unarchive it, or set the rota up again in the channel the team uses now."
        : "Unarchive it, or use the channel the team uses now.",
    };
  if (code === "missing_scope") {
    const needed = (err as { data?: { needed?: string } }).data?.needed ?? "a needed";
    return {
      action,
      kind: "missing-permission",
      reason: `the app was not granted the \`${needed}\` permission`,
      fix: "A workspace admin can grant it by installing Outloud again from its install page.",
    };
  }
  if (GROUPS_UNAVAILABLE.has(code))
    return {
      action,
      kind: "feature-unavailable",
      reason:
        code === "permission_denied"
          ? "only admins may change user groups in this workspace, so the responder's user group is not kept"
          : "user groups need a paid Slack plan, so the responder's user group is not kept",
      fix:
        code === "permission_denied"
          ? "An admin can let everyone manage user groups (Workspace settings → Permissions → User Groups); the announcement and the topic work meanwhile."
          : "The announcement and the topic work without it.",
    };
  return undefined;
}
