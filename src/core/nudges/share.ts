/**
 * The one-step repost of the DM → channel nudge, without the bot ever storing DM text.
 *
 * Slack: the nudge's notice carries a ShareOffer (`shareOfferOf(action)`): the target room and the
 * DM message's id. The Slack adapter renders a button; on click it reads the message from Slack by
 * id and posts it, so the text never passes through our storage.
 *
 * Matrix (and the playground): `!share` reposts the question from a short-lived in-memory handle
 * (kept for `ttlMinutes`, never written to the database or logs, lost on restart), and
 * `!share <text>` posts the text the person types.
 */
import type { Action } from "../actions.js";
import { LruMap } from "../lru-map.js";
import { type Room, roomLabel } from "../model.js";

/** Attached to the dm-to-channel notice as the `share` field. */
export interface ShareOffer {
  /** Where to repost. */
  room: Room;
  /** The DM message to repost (its id in the DM room, `action.room`). */
  message: string;
}

/** The repost of `user`'s question in `room`, in their name: the same words whichever way it was asked for. */
export function shareAction(workspace: string, user: string, room: Room, text: string): Action {
  return {
    workspace,
    action: "post",
    room,
    source: "nudge.dm-to-channel.share",
    mentions: [user],
    text: `@${user} asks: ${text}`,
  };
}

/** What the person is told once their question is posted. */
export function sharedNotice(room: Room): string {
  return `Posted in ${roomLabel(room)}. Thanks for working out loud!`;
}

/** The share offer carried by a dm-to-channel notice, if any (adapters render it as a button). */
export function shareOfferOf(action: Action): ShareOffer | undefined {
  const offer = (action as Action & { share?: ShareOffer }).share;
  return offer && typeof offer.message === "string" && offer.room ? offer : undefined;
}

interface Handle {
  room: Room;
  text: string;
  expires: number;
}

const MAX_HANDLES = 1000;

export class ShareHandles {
  private readonly handles = new LruMap<string, Handle>(MAX_HANDLES);

  constructor(private readonly ttlMs: number) {}

  offer(workspace: string, user: string, room: Room, text: string, at: Date): void {
    this.handles.set(`${workspace}\u0000${user}`, { room, text, expires: at.getTime() + this.ttlMs });
  }

  /** The last suggested room and, while the handle is fresh, the question's text. Taking it clears it. */
  take(workspace: string, user: string, at: Date): { room: Room; text?: string } | undefined {
    const key = `${workspace}\u0000${user}`;
    const handle = this.handles.get(key);
    if (!handle) return undefined;
    this.handles.delete(key);
    return { room: handle.room, text: at.getTime() <= handle.expires ? handle.text : undefined };
  }

  /** The suggested room only, without taking the handle. */
  peek(workspace: string, user: string): Room | undefined {
    return this.handles.get(`${workspace}\u0000${user}`)?.room;
  }
}
