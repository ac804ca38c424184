/**
 * Carries out core actions on Matrix. Everything the bot says is an `m.notice` (bots do not answer
 * notices, so two bots never loop). Matrix has no message visible to one person only, so private
 * notices and DMs go to a DM room between the bot and that person, created on first need and
 * remembered in the database.
 */
import { randomUUID } from "node:crypto";
import type { Action } from "../../core/actions.js";
import { errorMessage } from "../../core/error-message.js";
import type { Logger } from "../../core/logger.js";
import { isDirect, type Room } from "../../core/model.js";
import { feedbackOfferOf } from "../../core/nudges/feedback.js";
import type { ActionSink, Clock, Delivery } from "../../core/ports.js";
import type { OutloudMetrics } from "../../runtime/metrics.js";
import type { MatrixApi } from "./api.js";
import type { MatrixDirectory } from "./directory.js";
import { feedbackContent, UNHELPFUL_REACTION_HINT } from "./nudge-feedback.js";
import { escapeHtml, mentionedIds, renderNotice } from "./render.js";
import type { RoomRegistry } from "./rooms.js";
import type { MatrixStateStore } from "./store.js";

export interface MatrixSinkDeps {
  api: MatrixApi;
  rooms: RoomRegistry;
  directory: MatrixDirectory;
  store: MatrixStateStore;
  clock: Clock;
  /** Counts the actions carried out (absent in unit tests). */
  metrics?: OutloudMetrics;
  log: Logger;
  workspace: string;
  botUserId: string;
}

export class MatrixSink implements ActionSink {
  /** One DM room creation at a time per person, so two quick notices never open two rooms. */
  private readonly opening = new Map<string, Promise<string>>();

  constructor(private readonly deps: MatrixSinkDeps) {}

  async deliver(action: Action, delivery?: Delivery): Promise<void> {
    // The outbox's key as the transaction id: a resend after a crash is one the homeserver has seen
    // (client-server API, "Transaction identifiers"), so it posts the message once.
    const txnId = `outloud-${delivery?.key ?? randomUUID()}`;
    try {
      await this.carryOut(action, txnId);
      this.deps.metrics?.countAction("matrix", action.action, action.source);
    } catch (err) {
      // Rate limits beyond our patience and an unreachable or failing server may pass: the durable
      // outbox tries again later with the same transaction id. A refusal (no such room, forbidden) stays.
      if (mayPassLater(err)) throw err;
      this.deps.log.error("matrix action failed", {
        action: action.action,
        source: action.source,
        error: errorMessage(err),
      });
    }
  }

  private async carryOut(action: Action, txnId: string): Promise<void> {
    switch (action.action) {
      case "post":
        await this.say(txnId, action.room.id, action.text, { mentions: action.mentions });
        return;
      case "reply":
        await this.say(txnId, action.room.id, action.text, {
          mentions: action.mentions,
          thread: action.thread,
        });
        return;
      // Matrix has no forms (and never says it can): a stray one is told like a notice.
      case "notice":
      case "form": {
        const { mentions, thread } = action;
        const feedback = this.feedbackFor(action, action.user);
        // Written in the person's own DM with the bot: answered in place (in its thread, if any), and
        // that DM is where their private notices go from now on.
        if (this.deps.rooms.isDmWith(action.room.id, action.user)) {
          await this.keepDm(action.user, action.room.id);
          return void (await this.say(txnId, action.room.id, action.text, { mentions, thread, feedback }));
        }
        const dm = await this.dmRoomFor(action.user);
        if (dm === action.room.id)
          return void (await this.say(txnId, dm, action.text, { mentions, thread, feedback }));
        const about = { id: action.room.id, label: await this.roomAsKnownTo(action.room, action.user) };
        await this.say(txnId, dm, action.text, { mentions, about, feedback });
        return;
      }
      case "dm":
        await this.say(txnId, await this.dmRoomFor(action.user), action.text, {
          mentions: action.mentions,
          feedback: this.feedbackFor(action, action.user),
        });
        return;
      case "topic": {
        // A topic is plain text (m.room.topic has no HTML): people by display name, never by Matrix id.
        const names = await this.namesIn(action.text, action.mentions);
        await this.deps.api.setTopic(
          action.room.id,
          renderNotice(action.text, action.mentions ?? [], names).body,
        );
        return;
      }
      case "group":
        // Matrix has no user groups (Slack's @team-responder); the announcement's mention does the job.
        this.deps.log.debug("matrix has no user groups; skipped", { source: action.source });
        return;
    }
  }

  /** A private nudge's "not helpful" offer, as Matrix carries it: a reaction (nudge-feedback.ts). */
  private feedbackFor(action: Action, user: string): Record<string, unknown> | undefined {
    const offer = feedbackOfferOf(action);
    return offer ? feedbackContent(offer, user) : undefined;
  }

