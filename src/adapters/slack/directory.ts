/**
 * The Directory over Slack's Web API: people (users.info, with their time zone), rooms
 * (conversations.info for the kind and name, conversations.members) and permalinks. Answers are cached
 * for a while, and concurrent questions about the same one share a request: the core asks often, and
 * Slack's read methods are rate limited too.
 */

import type { Logger } from "../../core/logger.js";
import type { Room, RoomKind, User } from "../../core/model.js";
import type { Directory } from "../../core/ports.js";
import type { WorkspaceClients } from "./clients.js";
import { LookupCache } from "./lookup-cache.js";
import { roomKindFromInfo } from "./translate.js";

/** users.info calls in flight for one room's members (Slack allows 100+ a minute, with bursts). */
const LOOKUPS_AT_ONCE = 10;

export interface SlackDirectoryOptions {
  clients: WorkspaceClients;
  log: Logger;
  /** How long an answer is reused (default 10 minutes). */
  ttlMs?: number;
  /** Time zone for people Slack tells us nothing about. */
  defaultTz?: string;
}

export class SlackDirectory implements Directory {
  private readonly users: LookupCache<User>;
  private readonly rooms: LookupCache<{ name: string; kind: RoomKind }>;
  private readonly members: LookupCache<string[]>;

  constructor(private readonly options: SlackDirectoryOptions) {
    const ttlMs = options.ttlMs ?? 10 * 60_000;
    this.users = new LookupCache(ttlMs);
    this.rooms = new LookupCache(ttlMs);
    this.members = new LookupCache(ttlMs);
  }

  async user(workspace: string, id: string): Promise<User> {
    try {
      return await this.users.get(`${workspace}/${id}`, async () => {
        const { client } = await this.options.clients.forWorkspace(workspace);
        const u = (await client.users.info({ user: id })).user;
        return {
          workspace,
          id,
          displayName: u?.profile?.display_name || u?.real_name || u?.name || id,
          tz: u?.tz || this.options.defaultTz || "UTC",
          bot: Boolean(u?.is_bot || u?.is_app_user || id === "USLACKBOT"),
        };
      });
    } catch (err) {
      this.options.log.warn("slack users.info failed", { workspace, error: errorCode(err) });
      return { workspace, id, displayName: id, tz: this.options.defaultTz || "UTC", bot: false };
    }
  }

  /** A room from its channel id: kind and name from conversations.info (cached); `kindHint` when the event told us. */
  async room(workspace: string, channel: string, kindHint?: RoomKind, nameHint?: string): Promise<Room> {
    try {
      const info = await this.rooms.get(`${workspace}/${channel}`, async () => {
        const { client } = await this.options.clients.forWorkspace(workspace);
        const c = (await client.conversations.info({ channel })).channel;
        return {
          name: c?.name ?? nameHint ?? channel,
          kind: c ? roomKindFromInfo(c) : (kindHint ?? "public"),
        };
      });
      return { workspace, id: channel, ...info };
    } catch (err) {
      this.options.log.warn("slack conversations.info failed", { workspace, error: errorCode(err) });
      // Unknown kind is treated as private: a wrong guess then errs on the side of discretion.
      return { workspace, id: channel, name: nameHint ?? channel, kind: kindHint ?? "private" };
    }
  }

  roomMembers(workspace: string, room: Room): Promise<string[]> {
    return this.members.get(`${workspace}/${room.id}`, async () => {
      const { client, botUserId } = await this.options.clients.forWorkspace(workspace);
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await client.conversations.members({
          channel: room.id,
          limit: 500,
          ...(cursor ? { cursor } : {}),
        });
        ids.push(...(res.members ?? []));
        cursor = res.response_metadata?.next_cursor || undefined;
      } while (cursor);
      // People not seen yet are looked up a few at a time: one by one, a room's first announcement
      // waited a round trip per member (and every announcement due with it, for the same people).
      const people = ids.filter((id) => id !== botUserId);
      const humans: string[] = [];
      for (let i = 0; i < people.length; i += LOOKUPS_AT_ONCE) {
        const batch = await Promise.all(
          people.slice(i, i + LOOKUPS_AT_ONCE).map((id) => this.user(workspace, id)),
        );
        for (const user of batch) if (!user.bot) humans.push(user.id);
      }
      return humans;
    });
  }

  /** Someone joined or left: the next question about the room asks Slack again. */
  forgetMembers(workspace: string, room: string): void {
    this.members.delete(`${workspace}/${room}`);
  }

  async findUser(workspace: string, nameOrId: string): Promise<string | undefined> {
    const wanted = nameOrId.replace(/^@/, "");
    // Slack sends mentions as ids (`<@U123>`, translated to `@U123`); names are matched against people seen.
    if (/^[UW][A-Z0-9]{2,}$/.test(wanted)) return wanted;
    const lower = wanted.toLowerCase();
    for (const [key, user] of this.users.entries()) {
      if (key.startsWith(`${workspace}/`) && user.displayName.toLowerCase() === lower) return user.id;
    }
    return undefined;
  }

  installedIn(workspace: string): Promise<boolean> {
    return this.options.clients.installedIn(workspace);
  }

  async permalink(workspace: string, room: Room, messageId: string): Promise<string | undefined> {
    try {
      const { client } = await this.options.clients.forWorkspace(workspace);
      const res = await client.chat.getPermalink({ channel: room.id, message_ts: messageId });
      return res.permalink;
    } catch (err) {
      this.options.log.warn("slack chat.getPermalink failed", { workspace, error: errorCode(err) });
      return undefined;
    }
  }
}

/** A Slack error code (`channel_not_found`) or the error class: never a message that might quote text. */
export function errorCode(err: unknown): string {
  const e = err as { data?: { error?: string }; code?: string; name?: string } | undefined;
  return e?.data?.error ?? e?.code ?? e?.name ?? "unknown";
}
