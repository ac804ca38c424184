/**
 * The Directory over Slack's Web API: people, rooms (conversations.info for the kind and name,
 * conversations.members) and permalinks, on a budget. users.info is Tier 4 (about 100 a minute), so a
 * room of hundreds is never looked up one person at a time: past a handful of unknown people, the
 * workspace's people come from users.list pages (200 each), kept an hour and kept fresh by
 * `user_change`; member lists are kept ten minutes and dropped on every join and leave. Every call
 * goes through the outbox, which waits out a 429's Retry-After instead of failing the work; a call
 * that failed otherwise is remembered for a minute, so a broken lookup is not retried per message.
 */
import type { webApi } from "@slack/bolt";
import type { Logger } from "../../core/logger.js";
import type { Room, RoomKind, User } from "../../core/model.js";
import type { Directory } from "../../core/ports.js";
import type { WorkspaceAuth, WorkspaceClients } from "./clients.js";
import { LookupCache } from "./lookup-cache.js";
import type { SlackOutbox } from "./outbox.js";
import { roomKindFromInfo } from "./translate.js";

/** More unknown people than this in one room: list the workspace's people rather than ask one by one. */
const USERS_INFO_BUDGET = 5;
/** users.list page size: Slack recommends no more than 200 (https://api.slack.com/methods/users.list). */
const USERS_PAGE = 200;
/** conversations.members page size: the most a cursor-paged method returns (https://api.slack.com/apis/pagination). */
const MEMBERS_PAGE = 1000;
/**
 * Errors that say the bot cannot see the room (not invited to a private channel, no such channel, a
 * scope missing): nothing to learn from asking again soon, and the room's posts will tell a person.
 */
const CANNOT_SEE_ROOM = new Set(["channel_not_found", "not_in_channel", "missing_scope", "is_archived"]);

export interface SlackDirectoryOptions {
  clients: WorkspaceClients;
  log: Logger;
  /** Where the Web API calls go out: the outbox waits out a 429 instead of failing. */
  calls: Pick<SlackOutbox, "call">;
  /** How long rooms and member lists are reused (default 10 minutes). */
  ttlMs?: number;
  /** How long people are reused (default an hour; `user_change` updates them meanwhile). */
  peopleTtlMs?: number;
  /** How long a failed lookup is remembered (default a minute). */
  failureTtlMs?: number;
  /** Time zone for people Slack tells us nothing about. */
  defaultTz?: string;
}

/** The fields of a Slack user object that Outloud reads (users.info, users.list, user_change). */
export interface SlackUserJson {
  id?: string;
  name?: string;
  real_name?: string;
  tz?: string;
  is_bot?: boolean;
  is_app_user?: boolean;
  is_restricted?: boolean;
  deleted?: boolean;
  profile?: { display_name?: string; real_name?: string };
}

export class SlackDirectory implements Directory {
  private readonly users: LookupCache<User & { guest: boolean }>;
  private readonly everyone: LookupCache<true>;
  private readonly rooms: LookupCache<{ name: string; kind: RoomKind }>;
  private readonly members: LookupCache<string[]>;
  private readonly failureTtlMs: number;

  constructor(private readonly options: SlackDirectoryOptions) {
    const ttlMs = options.ttlMs ?? 10 * 60_000;
    const peopleTtlMs = options.peopleTtlMs ?? 60 * 60_000;
    this.failureTtlMs = options.failureTtlMs ?? 60_000;
    this.users = new LookupCache(peopleTtlMs);
    this.everyone = new LookupCache(peopleTtlMs);
    this.rooms = new LookupCache(ttlMs);
    this.members = new LookupCache(ttlMs);
  }

  /** Admins and owners of the workspace may read the live report (users.info `is_admin`/`is_owner`). */
  async isWorkspaceAdmin(workspace: string, id: string): Promise<boolean> {
    try {
      const { client } = await this.options.clients.forWorkspace(workspace);
      const u = (await client.users.info({ user: id })).user;
      return Boolean(u?.is_admin || u?.is_owner || u?.is_primary_owner);
    } catch (err) {
      this.options.log.warn("slack users.info failed", { workspace, error: errorCode(err) });
      return false;
    }
  }

  async user(workspace: string, id: string): Promise<User> {
    const { guest: _guest, ...user } = await this.person(workspace, id);
    return user;
  }

  /** Is this person a guest (Slack refuses guests in user groups)? */
  async isGuest(workspace: string, id: string): Promise<boolean> {
    return (await this.person(workspace, id)).guest;
  }

  private person(workspace: string, id: string): Promise<User & { guest: boolean }> {
    const key = `${workspace}/${id}`;
    return this.users.get(key, async (keepFor) => {
      try {
        const auth = await this.options.clients.forWorkspace(workspace);
        const res = await this.call(workspace, "users.info", () => auth.client.users.info({ user: id }));
        return this.fromJson(workspace, res.user ?? { id });
      } catch (err) {
        this.options.log.warn("slack users.info failed", { workspace, error: errorCode(err) });
        const unknown = { workspace, id, displayName: id, tz: this.tz(), bot: false, guest: false };
        // Remembered briefly: a person Slack cannot tell us about is not asked about per message.
        keepFor(this.failureTtlMs);
        return unknown;
      }
    });
  }

