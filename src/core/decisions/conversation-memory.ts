/**
 * What the decisions feature remembers of recent conversation, in memory only and bounded: who took
 * part in each thread (a decision's participants), and the last messages of rooms where decisions
 * may be recorded, so a reaction can record the message it was put on. Nothing here is stored.
 */
import { PathLruMap } from "../lru-map.js";

export interface RememberedMessage {
  user: string;
  text: string;
  thread?: string;
}

export interface MemoryLimits {
  threads: number;
  participantsPerThread: number;
  messages: number;
}

// Enough for a busy workspace's threads of the last days; a few hundred kB at most.
export const DEFAULT_LIMITS: MemoryLimits = { threads: 2000, participantsPerThread: 50, messages: 1000 };

export class ConversationMemory {
  private readonly threads: PathLruMap<string[]>;
  private readonly messages: PathLruMap<RememberedMessage>;

  constructor(private readonly limits: MemoryLimits = DEFAULT_LIMITS) {
    this.threads = new PathLruMap(limits.threads);
    this.messages = new PathLruMap(limits.messages);
  }

  /** Notes that `user` took part in the thread rooted at `root` (a root message starts its own thread). */
  noteParticipant(workspace: string, room: string, root: string, user: string): void {
    // One lookup: the list is kept in the map and changed in place.
    const people = this.threads.getOrCreate(workspace, room, root, () => []);
    if (!people.includes(user) && people.length < this.limits.participantsPerThread) people.push(user);
  }

  /** People who took part in the thread, in order of first appearance. */
  participants(workspace: string, room: string, root: string): string[] {
    return [...(this.threads.get(workspace, room, root) ?? [])];
  }

  rememberMessage(workspace: string, room: string, id: string, message: RememberedMessage): void {
    this.messages.set(workspace, room, id, message);
  }

  message(workspace: string, room: string, id: string): RememberedMessage | undefined {
    return this.messages.get(workspace, room, id);
  }

  get size(): { threads: number; messages: number } {
    return { threads: this.threads.size, messages: this.messages.size };
  }
}
