/**
 * The share button of the DM → channel nudge: the question is read from Slack by id (only the
 * asker's own message), posted in the suggested room in their name as a quote, and the private
 * notice is replaced by a line saying so. Nothing of the text is stored.
 */
import type { App, BlockButtonAction } from "@slack/bolt";
import { shareAction, sharedNotice } from "../../../core/nudges/share.js";
import { errorCode } from "../directory.js";
import { inviteHint } from "../problems.js";
import { readShareButton, SHARE_ACTION } from "../share-button.js";
import { fromSlackText } from "../translate.js";
import { type ListenerDeps, workspaceOf } from "./deps.js";

export function registerShare(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(SHARE_ACTION, async ({ action, ack, body, context, client, respond }) => {
    await ack();
    const workspace = workspaceOf(context, body);
    const share = workspace ? readShareButton(action.value, workspace) : undefined;
    if (!workspace || !share) return;
    const user = body.user.id;
    const tell = async (text: string): Promise<void> => {
      await respond({ response_type: "ephemeral", replace_original: true, text }).catch((err) =>
        deps.log.warn("slack share answer failed", { workspace, error: errorCode(err) }),
      );
    };
    let text: string | undefined;
    try {
      const history = await client.conversations.history({
        channel: share.channel,
        latest: share.message,
        inclusive: true,
        limit: 1,
      });
      const message = history.messages?.[0];
      // Only the person's own question, exactly the one the nudge was about.
      if (message?.ts === share.message && message.user === user)
        text = fromSlackText(message.text ?? "").text;
    } catch (err) {
      deps.log.warn("slack share: the question could not be read", { workspace, error: errorCode(err) });
    }
    if (!text)
      return tell("I could not find that question any more: `/share` followed by the text posts it.");
    const botUserId = await deps.botUserId(workspace);
    if (botUserId && !(await deps.directory.isMember(workspace, share.room.id, botUserId)))
      return tell(inviteHint(share.room.name));
    await deps.engine.services.emit(shareAction(workspace, user, share.target, quote(text)));
    await tell(sharedNotice(share.target));
  });
}

/** The question as a quote after "asks:", each line quoted. */
function quote(text: string): string {
  return `\n${text
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n")}`;
}
