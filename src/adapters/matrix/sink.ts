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
import type { Room } from "../../core/model.js";
import type { ActionSink, Clock } from "../../core/ports.js";
import type { OutloudMetrics } from "../../runtime/metrics.js";
import type { MatrixApi } from "./api.js";
import type { MatrixDirectory } from "./directory.js";
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

  async deliver(action: Action): Promise<void> {
    try {
      await this.carryOut(action);
      this.deps.metrics?.countAction("matrix", action.action, action.source);
    } catch (err) {
      this.deps.log.error("matrix action failed", {
        action: action.action,
        source: action.source,
        error: errorMessage(err),
      });
    }
  }

  private async carryOut(action: Action): Promise<void> {
    switch (action.action) {
      case "post":
        await this.say(action.room.id, action.text, action.mentions);
        return;
      case "reply":
        await this.say(action.room.id, action.text, action.mentions, action.thread);
        return;
      // Matrix has no forms (and never says it can): a stray one is told like a notice.
      case "notice":
      case "form": {
        const dm = await this.dmRoomFor(action.user);
        // In the person's own DM with the bot the notice answers in place (in its thread, if any).
        if (dm === action.room.id)
          return void (await this.say(dm, action.text, action.mentions, action.thread));
        await this.say(dm, action.text, action.mentions, undefined, action.room);
        return;
      }
      case "dm":
        await this.say(await this.dmRoomFor(action.user), action.text, action.mentions);
        return;
      case "topic":
        await this.deps.api.setTopic(action.room.id, action.text);
        return;
      case "group":
        // Matrix has no user groups (Slack's @team-responder); the announcement's mention does the job.
        this.deps.log.debug("matrix has no user groups; skipped", { source: action.source });
        return;
    }
  }

  private async say(
    roomId: string,
    text: string,
    mentions: readonly string[] = [],
    thread?: string,
    about?: Room,
  ): Promise<void> {
    const names = new Map<string, string>();
    for (const id of mentionedIds(text, mentions)) names.set(id, await this.deps.directory.displayName(id));
    const content: Record<string, unknown> = renderNotice(text, mentions, names);
    if (about) {
      // A private notice about another room says which one, so it makes sense on its own.
      content.body = `In ${about.name}: ${content.body}`;
      content.formatted_body = `In <a href="https://matrix.to/#/${escapeHtml(about.id)}">${escapeHtml(about.name)}</a>: ${content.formatted_body}`;
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
    await this.deps.api.send(roomId, content, `outloud-${randomUUID()}`, thread);
  }

  /** The bot's DM room with `user`: remembered, or found in `m.direct`, or created now. */
  async dmRoomFor(user: string): Promise<string> {
    const pending = this.opening.get(user);
    if (pending) return pending;
    const opening = this.findOrCreateDm(user).finally(() => this.opening.delete(user));
    this.opening.set(user, opening);
    return opening;
  }

  /** The bot is still in the room and the person has not left it (a left DM gets a new one). */
  private async stillShared(roomId: string, user: string): Promise<boolean> {
    try {
      await this.deps.rooms.ensureLoaded(roomId);
    } catch {
      return false; // No longer allowed to read it: the bot was removed.
    }
    const person = this.deps.rooms.membership(roomId, user);
    return (
      this.deps.rooms.membership(roomId, this.deps.botUserId) === "join" &&
      (person === "join" || person === "invite")
    );
  }

  private async findOrCreateDm(user: string): Promise<string> {
    const { store, rooms, api, workspace, botUserId, clock } = this.deps;
    const remembered = await store.dmRoom(workspace, botUserId, user);
    if (remembered && (await this.stillShared(remembered, user))) return remembered;
    const listed = rooms.directRoomWith(user);
    if (listed) {
      await store.saveDmRoom(workspace, botUserId, user, listed, clock.now());
      return listed;
    }
    const roomId = await api.createDirectRoom(user);
    await store.saveDmRoom(workspace, botUserId, user, roomId, clock.now());
    rooms.markDirect(roomId);
    rooms.apply(roomId, [
      { type: "m.room.member", state_key: botUserId, sender: botUserId, content: { membership: "join" } },
      { type: "m.room.member", state_key: user, sender: botUserId, content: { membership: "invite" } },
    ]);
    // Tell the bot's other sessions (and clients showing its account) that this room is a DM.
    const map = { ...rooms.directMap() };
    map[user] = [...new Set([...(map[user] ?? []), roomId])];
    rooms.setDirectMap(map);
    await api
      .setDirectMap(map)
      .catch((err) => this.deps.log.warn("could not update m.direct", { error: errorMessage(err) }));
    return roomId;
  }
}