  /** Display names for the people a text mentions. */
  private async namesIn(text: string, mentions: readonly string[] = []): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of mentionedIds(text, mentions)) names.set(id, await this.deps.directory.displayName(id));
    return names;
  }

  private async say(
    txnId: string,
    roomId: string,
    text: string,
    options: {
      mentions?: readonly string[];
      thread?: string;
      /** The room a private notice is about, when it is sent elsewhere. */
      about?: { id: string; label: string };
      /** Content that lets the person mark a nudge not helpful by reacting to it. */
      feedback?: Record<string, unknown>;
    } = {},
  ): Promise<void> {
    const { mentions = [], thread, about, feedback } = options;
    const shown = feedback ? `${text}\n${UNHELPFUL_REACTION_HINT}` : text;
    const content: Record<string, unknown> = {
      ...renderNotice(shown, mentions, await this.namesIn(text, mentions)),
      ...feedback,
    };
    if (about) {
      // A private notice about another room says which one, so it makes sense on its own.
      content.body = `In ${about.label}: ${content.body}`;
      content.formatted_body = `In <a href="https://matrix.to/#/${escapeHtml(about.id)}">${escapeHtml(about.label)}</a>: ${content.formatted_body}`;
    }
    if (thread) {
      content["m.relates_to"] = {
        rel_type: "m.thread",
        event_id: thread,
        is_falling_back: true,
        "m.in_reply_to": { event_id: thread },
      };
    }
    // One transaction id per action, reused by every retry: the homeserver posts it once.
    await this.deps.api.send(roomId, content, txnId, thread);
  }

  /**
   * How `user` knows `room`, for a notice sent elsewhere: its name or canonical alias; else, as clients
   * name rooms without one, by who is in it ("your DM with the bot", "the group DM with Bob and Carol").
   * Never its id, which nobody recognises.
   */
  private async roomAsKnownTo(room: Room, user: string): Promise<string> {
    const { rooms, directory, botUserId } = this.deps;
    const title = rooms.title(room.id);
    if (title) return title;
    if (rooms.isDmWith(room.id, user)) return "your DM with the bot";
    const others = rooms.joined(room.id).filter((id) => id !== user && id !== botUserId);
    const names = await Promise.all(others.map((id) => directory.displayName(id)));
    if (!isDirect(room)) return names.length ? `the room with ${listOf(names)}` : "a room without a name";
    return names.length === 1 ? `your DM with ${names[0]}` : `the group DM with ${listOf(names)}`;
  }

  /** The bot's DM room with `user`: remembered, or found in `m.direct`, or created now. */
  async dmRoomFor(user: string): Promise<string> {
    const pending = this.opening.get(user);
    if (pending) return pending;
    const opening = this.findOrCreateDm(user).finally(() => this.opening.delete(user));
    this.opening.set(user, opening);
    return opening;
  }

  /**
   * Still a DM between the bot and `user`: the bot is in it, the person is in it or invited, and nobody
   * else has joined. A DM the person left gets a new one.
   */
  private async isSharedDm(roomId: string, user: string): Promise<boolean> {
    const { rooms, botUserId } = this.deps;
    try {
      await rooms.ensureLoaded(roomId);
    } catch {
      return false; // No longer allowed to read it: the bot was removed.
    }
    const person = rooms.membership(roomId, user);
    return (
      rooms.membership(roomId, botUserId) === "join" &&
      (person === "join" || person === "invite") &&
      rooms.joined(roomId).every((id) => id === botUserId || id === user)
    );
  }

  private async findOrCreateDm(user: string): Promise<string> {
    const { store, rooms, api, workspace, botUserId, clock } = this.deps;
    const remembered = await store.dmRoom(workspace, botUserId, user);
    if (remembered && (await this.isSharedDm(remembered, user))) return remembered;
    // A DM still shared that m.direct lists (made by the person, or by the bot earlier), newest first.
    for (const listed of rooms.directRoomsWith(user).reverse()) {
      if (listed === remembered || !(await this.isSharedDm(listed, user))) continue;
      await store.saveDmRoom(workspace, botUserId, user, listed, clock.now());
      return listed;
    }
    const roomId = await api.createDirectRoom(user);
    await store.saveDmRoom(workspace, botUserId, user, roomId, clock.now());
    rooms.apply(roomId, [
      { type: "m.room.member", state_key: botUserId, sender: botUserId, content: { membership: "join" } },
      { type: "m.room.member", state_key: user, sender: botUserId, content: { membership: "invite" } },
    ]);
    await this.markDirect(user, roomId);
    return roomId;
  }

  /** Remembers `roomId` as the DM for `user`'s private notices (the one they last wrote in). */
  private async keepDm(user: string, roomId: string): Promise<void> {
    const { store, workspace, botUserId, clock } = this.deps;
    if ((await store.dmRoom(workspace, botUserId, user)) !== roomId)
      await store.saveDmRoom(workspace, botUserId, user, roomId, clock.now());
  }

  /**
   * Lists `roomId` as a DM with `user` in the bot's `m.direct`, added to what the homeserver holds now:
   * the bot's other sessions (or a person managing its account) may have changed it meanwhile.
   */
  async markDirect(user: string, roomId: string): Promise<void> {
    const { rooms, api, log } = this.deps;
    rooms.markDirect(roomId);
    try {
      const current = await api.directMap();
      const listed = current[user] ?? [];
      const map = listed.includes(roomId) ? current : { ...current, [user]: [...listed, roomId] };
      rooms.setDirectMap(map);
      if (map !== current) await api.setDirectMap(map);
    } catch (err) {
      log.warn("could not update m.direct", { error: errorMessage(err) });
    }
  }
}

/** "Bob", "Bob and Carol", "Bob, Carol and Dan", "Bob, Carol, Dan and 2 others". */
function listOf(names: readonly string[]): string {
  const shown = names.length > 4 ? [...names.slice(0, 3), `${names.length - 3} others`] : [...names];
  return shown.length > 1
    ? `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`
    : (shown[0] ?? "");
}

/** Whether a failed request may succeed later: a 429, a 5xx, or no answer at all (network, timeout). */
function mayPassLater(err: unknown): boolean {
  const status = (err as { httpStatus?: unknown } | undefined)?.httpStatus;
  if (typeof status === "number") return status === 429 || status >= 500;
  return (err as { name?: unknown } | undefined)?.name === "ConnectionError";
}
