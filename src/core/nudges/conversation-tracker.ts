/**
 * Follows who is talking to whom in one room, outside threads, with bounded memory. The
 * channel → thread nudge asks it which pair of people is in a back-and-forth.
 *
 * Each message is attributed to an addressee, in order of evidence:
 *   1. an explicit mention of someone who spoke recently;
 *   2. a recent speaker's name in the text: as its owner writes it anywhere ("thanks Bob2"), spelt
 *      otherwise only where people address someone ("bob2: …", "xabul, …"), see `nameIn`;
 *   3. turn-taking: the person who last spoke to the author, or the author's own last addressee,
 *      whichever is more recent, when that was only a few minutes ago. An answer within a minute is
 *      a "reply"; a later one a "late-reply", which counts but is less sure.
 * A message to nobody, or one only taken to continue the author's last exchange (often a new
 * question), stays open: the first other person to answer it by name takes it into their exchange.
 * State is pruned by time and capped by size, so it never grows with the length of the history.
 */

export interface TrackedMessage {
  id: string;
  user: string;
  text: string;
  /** User ids mentioned explicitly. */
  mentions: readonly string[];
  at: Date;
}

export interface TrackerOptions {
  /** How far back a pair's exchange counts (the "within 15 minutes"). */
  windowMs: number;
  /** How long a reply without a name still counts as answering the last person who spoke to you. */
  turnTakingMs: number;
  /** Speakers remembered for name matching. */
  rosterMs: number;
  /** How soon an answer without a name must follow the other's words to be read as one with confidence
   *  ("reply"); a later one ("late-reply") still counts towards the exchange. */
  promptMs: number;
  /** Shortest word taken as an abbreviation of a name ("jo" is too short to mean "johnny"). */
  minAbbreviation: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  windowMs: 15 * 60_000,
  turnTakingMs: 4 * 60_000,
  promptMs: 60_000,
  rosterMs: 60 * 60_000,
  minAbbreviation: 3,
};

/** Caps that bound memory whatever the traffic: people remembered, and pairs followed, per room. */
const MAX_ROSTER = 300;
const MAX_PAIRS = 200;
const MAX_PAIR_EVENTS = 64;
const MAX_UNANSWERED = 3;

/** A recent speaker: when they last spoke, and their name as `nickKey` gives it (kept, not re-derived per word). */
interface Speaker {
  seen: number;
  nick: string;
}

interface Open {
  at: number;
  /** Whom the message was taken to continue talking to, if anyone. */
  to?: string;
}

interface Link {
  to: string;
  at: number;
}

/** One message between the two people of a pair. */
interface PairEvent {
  at: number;
  author: string;
  /** How the addressee was found: named (mention or name in the text), reply or late-reply (answers
   *  the last person who spoke to the author, within a minute or later), continued (the author goes on
   *  talking to their last addressee), or answered (an open message the other answered by name). */
  how: Attribution;
}

/** A pair's exchange: the two people (sorted, as in its key) and their messages to each other. */
interface Pair {
  first: string;
  second: string;
  events: PairEvent[];
}

export type Attribution = "named" | "reply" | "late-reply" | "continued" | "answered";

export interface PairExchange {
  /** The two people, sorted. */
  people: [string, string];
  /** Their messages to each other within the window, oldest first; the tracker's own list, valid until the next message. */
  events: readonly PairEvent[];
}

export class ConversationTracker {
  private readonly roster = new Map<string, Speaker>(); // user → last time they spoke (insertion = recency)
  private readonly lowerToUser = new Map<string, string>();
  private readonly lastSpokenTo = new Map<string, Link>(); // user → who last addressed them
  private readonly lastAddressee = new Map<string, Link>(); // user → whom they last addressed
  private readonly pairs = new Map<string, Pair>();
  // user → their recent messages that nobody answered by name yet: sent to nobody, or only taken to
  // continue their last exchange (`to`), which a new question often is not
  private readonly unanswered = new Map<string, Open[]>();
  /**
   * Remembered speakers by parts of their name, so that `abbreviated` looks at a few of them instead
   * of everyone for every word: by the first `minAbbreviation` letters (a name a word starts), and by
   * the first two and the last two (two names of four letters or more one edit apart share one of them).
   */
  private readonly byStart = new Map<string, Set<string>>();
  private readonly byFirstTwo = new Map<string, Set<string>>();
  private readonly byLastTwo = new Map<string, Set<string>>();

