/**
 * The core's Directory on Matrix: display names from room state (or the profile API), members from
 * room state, time zones from the config default (Matrix profiles carry none), matrix.to permalinks.
 */
import type { Room, User } from "../../core/model.js";
import type { Directory } from "../../core/ports.js";
import type { RoomRegistry } from "./rooms.js";

const USER_ID = /^@[^:\s]+:\S+$/;

export interface ProfileSource {
  /** The user's global display name, if the homeserver has one. */
  displayName(userId: string): Promise<string | undefined>;
}

export class MatrixDirectory implements Directory {
  private readonly profiles = new Map<string, string | undefined>();

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly botUserId: string,
    private readonly defaultTimezone: string,
    private readonly profileSource: ProfileSource,
  ) {}

  async user(workspace: string, id: string): Promise<User> {
    return {
      workspace,
      id,
      displayName: await this.displayName(id),
      tz: this.defaultTimezone,
      bot: id === this.botUserId,
    };
  }

  /** The name people see: a room display name, else the profile's, else the localpart. */
  async displayName(id: string): Promise<string> {
    const fromRoom = this.rooms.displayName(id);
    if (fromRoom) return fromRoom;
    if (!this.profiles.has(id)) {
      this.profiles.set(id, await this.profileSource.displayName(id).catch(() => undefined));
    }
    return this.profiles.get(id) ?? id.slice(1).split(":")[0] ?? id;
  }

  async roomMembers(_workspace: string, room: Room): Promise<string[]> {
    await this.rooms.ensureLoaded(room.id);
    return this.rooms.joined(room.id).filter((id) => id !== this.botUserId);
  }

  async findUser(_workspace: string, nameOrId: string): Promise<string | undefined> {
    const wanted = nameOrId.trim();
    if (USER_ID.test(wanted)) return wanted;
    const name = wanted.replace(/^@/, "").toLowerCase();
    if (!name) return undefined;
    for (const [id, displayName] of this.rooms.people()) {
      const localpart = id.slice(1).split(":")[0]?.toLowerCase();
      if (localpart === name || displayName?.toLowerCase() === name) return id;
    }
    return undefined;
  }

  async isRoomAdmin(_workspace: string, room: Room, user: string): Promise<boolean> {
    await this.rooms.ensureLoaded(room.id);
    return this.rooms.isAdmin(room.id, user);
  }

  async permalink(_workspace: string, room: Room, messageId: string): Promise<string | undefined> {
    return `https://matrix.to/#/${encodeURI(room.id)}/${encodeURI(messageId)}`;
  }
}
