/**
 * The directory of the local platform: people and rooms as a scenario declares them. An undeclared
 * user is a human in the default time zone; a room's members are those declared, else those who spoke
 * there or were named in a command there (as in a chat room, where you name people who are in it).
 */
import type { Room, User } from "../../core/model.js";
import type { Directory } from "../../core/ports.js";
import { dmMembers } from "./rooms.js";

/** The people and rooms a directory learned, as plain data. */
export interface DirectorySnapshot {
  users: { id: string; name: string; tz: string; bot: boolean }[];
  members: Record<string, string[]>;
  speakers: Record<string, string[]>;
  topics: Record<string, string>;
}

/** The bot's own user on the local platform (the playground and the replay). */
export const LOCAL_BOT_USER = "outloud";

export class LocalDirectory implements Directory {
  private readonly users = new Map<string, User>();
  private readonly declaredMembers = new Map<string, string[]>();
  private readonly speakers = new Map<string, Set<string>>();
  private readonly topics = new Map<string, string>();

  /**
   * @param anyoneExists In the playground every `@name` you type is a person (there is no user list to
   * check against); the replay only knows people its scenario declared or heard from.
   */
  constructor(
    private readonly workspace: string,
    private readonly defaultTz = "UTC",
    private readonly anyoneExists = false,
  ) {
    // The bot itself, as people mention it locally (`@outloud rota help`): a bot, never a person.
    this.declareUser(LOCAL_BOT_USER, { name: "Outloud", bot: true });
  }

  declareUser(id: string, fields: { name?: string; tz?: string; bot?: boolean }): void {
    const current = this.users.get(id);
    this.users.set(id, {
      workspace: this.workspace,
      id,
      displayName: fields.name ?? current?.displayName ?? id,
      tz: fields.tz ?? current?.tz ?? this.defaultTz,
      bot: fields.bot ?? current?.bot ?? false,
    });
  }

  declareRoom(room: Room, fields: { members?: string[]; topic?: string }): void {
    if (fields.members) this.declaredMembers.set(room.id, [...fields.members]);
    if (fields.topic !== undefined) this.topics.set(room.id, fields.topic);
  }

  /** Remembers who spoke in a room: they are its members unless the scenario declared others. */
  noteSpeaker(room: Room, user: string): void {
    let set = this.speakers.get(room.id);
    if (!set) {
      set = new Set();
      this.speakers.set(room.id, set);
    }
    set.add(user);
  }

  /**
   * Someone a command in the room named (`/rota setup @ana @bob`): a person known to the directory
   * counts as a member, like a speaker, unless the room's members were declared.
   */
  noteNamed(room: Room, name: string): void {
    const id = this.knownId(name);
    if (id) this.noteSpeaker(room, id);
  }

  memberJoined(room: Room, user: string): void {
    const declared = this.declaredMembers.get(room.id);
    if (declared && !declared.includes(user)) declared.push(user);
    this.noteSpeaker(room, user);
  }

  memberLeft(room: Room, user: string): void {
    const declared = this.declaredMembers.get(room.id);
    if (declared)
      this.declaredMembers.set(
        room.id,
        declared.filter((u) => u !== user),
      );
    this.speakers.get(room.id)?.delete(user);
  }

  /** What the directory learned, for the playground to keep between sessions. */
  snapshot(): DirectorySnapshot {
    return {
      users: [...this.users.values()].map(({ id, displayName, tz, bot }) => ({
        id,
        name: displayName,
        tz,
        bot,
      })),
      members: Object.fromEntries(this.declaredMembers),
      speakers: Object.fromEntries([...this.speakers].map(([room, set]) => [room, [...set]])),
      topics: Object.fromEntries(this.topics),
    };
  }

  restore(snapshot: DirectorySnapshot): void {
    for (const u of snapshot.users) this.declareUser(u.id, u);
    for (const [room, members] of Object.entries(snapshot.members)) this.declaredMembers.set(room, members);
    for (const [room, people] of Object.entries(snapshot.speakers)) this.speakers.set(room, new Set(people));
    for (const [room, topic] of Object.entries(snapshot.topics)) this.topics.set(room, topic);
  }

  isBot(id: string): boolean {
    return this.users.get(id)?.bot ?? false;
  }

  topic(roomId: string): string | undefined {
    return this.topics.get(roomId);
  }

  setTopic(roomId: string, topic: string): void {
    this.topics.set(roomId, topic);
  }

  async user(_workspace: string, id: string): Promise<User> {
    return (
      this.users.get(id) ?? { workspace: this.workspace, id, displayName: id, tz: this.defaultTz, bot: false }
    );
  }

  async roomMembers(_workspace: string, room: Room): Promise<string[]> {
    const members =
      this.declaredMembers.get(room.id) ??
      (dmMembers(room).length ? dmMembers(room) : [...(this.speakers.get(room.id) ?? [])]);
    return members.filter((m) => !this.isBot(m));
  }

  async findUser(_workspace: string, nameOrId: string): Promise<string | undefined> {
    return this.knownId(nameOrId);
  }

  private knownId(nameOrId: string): string | undefined {
    const wanted = nameOrId.replace(/^@/, "");
    if (this.users.has(wanted)) return wanted;
    const lower = wanted.toLowerCase();
    for (const u of this.users.values()) if (u.displayName.toLowerCase() === lower) return u.id;
    for (const set of this.speakers.values()) if (set.has(wanted)) return wanted;
    for (const members of this.declaredMembers.values()) if (members.includes(wanted)) return wanted;
    return this.anyoneExists && /^[\w.|-]+$/.test(wanted) ? wanted : undefined;
  }

  async permalink(_workspace: string, room: Room, messageId: string): Promise<string | undefined> {
    return `outloud://local/${encodeURIComponent(room.id)}/${encodeURIComponent(messageId)}`;
  }
}