  constructor(private readonly options: TrackerOptions = DEFAULT_TRACKER_OPTIONS) {}

  /** Records a message; returns whom it was addressed to and the pair's exchange so far, if any. */
  observe(message: TrackedMessage): { addressee?: string; exchange?: PairExchange } {
    const now = message.at.getTime();
    const author = message.user;
    this.prune(now);
    const named = this.namedAddressee(message, now);
    const turn = named ? undefined : this.turnTakingAddressee(author, now);
    const addressee = named ?? turn?.to;
    const how: Attribution = named ? "named" : (turn?.how ?? "continued");
    this.remember(author, now);
    if (!addressee || how === "continued") {
      // A message to nobody in particular is often a question: the first person to answer it by name
      // takes it into their exchange with the author.
      let open = this.unanswered.get(author);
      if (open) filterInPlace(open, (o) => now - o.at <= this.options.turnTakingMs);
      else {
        open = [];
        this.unanswered.set(author, open);
      }
      open.push({ at: now, to: addressee });
      if (open.length > MAX_UNANSWERED) open.splice(0, open.length - MAX_UNANSWERED);
      if (!addressee) return {};
    }
    const answered = named ? this.takeUnanswered(addressee, author, now) : [];
    this.lastSpokenTo.set(addressee, { to: author, at: now });
    this.lastAddressee.set(author, { to: addressee, at: now });
    const key = pairKey(author, addressee);
    let pair = this.pairs.get(key);
    if (pair) {
      this.pairs.delete(key); // re-insert: Map order doubles as least-recently-used order
      filterInPlace(pair.events, (e) => now - e.at <= this.options.windowMs);
    } else
      pair =
        author < addressee
          ? { first: author, second: addressee, events: [] }
          : { first: addressee, second: author, events: [] };
    const { events } = pair;
    for (const at of answered) events.push({ at, author: addressee, how: "answered" });
    events.push({ at: now, author, how });
    if (events.length > MAX_PAIR_EVENTS) events.shift();
    this.pairs.set(key, pair);
    while (this.pairs.size > MAX_PAIRS) this.pairs.delete(this.pairs.keys().next().value as string);
    return { addressee, exchange: { people: [pair.first, pair.second], events } };
  }

  /** `user`'s exchanges with everyone but `except` within the window at `now`, oldest message first. */
  exchangesOf(user: string, except: string, now: number): { other: string; events: readonly PairEvent[] }[] {
    const out: { other: string; events: readonly PairEvent[] }[] = [];
    // Every pair of the room is looked at: the two people are kept with the pair, not split from its key.
    for (const { first, second, events } of this.pairs.values()) {
      const other = first === user ? second : second === user ? first : undefined;
      if (other === undefined || other === except) continue;
      const fresh = events.filter((e) => now - e.at <= this.options.windowMs);
      if (fresh.length > 0) out.push({ other, events: fresh });
    }
    return out;
  }

  /** How many people and pairs are remembered (for tests of the memory bound). */
  get size(): { people: number; pairs: number } {
    return { people: this.roster.size, pairs: this.pairs.size };
  }

  private namedAddressee(message: TrackedMessage, now: number): string | undefined {
    for (const m of message.mentions) if (m !== message.user && this.isRecent(m, now)) return m;
    for (const { word, place } of nameCandidates(message.text)) {
      const user = this.nameIn(word, place, message.user, now);
      if (user && user !== message.user && this.isRecent(user, now)) return user;
    }
    return undefined;
  }

