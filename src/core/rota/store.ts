/**
 * What the rota keeps in the database. Every method is keyed by workspace and room; one rota per room.
 * Rotation state is the members' queue order (see rotation.ts). No message text is ever stored: a
 * pending question is its id, room, asker and times.
 */
import type { RoomKind } from "../model.js";
import type { AwayRange } from "./schedule.js";

export type LateAnnouncement = "late" | "none";

export interface Rota {
  workspace: string;
  /** Room id (platform id). */
  room: string;
  roomName: string;
  roomKind: RoomKind;
  /** Announcement time, `HH:MM` local. */
  time: string;
  /** IANA zone. */
  zone: string;
  /** ISO weekdays, 1 = Monday. */
  days: number[];
  /** date-holidays code such as `ES` or `ES-MD`, or null for none. */
  holidays: string | null;
  paused: boolean;
  /** What to do when the bot was down at announcement time; null follows the config. */
  lateAnnouncement: LateAnnouncement | null;
  /** Who set the rota up (null for rotas older than this record); they may change it, as members may. */
  createdBy: string | null;
  updatedAt: Date;
}

/** Everything the schedule needs to know about one rota, loaded once. */
export interface RotaState {
  rota: Rota;
  /** Members in queue order. */
  queue: string[];
  away: AwayRange[];
  /** Members gone from the room, in queue order. */
  left: string[];
}

/** One day's turn: who was responder on a local date. */
export interface Turn {
  date: string;
  responder: string;
  announcedAt: Date;
  late: boolean;
  /** People who passed today's turn with `/rota skip`, in order. */
  skipped: string[];
}

/** A question from someone outside the rota, waiting for a member to answer in its thread. */
export interface PendingQuestion {
  workspace: string;
  room: string;
  /** The question's message id (the thread root). */
  messageId: string;
  asker: string;
  askedAt: Date;
  /** When today's responder is mentioned if nobody answered. */
  dueAt: Date;
  answeredAt: Date | null;
  nudgedAt: Date | null;
}

export interface RotaStore {
  getRota(workspace: string, room: string): Promise<Rota | undefined>;
  /** Every rota of every workspace. */
  listRotas(): Promise<Rota[]>;
  /** One rota with its queue, absences and departures; undefined when the room has no rota. */
  rotaState(workspace: string, room: string): Promise<RotaState | undefined>;
  /**
   * Every rota of every workspace with its queue, absences and departures, in a few queries whatever
   * their number: start-up re-arms them all.
   */
  listRotaStates(): Promise<RotaState[]>;
  /** Creates or replaces the rota's settings (not its members); counts as a change (see touchRota). */
  saveRota(rota: Rota): Promise<void>;
  /**
   * Notes that something deciding when the rota announces changed at `at` (members, absences, who left
   * the room), so replicas sharing the database re-arm it on their next sync.
   */
  touchRota(workspace: string, room: string, at: Date): Promise<void>;
  /** Rotas set up or changed at or after `since`, in every workspace: what a replica's sync re-arms. */
  rotasChangedSince(since: Date): Promise<{ workspace: string; room: string }[]>;

  /** Members in queue order: the first is next in line. */
  members(workspace: string, room: string): Promise<string[]>;
  /** Replaces the queue; members kept keep their "left the room" mark. */
  setMembers(workspace: string, room: string, queue: readonly string[]): Promise<void>;
  /** Marks a member as gone from the room; true only the first time (so the room is told once). */
  markLeft(workspace: string, room: string, member: string, at: Date): Promise<boolean>;
  /** Clears the mark when the member is back in the room. */
  markPresent(workspace: string, room: string, member: string): Promise<void>;
  leftMembers(workspace: string, room: string): Promise<string[]>;

  addAway(workspace: string, room: string, range: AwayRange): Promise<void>;
  awayRanges(workspace: string, room: string): Promise<AwayRange[]>;
  /** Ends a member's absences: ranges still running or ahead on `today` are removed. Returns how many. */
  endAway(workspace: string, room: string, member: string, today: string): Promise<number>;

  /** Records (or replaces, after a skip) the turn of a local date. */
  recordTurn(workspace: string, room: string, turn: Turn): Promise<void>;
  turnOn(workspace: string, room: string, date: string): Promise<Turn | undefined>;
  /** The most recent turns, newest first. */
  recentTurns(workspace: string, room: string, limit: number): Promise<Turn[]>;
  /** Turns per responder on dates from `fromDate` (inclusive). */
  turnCounts(workspace: string, room: string, fromDate: string): Promise<Map<string, number>>;

  /** Remembers a question; a second call for the same message changes nothing. */
  addQuestion(question: PendingQuestion): Promise<void>;
  getQuestion(workspace: string, room: string, messageId: string): Promise<PendingQuestion | undefined>;
  markAnswered(workspace: string, room: string, messageId: string, at: Date): Promise<void>;
  /** True only for the first caller: the responder is mentioned once. */
  markNudged(workspace: string, room: string, messageId: string, at: Date): Promise<boolean>;
  /** Unanswered questions not yet nudged, in every workspace: start-up re-arms their timers. */
  questionsAwaitingNudge(): Promise<PendingQuestion[]>;
  /** Unanswered questions of one room asked since `since`, oldest first (for the hand-over). */
  unansweredQuestions(workspace: string, room: string, since: Date): Promise<PendingQuestion[]>;
  /** Forgets questions asked before `before`, in every workspace (they are no longer handed over). */
  purgeQuestions(before: Date): Promise<number>;
}