  /** Someone's profile changed (user_change carries the whole user): kept as Slack says it is now. */
  userChanged(workspace: string, user: SlackUserJson): void {
    if (user.id) this.users.set(`${workspace}/${user.id}`, this.fromJson(workspace, user));
  }

  /** A room from its channel id: kind and name from conversations.info (cached); `kindHint` when the event told us. */
  async room(workspace: string, channel: string, kindHint?: RoomKind, nameHint?: string): Promise<Room> {
    try {
      const info = await this.rooms.get(`${workspace}/${channel}`, async () => {
        const { client } = await this.options.clients.forWorkspace(workspace);
        const c = (
          await this.call(workspace, "conversations.info", () => client.conversations.info({ channel }))
        ).channel;
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

  /**
   * The room's human members. Empty when the bot cannot see the room (the core reads that as "the
   * platform could not tell"); a transient failure throws, so the work is tried again later.
   */
  async roomMembers(workspace: string, room: Room): Promise<string[]> {
    let ids: string[];
    try {
      ids = await this.memberIds(workspace, room.id);
    } catch (err) {
      if (!CANNOT_SEE_ROOM.has(errorCode(err))) throw err;
      return [];
    }
    const { botUserId } = await this.options.clients.forWorkspace(workspace);
    const people = ids.filter((id) => id !== botUserId);
    const unknown = people.filter((id) => !this.users.has(`${workspace}/${id}`));
    if (unknown.length > USERS_INFO_BUDGET) await this.listEveryone(workspace);
    const users = await Promise.all(people.map((id) => this.person(workspace, id)));
    return users.filter((u) => !u.bot).map((u) => u.id);
  }

  /** Is `user` in the room? From the member list alone: no profile is looked up. */
  async isMember(workspace: string, room: string, user: string): Promise<boolean> {
    try {
      return (await this.memberIds(workspace, room)).includes(user);
    } catch (err) {
      // A room the bot cannot see any more (left, archived, deleted): its content is shown to nobody.
      this.options.log.warn("slack conversations.members failed", { workspace, error: errorCode(err) });
      return false;
    }
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
      const res = await this.call(workspace, "chat.getPermalink", () =>
        client.chat.getPermalink({ channel: room.id, message_ts: messageId }),
      );
      return res.permalink;
    } catch (err) {
      this.options.log.warn("slack chat.getPermalink failed", { workspace, error: errorCode(err) });
      return undefined;
    }
  }

  /** Every member id of a room, the bot's and other bots' included, from conversations.members pages. */
  private memberIds(workspace: string, room: string): Promise<string[]> {
    return this.members.get(`${workspace}/${room}`, async () => {
      const { client } = await this.options.clients.forWorkspace(workspace);
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await this.call(workspace, "conversations.members", () =>
          client.conversations.members({ channel: room, limit: MEMBERS_PAGE, ...(cursor ? { cursor } : {}) }),
        );
        ids.push(...(res.members ?? []));
        cursor = res.response_metadata?.next_cursor || undefined;
      } while (cursor);
      return ids;
    });
  }

  /** Everyone in the workspace, from users.list pages, into the people cache (once an hour at most). */
  private async listEveryone(workspace: string): Promise<void> {
    try {
      await this.everyone.get(workspace, async () => {
        const auth = await this.options.clients.forWorkspace(workspace);
        let cursor: string | undefined;
        do {
          const res: webApi.UsersListResponse = await this.call(workspace, "users.list", () =>
            auth.client.users.list({
              limit: USERS_PAGE,
              ...teamIdFor(auth, workspace),
              ...(cursor ? { cursor } : {}),
            }),
          );
          for (const u of res.members ?? [])
            if (u.id) this.users.set(`${workspace}/${u.id}`, this.fromJson(workspace, u as SlackUserJson));
          cursor = res.response_metadata?.next_cursor || undefined;
        } while (cursor);
        return true;
      });
    } catch (err) {
      // The people are then looked up one by one, as far as Slack lets us.
      this.options.log.warn("slack users.list failed", { workspace, error: errorCode(err) });
    }
  }

  private fromJson(workspace: string, u: SlackUserJson): User & { guest: boolean } {
    const id = u.id ?? "";
    return {
      workspace,
      id,
      displayName: u.profile?.display_name || u.real_name || u.name || id,
      tz: u.tz || this.tz(),
      bot: Boolean(u.is_bot || u.is_app_user || id === "USLACKBOT"),
      guest: Boolean(u.is_restricted),
    };
  }

  private tz(): string {
    return this.options.defaultTz || "UTC";
  }

  private call<T>(workspace: string, method: string, call: () => Promise<T>): Promise<T> {
    return this.options.calls.call(workspace, method, call);
  }
}

/** `team_id` for the methods that need it with an org-wide token (https://api.slack.com/methods/users.list). */
export function teamIdFor(auth: WorkspaceAuth, workspace: string): { team_id?: string } {
  return auth.orgWide ? { team_id: workspace } : {};
}

/** A Slack error code (`channel_not_found`) or the error class: never a message that might quote text. */
export function errorCode(err: unknown): string {
  const e = err as { data?: { error?: string }; code?: string; name?: string } | undefined;
  return e?.data?.error ?? e?.code ?? e?.name ?? "unknown";
}