  /**
   * Whom `word` names, judged by where it stands. A name as its owner writes it counts anywhere; one
   * spelt otherwise only where people address someone, since inside a sentence such words are mostly
   * ordinary ones ("the" is no shortening of "theCarpenter", nor "ubuntu" of "ubuntu_"): another case
   * at the start or the end, without its decoration at the start, shortened or misspelt only as an
   * address ("xabul: …").
   */
  private nameIn(word: string, place: NamePlace, author: string, now: number): string | undefined {
    if (this.roster.has(word)) return word;
    if (place === "inside") return undefined;
    const lower = word.toLowerCase();
    const user = this.lowerToUser.get(lower);
    if (user !== undefined && user.toLowerCase() === lower) return user;
    if (place === "last") return undefined;
    const key = nickKey(word);
    return (
      this.lowerToUser.get(key) ?? (place === "address" ? this.abbreviated(key, author, now) : undefined)
    );
  }

  /** People shorten and misspell names ("xabul" for "xabbu|"): a unique recent speaker whose name
   *  starts with the word (`key`, as `nickKey` gives it), or is one letter away from it, is taken to be meant. */
  private abbreviated(key: string, author: string, now: number): string | undefined {
    const min = this.options.minAbbreviation;
    if (key.length < min) return undefined;
    const edits = key.length >= 5;
    let found: string | undefined;
    for (const candidates of [
      this.byStart.get(key.slice(0, min)),
      edits ? this.byFirstTwo.get(key.slice(0, 2)) : undefined,
      edits ? this.byLastTwo.get(key.slice(-2)) : undefined,
    ]) {
      if (!candidates) continue;
      for (const user of candidates) {
        if (user === author || user === found) continue;
        const speaker = this.roster.get(user)!;
        if (now - speaker.seen > this.options.rosterMs) continue;
        if (speaker.nick.startsWith(key) || (edits && withinOneEdit(speaker.nick, key))) {
          if (found) return undefined; // ambiguous
          found = user;
        }
      }
    }
    return found;
  }

  private turnTakingAddressee(author: string, now: number): { to: string; how: Attribution } | undefined {
    const spokenTo = this.fresh(this.lastSpokenTo.get(author), now);
    const own = this.fresh(this.lastAddressee.get(author), now);
    if (spokenTo && (!own || spokenTo.at >= own.at))
      return { to: spokenTo.to, how: now - spokenTo.at <= this.options.promptMs ? "reply" : "late-reply" };
    return own ? { to: own.to, how: "continued" } : undefined;
  }

  /** The link if made within the turn-taking time before `now`. */
  private fresh(link: Link | undefined, now: number): Link | undefined {
    return link && now - link.at <= this.options.turnTakingMs ? link : undefined;
  }

  /** `user`'s open messages that `answerer` now answers by name (not those already in their exchange). */
  private takeUnanswered(user: string, answerer: string, now: number): number[] {
    const open = this.unanswered.get(user);
    if (!open) return [];
    this.unanswered.delete(user);
    return open.filter((o) => o.to !== answerer && now - o.at <= this.options.turnTakingMs).map((o) => o.at);
  }

  private isRecent(user: string, now: number): boolean {
    const speaker = this.roster.get(user);
    return speaker !== undefined && now - speaker.seen <= this.options.rosterMs;
  }

  private remember(user: string, now: number): void {
    const known = this.roster.get(user);
    const nick = known?.nick ?? nickKey(user);
    if (!known) this.index(user, nick, addTo);
    this.roster.delete(user);
    this.roster.set(user, { seen: now, nick });
    // The latest speaker takes a shared spelling ("Bob" and "bob").
    this.lowerToUser.set(user.toLowerCase(), user);
    this.lowerToUser.set(nick, user);
    while (this.roster.size > MAX_ROSTER) this.forget(this.roster.keys().next().value as string);
  }

  private forget(user: string): void {
    const known = this.roster.get(user);
    const nick = known?.nick ?? nickKey(user);
    if (known) this.index(user, nick, removeFrom);
    this.roster.delete(user);
    for (const k of [user.toLowerCase(), nick])
      if (this.lowerToUser.get(k) === user) this.lowerToUser.delete(k);
    this.lastSpokenTo.delete(user);
    this.lastAddressee.delete(user);
    this.unanswered.delete(user);
  }

