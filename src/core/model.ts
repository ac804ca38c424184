/**
 * The platform-neutral chat model. Adapters (Slack, Matrix, the local playground and replay)
 * translate their payloads into these shapes; nothing here knows which platform it came from.
 */

/** public: anyone in the workspace can read; private: invited members only; dm / group-dm: direct conversations. */
export type RoomKind = "public" | "private" | "dm" | "group-dm";

export interface Workspace {
  /** Stable id: a Slack team id, a Matrix homeserver name, or "local". */
  id: string;
  name?: string;
}

export interface Room {
  workspace: string;
  /** Platform id: a Slack channel id, a Matrix room id, or the replay name (`#team`, `~ops`, `dm:alice,bob`). */
  id: string;
  /** Human name without sigil, e.g. `team-payments`. */
  name: string;
  kind: RoomKind;
}

export interface User {
  workspace: string;
  id: string;
  displayName: string;
  /** IANA time zone, e.g. `Europe/Madrid`. */
  tz: string;
  bot: boolean;
}

/** A whole-room mention: Slack `@channel`/`@here`, Matrix `@room`. */
export type BroadcastMention = "channel" | "here" | "room";

export interface ChatMessage {
  workspace: string;
  id: string;
  room: Room;
  /** Id of the thread's root message when this is a thread reply. */
  thread?: string;
  /** Author user id. */
  user: string;
  text: string;
  /** User ids mentioned in the message. */
  mentions: string[];
  broadcast?: BroadcastMention;
  at: Date;
  /** True for messages from bots (including ours) and Matrix `m.notice`; features ignore them. */
  fromBot?: boolean;
}

export interface Reaction {
  workspace: string;
  room: Room;
  user: string;
  /** The message reacted to. */
  target: string;
  /** Emoji name without colons (`decision`, `+1`) or the Matrix reaction key. */
  emoji: string;
  at: Date;
}

/** A command typed by a user: `/rota who` on Slack, `!rota who` on Matrix, either in replay. */
export interface CommandInvocation {
  workspace: string;
  room: Room;
  thread?: string;
  user: string;
  /** The whole command line without its prefix, e.g. `rota setup @alice @bob at 09:30`. */
  text: string;
  /**
   * The prefix as the person typed it (`/`, `!`), kept for the record. Replies spell commands the
   * platform's way instead (CoreServices.commands), so the prefix is carried in one place.
   */
  prefix?: string;
  /** The platform can answer with a form to fill in right now (Slack: the request carries a trigger). */
  canOpenForm?: boolean;
  at: Date;
}

/** Everything the core reacts to. */
export type ChatEvent =
  | { type: "message"; message: ChatMessage }
  | { type: "reaction"; reaction: Reaction }
  | { type: "command"; command: CommandInvocation }
  | { type: "member-joined"; workspace: string; room: Room; user: string; at: Date }
  | { type: "member-left"; workspace: string; room: Room; user: string; at: Date }
  /** Someone asked to record a message as a decision (Slack's "Record as decision" message shortcut). */
  | {
      type: "record-decision";
      workspace: string;
      room: Room;
      user: string;
      message: QuotedMessage;
      /** The platform can show a form prefilled from the message first (see CommandInvocation). */
      canOpenForm?: boolean;
      at: Date;
    };

/** A message as a platform hands it over with a request about it (the platform knows its text). */
export interface QuotedMessage {
  id: string;
  /** The message's author. */
  user: string;
  text: string;
  /** The root of the thread the message is in, if it is a reply. */
  thread?: string;
}

export function isPrivateRoom(room: Room): boolean {
  return room.kind !== "public";
}

export function isDirect(room: Room): boolean {
  return room.kind === "dm" || room.kind === "group-dm";
}

/**
 * How a room is named in a message: `#name` for a public room, `🔒name` for a private one (as Slack
 * itself shows private channels), so a private room never reads like a public one.
 */
export function roomLabel(room: { name: string; kind?: RoomKind; private?: boolean }): string {
  const isPrivate = room.private === true || (room.kind !== undefined && room.kind !== "public");
  return `${isPrivate ? "🔒" : "#"}${room.name}`;
}
