/**
 * Slash commands (one per root of the command table: `/rota`, `/decision`, `/outloud`, `/share`) and
 * the "Record as decision" message shortcut.
 * Each is acknowledged within Slack's 3 seconds: with the private answer when the core has one by
 * then, otherwise with a private "working on it", the answer following through `response_url`.
 */
import type { App } from "@slack/bolt";
import type { RoomKind } from "../../../core/model.js";
import { PendingCommand, pendingCommands, type SlashResponse } from "../command-reply.js";
import { fromSlackText } from "../translate.js";
import { type ListenerDeps, workspaceOf } from "./deps.js";

/** Slack allows 3 s; answer "working on it" a little before, to allow for the trip back. */
export const ACK_DEADLINE_MS = 2_300;
export const RECORD_DECISION_CALLBACK = "record_decision";
const WORKING_ON_IT: SlashResponse = { response_type: "ephemeral", text: "Working on it…" };

export function registerCommands(app: App, deps: ListenerDeps): void {
  app.command(
    slashCommandPattern(deps.engine.commands.rootWords()),
    async ({ command, ack, respond, context, body }) => {
      const workspace = workspaceOf(context, body);
      if (!workspace) return ack();
      const root = command.command.replace(/^\//, "");
      const { text } = fromSlackText(command.text ?? "");
      const pending = new PendingCommand(
        workspace,
        command.channel_id,
        command.user_id,
        (r) => ack(r),
        (r) => respond(r),
        command.trigger_id,
      );
      await runAcknowledged(pending, deps, async () => {
        const room = await deps.directory.room(
          workspace,
          command.channel_id,
          kindFromChannelName(command.channel_name),
          command.channel_name,
        );
        await deps.dispatch({
          type: "command",
          command: {
            workspace,
            room,
            user: command.user_id,
            text: `${root} ${text}`.trim(),
            prefix: "/",
            canOpenForm: Boolean(command.trigger_id),
            at: new Date(),
          },
        });
      });
    },
  );

  // The shortcut hands the message itself to the core: its author is the decision's author, and the
  // confirmation lands in the message's thread. The core first offers a form prefilled from it (a modal).
  app.shortcut(
    { callback_id: RECORD_DECISION_CALLBACK, type: "message_action" },
    async ({ shortcut, ack, respond, context, body }) => {
      const workspace = workspaceOf(context, body);
      if (!workspace || shortcut.type !== "message_action") return ack();
      const { text } = fromSlackText(shortcut.message.text ?? "");
      const pending = new PendingCommand(
        workspace,
        shortcut.channel.id,
        shortcut.user.id,
        async (r) => {
          await ack();
          // A shortcut's acknowledgement carries no message; a private answer goes through response_url.
          if (r) await respond({ ...r, replace_original: false });
        },
        (r) => respond(r),
        shortcut.trigger_id,
      );
      if (!text.trim()) {
        await pending.replyPrivately({
          text: "That message has no text to record as a decision.",
          blocks: [],
        });
        return;
      }
      const thread = shortcut.message.thread_ts as string | undefined;
      await runAcknowledged(pending, deps, async () => {
        // In a DM between two people the bot cannot look the conversation up: its name says what it is.
        const room = await deps.directory.room(
          workspace,
          shortcut.channel.id,
          kindFromChannelName(shortcut.channel.name),
          shortcut.channel.name,
        );
        await deps.dispatch({
          type: "record-decision",
          workspace,
          room,
          user: shortcut.user.id,
          message: {
            id: shortcut.message.ts,
            // Slack omits the author on some message kinds; then whoever used the shortcut stands in.
            user: (shortcut.message.user as string | undefined) ?? shortcut.user.id,
            text,
            thread: thread !== shortcut.message.ts ? thread : undefined,
          },
          canOpenForm: Boolean(shortcut.trigger_id),
          at: new Date(),
        });
      });
    },
  );
}

/** Runs the core's handling with the pending acknowledgement attached, sending "working on it" if it runs long. */
export async function runAcknowledged(
  pending: PendingCommand,
  deps: ListenerDeps,
  work: () => Promise<void>,
): Promise<void> {
  const timer = setTimeout(
    () => void pending.acknowledge(WORKING_ON_IT).catch(() => undefined),
    ACK_DEADLINE_MS,
  );
  try {
    await pendingCommands.run(pending, work);
  } finally {
    clearTimeout(timer);
    // Nothing private to say (the answer was posted publicly, or nothing at all): close the request.
    await pending
      .acknowledge()
      .catch((err) => deps.log.warn("slack ack failed", { error: String((err as Error)?.name) }));
  }
}

/** `/rota`, `/decision`, …: the slash command of each root word (manifest.yaml declares the same). */
function slashCommandPattern(roots: readonly string[]): RegExp {
  const words = roots.map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^/(${words.join("|")})$`);
}

/** Slack's `channel_name` for conversations that are not channels. */
function kindFromChannelName(name: string | undefined): RoomKind | undefined {
  if (name === "directmessage") return "dm";
  if (name === "privategroup") return "private";
  if (name?.startsWith("mpdm-")) return "group-dm";
  return undefined;
}