  /** Adds a speaker to the name indexes of `abbreviated`, or removes them. */
  private index(user: string, nick: string, change: typeof addTo): void {
    const min = this.options.minAbbreviation;
    if (nick.length >= min) change(this.byStart, nick.slice(0, min), user);
    if (nick.length >= 4) {
      change(this.byFirstTwo, nick.slice(0, 2), user);
      change(this.byLastTwo, nick.slice(-2), user);
    }
  }

  private prune(now: number): void {
    // The roster is in recency order: drop from the old end until someone recent is met.
    for (const [user, { seen }] of this.roster) {
      if (now - seen <= this.options.rosterMs) break;
      this.forget(user);
    }
    for (const [key, { events }] of this.pairs) {
      const last = events[events.length - 1];
      if (last && now - last.at <= this.options.windowMs) break;
      this.pairs.delete(key);
    }
  }
}

/** Keeps, in place and in order, the items that pass: the per-message lists are not copied each time. */
function filterInPlace<T>(items: T[], keep: (item: T) => boolean): void {
  let kept = 0;
  for (let i = 0; i < items.length; i++) if (keep(items[i]!)) items[kept++] = items[i]!;
  items.length = kept;
}

function addTo(index: Map<string, Set<string>>, part: string, user: string): void {
  const users = index.get(part);
  if (users) users.add(user);
  else index.set(part, new Set([user]));
}

function removeFrom(index: Map<string, Set<string>>, part: string, user: string): void {
  const users = index.get(part);
  if (!users) return;
  users.delete(user);
  if (users.size === 0) index.delete(part);
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** Where a word stands: as an address (before ":", "," or ">", or alone), first, last, or inside a sentence. */
export type NamePlace = "address" | "first" | "last" | "inside";

/**
 * Words that could be someone's name, as written but without a leading "@" and trailing dots, with
 * their place. Words are the runs of characters other than white space and `,:;!?()"'<>`; found by
 * hand, since a regular expression's match objects and two replacements per word were a third of the
 * conversation model's time.
 */
export function nameCandidates(text: string): { word: string; place: NamePlace }[] {
  // Where each word starts and ends, first: a word's place depends on how many there are.
  const bounds: number[] = [];
  for (let i = 0; i < text.length; ) {
    while (i < text.length && isSeparator(text.charCodeAt(i))) i++;
    if (i === text.length) break;
    const start = i;
    while (i < text.length && !isSeparator(text.charCodeAt(i))) i++;
    bounds.push(start, i);
  }
  const words = bounds.length / 2;
  const out: { word: string; place: NamePlace }[] = [];
  for (let w = 0; w < words; w++) {
    let start = bounds[2 * w]!;
    let end = bounds[2 * w + 1]!;
    const next = text.charCodeAt(end);
    if (text.charCodeAt(start) === AT) start++;
    while (end > start && text.charCodeAt(end - 1) === DOT) end--;
    if (end - start < 2) continue;
    const address = words === 1 || next === COLON || next === COMMA || next === GREATER;
    out.push({
      word: text.slice(start, end),
      place: address ? "address" : w === 0 ? "first" : w === words - 1 ? "last" : "inside",
    });
  }
  return out;
}

const AT = 0x40;
const DOT = 0x2e;
const COLON = 0x3a;
const COMMA = 0x2c;
const GREATER = 0x3e;
const OTHER_SPACE = /\s/;

/** White space as a regular expression's `\s` knows it, or one of `,:;!?()"'<>`. */
function isSeparator(c: number): boolean {
  switch (c) {
    case 0x20: // space
    case 0x2c: // ,
    case 0x3a: // :
    case 0x3b: // ;
    case 0x21: // !
    case 0x3f: // ?
    case 0x28: // (
    case 0x29: // )
    case 0x22: // "
    case 0x27: // '
    case 0x3c: // <
    case 0x3e: // >
      return true;
  }
  if (c < 0x80) return c >= 0x09 && c <= 0x0d; // tab, line feed, vertical tab, form feed, carriage return
  return OTHER_SPACE.test(String.fromCharCode(c));
}

/** A name without decoration, for matching: `|trey|` → `trey`, `Bob_2` → `bob2`. */
export function nickKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** True when `a` and `b` differ by at most one inserted, deleted or replaced letter. */
export function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
