/** Narrow capabilities the core asks of its surroundings. */
import type { Action } from "./actions.js";
import type { Room, User } from "./model.js";

/** The time source. Live mode reads the wall clock; replay and tests move a virtual one. */
export interface Clock {
  now(): Date;
}

/** Carries out actions on a platform (Slack, Matrix, the terminal, the replay's stdout). */
export interface ActionSink {
  deliver(action: Action): Promise<void>;
  /** At stop, once the features stopped: carries out what is still queued (paced posts, topic updates). */
  drain?(): Promise<void>;
}

/** What kind of thing stopped an action: each needs a person to fix it, not a retry. */
export type DeliveryProblemKind =
  /** The bot is not in the room (never invited, or removed). */
  | "not-in-room"
  | "room-archived"
  /** The install lacks a permission the action needs. */
  | "missing-permission"
  /** The workspace does not allow or offer the feature (e.g. user groups on a free plan). */
  | "feature-unavailable";

/**
 * An action the platform refused for a reason only a person can fix. The adapter says why and what
 * to do in the platform's own words (`reason`, `fix`); the feature that acted decides whom to tell.
 */
export interface DeliveryProblem {
  action: Action;
  kind: DeliveryProblemKind;
  /** Why, for a person: "I am not a member of #payments". */
  reason: string;
  /** What to do about it: "Invite me there with `/invite @outloud`." */
  fix: string;
}

/** Looks up people and rooms the core is told about only by id. */
export interface Directory {
  user(workspace: string, id: string): Promise<User>;
  /** Current human members of a room (bots excluded), as far as the platform tells us. */
  roomMembers(workspace: string, room: Room): Promise<string[]>;
  /** Resolves `@name` or an id typed in a command to a user id, if such a person is known. */
  findUser(workspace: string, nameOrId: string): Promise<string | undefined>;
  /** A link back to a message (a Slack permalink, a matrix.to link), when the platform has one. */
  permalink(workspace: string, room: Room, messageId: string): Promise<string | undefined>;
  /**
   * Is the bot still installed in `workspace`? Absent where it always is (one workspace, one
   * homeserver). Scheduled work for a workspace that removed the bot is skipped, not failed every day.
   */
  installedIn?(workspace: string): Promise<boolean>;
  /** Is this person an admin or owner of the workspace? Absent where the platform has no such role. */
  isWorkspaceAdmin?(workspace: string, user: string): Promise<boolean>;
}
