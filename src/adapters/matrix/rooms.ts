/**
 * What the bot knows about its rooms, built from sync state (and a one-time state fetch for a room
 * first seen after a restart): names, join rules, encryption, members, and which rooms are DMs.
 * A room is a DM when `m.direct` lists it, when its invite said `is_direct`, or when it has exactly
 * two members (the bot and one person).
 */
import type { Room, RoomKind } from "../../core/model.js";
import type { DirectMap, MatrixRawEvent } from "./events.js";

interface Member {
  membership: string;
  displayName?: string;
}

interface RoomState {
  name?: string;
  alias?: string;
  joinRule?: string;
  encrypted: boolean;
  topic?: string;
  members: Map<string, Member>;
  /** `m.room.create`'s creator: with no `m.room.power_levels` yet, the only one with power (100). */
  creator?: string;
  powerLevels?: PowerLevels;
}

/** The parts of `m.room.power_levels` that say who may change the room's state. */
interface PowerLevels {
  users: Record<string, number>;
  usersDefault: number;
  stateDefault: number;
}

/** Loads a room's full current state (GET /rooms/{id}/state). */
export type StateLoader = (roomId: string) => Promise<MatrixRawEvent[]>;

export class RoomRegistry {
  private readonly rooms = new Map<string, RoomState>();
  private direct = new Set<string>();
  private directByUser: DirectMap = {};

  constructor(
    private readonly workspace: string,
    private readonly botUserId: string,
    private readonly loadState: StateLoader,
  ) {}

  /** Replaces what `m.direct` says (the bot's account data). */
  setDirectMap(map: DirectMap): void {
    this.directByUser = map;
    const invited = [...this.direct].filter((r) => !Object.values(map).some((rooms) => rooms.includes(r)));
    this.direct = new Set([...invited, ...Object.values(map).flat()]);
  }

  /** Marks a room as a DM (its invite carried `is_direct`). */
  markDirect(roomId: string): void {
    this.direct.add(roomId);
  }

  isKnown(roomId: string): boolean {
    return this.rooms.has(roomId);
  }

  /** Fetches the room's state unless sync already told us about it. */
  async ensureLoaded(roomId: string): Promise<void> {
    if (this.rooms.has(roomId)) return;
    const events = await this.loadState(roomId);
    this.apply(roomId, events);
  }

  forget(roomId: string): void {
    this.rooms.delete(roomId);
  }

  /** Forgets every room's state (kept DM marks): it may be stale after a spell without syncing. */
  forgetAll(): void {
    this.rooms.clear();
  }

  /** Applies state events in order (from a sync's `state` block or its timeline). */
  apply(roomId: string, events: readonly MatrixRawEvent[]): void {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { encrypted: false, members: new Map() };
      this.rooms.set(roomId, room);
    }
    for (const e of events) {
      if (e.state_key === undefined) continue;
      const c = e.content;
      switch (e.type) {
        case "m.room.name":
          room.name = typeof c.name === "string" && c.name ? c.name : undefined;
          break;
        case "m.room.canonical_alias":
          room.alias = typeof c.alias === "string" ? c.alias : undefined;
          break;
        case "m.room.join_rules":
          room.joinRule = typeof c.join_rule === "string" ? c.join_rule : undefined;
          break;
        case "m.room.encryption":
          room.encrypted = true;
          break;
        case "m.room.topic":
          room.topic = typeof c.topic === "string" ? c.topic : undefined;
          break;
        case "m.room.create":
          room.creator = typeof c.creator === "string" ? c.creator : e.sender;
          break;
        case "m.room.power_levels":
          room.powerLevels = powerLevels(c);
          break;
        case "m.room.member":
          room.members.set(e.state_key, {
            membership: typeof c.membership === "string" ? c.membership : "leave",
            displayName: typeof c.displayname === "string" ? c.displayname : undefined,
          });
          break;
      }
    }
  }

  /**
   * Can this person change the room's state, as its admins and moderators can? Their power level
   * (`users`, else `users_default`) must reach `state_default`, and at least 50 (moderator) so that
   * a room that lets everyone edit state does not make everyone an admin. Without a power-levels
   * event the creator has 100 and everyone else 0.
   * https://spec.matrix.org/v1.11/client-server-api/#mroompower_levels
   */
  isAdmin(roomId: string, userId: string): boolean {
    const room = this.rooms.get(roomId);
    if (!room) return false;
    const levels = room.powerLevels;
    if (!levels) return room.creator === userId;
    const level = levels.users[userId] ?? levels.usersDefault;
    return level >= Math.max(levels.stateDefault, 50);
  }

  membership(roomId: string, userId: string): string | undefined {
    return this.rooms.get(roomId)?.members.get(userId)?.membership;
  }

  /** Joined members, the bot included. */
  joined(roomId: string): string[] {
    const room = this.rooms.get(roomId);
    if (!room) return [];
    return [...room.members.entries()].filter(([, m]) => m.membership === "join").map(([id]) => id);
  }

  isEncrypted(roomId: string): boolean {
    return this.rooms.get(roomId)?.encrypted ?? false;
  }

  kind(roomId: string): RoomKind {
    const members = this.joined(roomId).length;
    if (this.direct.has(roomId)) return members > 2 ? "group-dm" : "dm";
    if (members === 2 && this.joined(roomId).includes(this.botUserId)) return "dm";
    return this.rooms.get(roomId)?.joinRule === "public" ? "public" : "private";
  }

  room(roomId: string): Room {
    const state = this.rooms.get(roomId);
    const name = state?.name ?? state?.alias?.replace(/^#/, "").split(":")[0] ?? roomId;
    return { workspace: this.workspace, id: roomId, name, kind: this.kind(roomId) };
  }

  /** A display name for `userId` from any room we share, if someone set one. */
  displayName(userId: string): string | undefined {
    for (const room of this.rooms.values()) {
      const name = room.members.get(userId)?.displayName;
      if (name) return name;
    }
    return undefined;
  }

  /** Every person we know from room state, with their display name. */
  people(): Map<string, string | undefined> {
    const out = new Map<string, string | undefined>();
    for (const room of this.rooms.values())
      for (const [id, m] of room.members) if (!out.get(id)) out.set(id, m.displayName);
    return out;
  }

  /** The rooms `m.direct` lists as DMs with `userId`, newest last (their state may not be loaded yet). */
  directRoomsWith(userId: string): string[] {
    return [...(this.directByUser[userId] ?? [])];
  }

  /** True when exactly the bot and `userId` have joined the room: the person's own DM with the bot. */
  isDmWith(roomId: string, userId: string): boolean {
    const joined = this.joined(roomId);
    return joined.length === 2 && joined.includes(this.botUserId) && joined.includes(userId);
  }

  /** What people call the room: its name, else its canonical alias (`#team:example.org`), if any. */
  title(roomId: string): string | undefined {
    const state = this.rooms.get(roomId);
    return state?.name ?? state?.alias;
  }
}

/** Reads `m.room.power_levels`, with the spec's defaults for missing keys (state_default 50, users_default 0). */
function powerLevels(c: Record<string, unknown>): PowerLevels {
  const level = (v: unknown, fallback: number) =>
    typeof v === "number" && Number.isFinite(v) ? v : fallback;
  const users: Record<string, number> = {};
  if (c.users && typeof c.users === "object")
    for (const [id, v] of Object.entries(c.users)) if (typeof v === "number") users[id] = v;
  return { users, usersDefault: level(c.users_default, 0), stateDefault: level(c.state_default, 50) };
}
