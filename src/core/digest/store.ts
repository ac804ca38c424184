/**
 * What the digests and the live report keep (src/storage/digest-store.ts, SQLite and PostgreSQL):
 * which rooms get a weekly digest and when, who asked for a personal catch-up, and per message the
 * facts the figures need. Ids, flags and times only: never a message's text.
 */
import type { RoomKind } from "../model.js";

/** A room's weekly digest: posted on `weekday` at `time` in `zone`. */
export interface RoomDigest {
  workspace: string;
  room: { id: string; name: string; kind: RoomKind };
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  /** `HH:MM`, local to `zone`. */
  time: string;
  zone: string;
  /** When it was set up or last changed (a digest is never owed for a week before that). */
  since?: Date;
}

export type Cadence = "daily" | "weekly";

/** One person's catch-up: how often, and where (a DM unless a confirmed e-mail address is set). */
export interface PersonalDigest {
  workspace: string;
  user: string;
  cadence: Cadence;
  email?: string;
  /** An address waiting for its confirmation code, and the code. */
  pending?: { email: string; code: string };
}

/** What is kept of one message from a human. */
export interface MessageFacts {
  workspace: string;
  room: { id: string; name: string; kind: RoomKind };
  id: string;
  user: string;
  at: Date;
  /** The thread's root, for a thread reply. */
  thread?: string;
  mentions: string[];
  broadcast: boolean;
  /** Reads as a question (src/core/rota/question.ts). */
  question: boolean;
  /** States a decision in words (src/core/decisions/text.ts). */
  decisionLanguage: boolean;
  /** Carries a link to a video call. */
  callLink: boolean;
}

export interface DigestStore {
  saveRoom(digest: RoomDigest, at: Date): Promise<void>;
  removeRoom(workspace: string, room: string): Promise<boolean>;
  room(workspace: string, room: string): Promise<RoomDigest | undefined>;
  rooms(): Promise<RoomDigest[]>;

  savePerson(digest: PersonalDigest, at: Date): Promise<void>;
  removePerson(workspace: string, user: string): Promise<boolean>;
  person(workspace: string, user: string): Promise<PersonalDigest | undefined>;
  people(): Promise<PersonalDigest[]>;

  /**
   * Records a message's facts; a redelivered message is recorded once. The write may come later (with
   * others, in one commit): this store's reads see it at once, `flush` makes it durable. A promise
   * only when this call writes.
   */
  recordMessage(facts: MessageFacts): Promise<void> | undefined;
  /** Writes every fact recorded so far. */
  flush(): Promise<void>;
  /** Facts of the messages in a room (or every room of the workspace) at or after `from` and before `to`, oldest first. */
  messages(workspace: string, from: Date, to: Date, room?: string): Promise<MessageFacts[]>;
  /** Deletes message facts older than `before` (retention). */
  purgeMessages(before: Date): Promise<number>;
}
