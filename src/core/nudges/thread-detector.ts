/**
 * The pure detector behind the channel → thread nudge: feed it a room's messages outside threads, in
 * order; it answers with the people to mention when two of them are in a back-and-forth worth a thread.
 */
import {
  ConversationTracker,
  DEFAULT_TRACKER_OPTIONS,
  type PairExchange,
  type TrackedMessage,
  type TrackerOptions,
} from "./conversation-tracker.js";

export interface ThreadDetectorSettings {
  /** Messages the two people address to each other within the window. */
  minMessages: number;
  /** Of those, how many must pass between the two themselves when the rest are a second helper's
   *  words with the one they both answer (see `conversation`). */
  minOwn: number;
  /** Minutes that count as one exchange. */
  windowMinutes: number;
  /** Each of the two must have written at least this many of them: a back-and-forth, not a monologue. */
  minEach: number;
  /** Of those, at least this many must name the other person (a mention or their name in the text). */
  minNamed: number;
  /** Minutes before the same pair may be told again in the same room. */
  repeatAfterMinutes: number;
  trigger: "named" | "reply" | "any";
  /** Times the word passes from one to the other: a back-and-forth, not two monologues. */
  minTurns: number;
  tracker?: Partial<TrackerOptions>;
}

const TRIGGERS = {
  named: ["named"],
  reply: ["named", "reply"],
  any: ["named", "reply", "late-reply", "continued"],
} as const;

export const DEFAULT_THREAD_DETECTOR: ThreadDetectorSettings = {
  minMessages: 6,
  minOwn: 4,
  windowMinutes: 15,
  minEach: 2,
  minNamed: 1,
  repeatAfterMinutes: 60,
  trigger: "reply",
  minTurns: 3,
};

const MAX_SUGGESTED = 200;

export class ThreadDetector {
  private readonly tracker: ConversationTracker;
  private readonly suggested = new Map<string, number>();

  constructor(private readonly settings: ThreadDetectorSettings = DEFAULT_THREAD_DETECTOR) {
    this.tracker = new ConversationTracker({
      ...DEFAULT_TRACKER_OPTIONS,
      windowMs: settings.windowMinutes * 60_000,
      ...(settings.tracker ?? {}),
    });
  }

  /** Observes one message; returns the people to invite into a thread, at most once per exchange. */
  observe(message: TrackedMessage): string[] | undefined {
    const { exchange } = this.tracker.observe(message);
    if (!exchange) return undefined;
    const s = this.settings;
    const { people } = exchange;
    const now = message.at.getTime();
    const events = this.conversation(exchange, now);
    if (events.length < s.minMessages) return undefined;
    // Counted in one pass, without a filtered copy for each count.
    let byFirst = 0;
    let bySecond = 0;
    let named = 0;
    for (const e of events) {
      if (e.author === people[0]) byFirst++;
      if (e.author === people[1]) bySecond++;
      if (e.how === "named") named++;
    }
    if (byFirst < s.minEach || bySecond < s.minEach) return undefined;
    if (named < s.minNamed) return undefined;
    if (turnChanges(events) < s.minTurns) return undefined;
    // Speak on a message that names the other person or answers them: a message that merely follows
    // the author's earlier ones is where attribution by turn-taking is most often wrong.
    const trigger = exchange.events[exchange.events.length - 1]!.how;
    if (!(TRIGGERS[s.trigger] as readonly string[]).includes(trigger)) return undefined;
    const key = people.join("\u0000");
    const last = this.suggested.get(key);
    if (last !== undefined && now - last < s.repeatAfterMinutes * 60_000) return undefined;
    this.suggested.delete(key);
    this.suggested.set(key, now);
    while (this.suggested.size > MAX_SUGGESTED)
      this.suggested.delete(this.suggested.keys().next().value as string);
    return [...people];
  }

  /**
   * The pair's exchange, or the talk it is part of: someone who asks the room often gets answers
   * from two people at once, and answers both. Then the other helper's words with the asker count
   * too, provided the asker's question is among them (an open message answered by name) and
   * neither helper came with a question of their own: a helper who answers two askers is in two
   * conversations, not one.
   */
  private conversation(exchange: PairExchange, now: number): readonly Event[] {
    const { events, people } = exchange;
    const s = this.settings;
    if (events.length >= s.minMessages || events.length < s.minOwn) return events;
    let talk: readonly Event[] = events;
    for (const asker of people) {
      const helper = asker === people[0] ? people[1] : people[0];
      if (asked(events, helper)) continue;
      for (const { other, events: more } of this.tracker.exchangesOf(asker, helper, now))
        if (!asked(more, other) && (asked(events, asker) || asked(more, asker))) talk = [...talk, ...more];
    }
    return talk === events ? events : [...talk].sort((a, b) => a.at - b.at);
  }

  /** The suggestion for `people` was not posted (everyone had had enough nudges): nobody was told,
   *  so a later message of their exchange may suggest it again. */
  notPosted(people: readonly string[]): void {
    this.suggested.delete(people.join("\u0000"));
  }

  get size(): { people: number; pairs: number; suggested: number } {
    return { ...this.tracker.size, suggested: this.suggested.size };
  }
}

type Event = PairExchange["events"][number];

/** True when `who` wrote an open message that the other answered by name: they came with a question. */
function asked(events: readonly Event[], who: string): boolean {
  return events.some((e) => e.how === "answered" && e.author === who);
}

/** How often the author changes along the exchange, in time order. */
export function turnChanges(events: readonly { at: number; author: string }[]): number {
  // Nearly always in order already (only answered questions come in late): then no copy to sort.
  let inOrder = true;
  for (let i = 1; i < events.length && inOrder; i++) inOrder = events[i]!.at >= events[i - 1]!.at;
  const sorted = inOrder ? events : [...events].sort((a, b) => a.at - b.at);
  let changes = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.author !== sorted[i - 1]!.author) changes++;
  return changes;
}
