/**
 * The DM → channel nudge's one-step repost, as a Slack button on the private notice. Its value names
 * the question (DM channel and message ts) and the suggested room, never the text: on a click the
 * question is read from Slack by id and posted in the room in the asker's name, as a quote, so its
 * text never passes through our storage (docs/nudges.md).
 */
import type { Room, RoomKind } from "../../core/model.js";
import type { ShareOffer } from "../../core/nudges/share.js";

export const SHARE_ACTION = "outloud_share";

/** What the button carries. */
export interface ShareButtonValue {
  /** The conversation the question was asked in, and its ts. */
  channel: string;
  message: string;
  room: { id: string; name: string; kind: RoomKind };
}

export function shareButton(offer: ShareOffer, channel: string): Record<string, unknown> {
  const value: ShareButtonValue = {
    channel,
    message: offer.message,
    room: { id: offer.room.id, name: offer.room.name, kind: offer.room.kind },
  };
  return {
    type: "actions",
    elements: [
      {
        type: "button",
        action_id: SHARE_ACTION,
        // Button text: at most 75 characters (https://api.slack.com/reference/block-kit/block-elements#button).
        text: { type: "plain_text", text: `Post it in #${offer.room.name}`.slice(0, 75) },
        value: JSON.stringify(value),
      },
    ],
  };
}

/** The button's value, or undefined for anything we did not render. */
export function readShareButton(
  value: string | undefined,
  workspace: string,
): (ShareButtonValue & { target: Room }) | undefined {
  try {
    const v = JSON.parse(value ?? "") as Partial<ShareButtonValue>;
    if (typeof v.channel !== "string" || typeof v.message !== "string" || typeof v.room?.id !== "string")
      return undefined;
    const room = { id: v.room.id, name: String(v.room.name ?? v.room.id), kind: v.room.kind ?? "public" };
    return { channel: v.channel, message: v.message, room, target: { workspace, ...room } };
  } catch {
    return undefined;
  }
}
