/**
 * The communication-health figures, gathered from a stream of scenario lines (a replay, a Slack or
 * Matrix export turned into one) and from what Outloud's engine said while replaying them. Only ids,
 * counts and times are kept: no message text survives `observe`, so nothing can be quoted later.
 * docs/report.md explains each figure.
 */
import { DateTime } from "luxon";
import { mentionsInText, type ReplayOutput, type ScenarioLine } from "../adapters/local/scenario.js";
import { hasDecisionLanguage } from "../core/decisions/text.js";
import { median, workingMinutesBetween } from "../core/digest/working-time.js";
import { isWorkingTime, type WorkingHours } from "../core/nudges/working-hours.js";
import { readsAsQuestion } from "../core/rota/question.js";

/** When a run of channel messages counts as a conversation that should have moved to a thread. */
export const LONG_CONVERSATION = {
  messages: 6,
  /** Messages further apart than this start a new conversation. */
  gapMs: 10 * 60_000,
  /** How long after it ends a thread may still be started on one of its messages. */
  graceMs: 24 * 60 * 60_000,
};
/** A top-level message mentioning the asker within this time after their question answers it. */
const ANSWER_WINDOW_MS = 24 * 60 * 60_000;
/** Without a member list, someone with fewer messages than this in a room is a visitor there. */
const REGULAR_AFTER = 3;
/** Outloud's own announcement of a recorded decision, as a bot message in an export. */
const RECORDED_DECISION = /^Recorded decision \*?D-\d+\*?/;

export type RoomVisibility = "public" | "private";

/** What the report needs of one message: ids, flags and times, no text. */
export interface ReportFacts {
  id: string;
  /** `#name`, `~name` or `dm:…`. */
  room: string;
  user: string;
  /** Epoch milliseconds. */
  at: number;
  thread?: string;
  mentions: string[];
  broadcast: boolean;
  question: boolean;
  decisionLanguage: boolean;
}

export interface WeekFigures {
  /** Monday of the ISO week, `YYYY-MM-DD`. */
  week: string;
  messages: { public: number; private: number; direct: number };
  /** Messages in rooms (not DMs), and how many of them were thread replies. */
  roomMessages: number;
  threadReplies: number;
  longConversations: { stayed: number; moved: number };
  mentions: { inHours: number; offHours: number };
  broadcasts: { count: number; reached: number };
  /** Medians over the questions asked that week: working minutes, and minutes on the clock. */
  questions: { asked: number; answered: number; medianMinutes?: number; medianClockMinutes?: number };
  decisions: { recorded: number; language: number };
  nudges: Record<string, number>;
}

export interface RoomFigures {
  name: string;
  visibility: RoomVisibility;
  messages: number;
  threadReplies: number;
  longConversations: { stayed: number; moved: number };
  broadcasts: { count: number; reached: number };
  questions: { asked: number; answered: number; medianMinutes?: number };
}

export interface HealthReport {
  from?: string;
  to?: string;
  people: number;
  messages: number;
  weeks: WeekFigures[];
  rooms: RoomFigures[];
  direct: { conversations: number; messages: number };
  /** Who gave the first answer to other teams' questions, most first. */
  responders: { name: string; answers: number }[];
  nudgeKinds: string[];
}

interface RoomState {
  ref: string;
  visibility: RoomVisibility;
  members?: Set<string>;
  /** People seen joining during the period: visitors until they have become regulars. */
  joined: Set<string>;
  speakers: Map<string, number>;
  messages: number;
  threadReplies: number;
  run?: Run;
  broadcasts: { count: number; reached: number };
}

interface Run {
  room: string;
  ids: Set<string>;
  people: Set<string>;
  count: number;
  firstAt: number;
  lastAt: number;
  moved: boolean;
}

interface OpenQuestion {
  id: string;
  room: string;
  asker: string;
  at: Date;
}

interface Answer {
  room: string;
  week: string;
  minutes: number;
  clockMinutes: number;
}

export class HealthCollector {
  private readonly weeks = new Map<string, WeekFigures>();
  private readonly rooms = new Map<string, RoomState>();
  private readonly users = new Map<string, { name?: string; tz?: string; bot: boolean }>();
  private readonly people = new Set<string>();
  private readonly direct = new Set<string>();
  private directMessages = 0;
  private messages = 0;
  /** Long runs that ended, waiting to see whether a thread is started on them. */
  private readonly finished: Run[] = [];
  private readonly runByMessage = new Map<string, Run>();
  private readonly open = new Map<string, OpenQuestion>();
  private readonly answers: Answer[] = [];
  private readonly asked: { room: string; week: string }[] = [];
  private readonly responders = new Map<string, number>();
  private readonly nudgeKinds = new Set<string>();
  private first?: number;
  private last?: number;

  constructor(
    private readonly hours: WorkingHours,
    private readonly zone: string,
  ) {}

  observe(line: ScenarioLine): void {
    const at = Date.parse(line.at);
    switch (line.type) {
      case "user":
        this.users.set(line.user, { name: line.name, tz: line.tz, bot: line.bot ?? false });
        return;
      case "room": {
        const room = this.room(line.room);
        if (line.members) room.members = new Set(line.members);
        return;
      }
      case "join": {
        const room = this.room(line.room);
        room.members?.add(line.user);
        room.joined.add(line.user);
        return;
      }
      case "leave":
        this.room(line.room).members?.delete(line.user);
        return;
      case "message":
        this.settle(at);
        this.message(line, at);
        return;
      default:
        return;
    }
  }

  /** What the engine said while replaying: nudges are counted per kind and week. */
  said(output: ReplayOutput): void {
    if (!output.source.startsWith("nudge.") || output.source.endsWith(".share")) return;
    this.nudged(output.source.slice("nudge.".length), new Date(output.at));
  }

  /** A nudge delivered (the live report reads them from the nudges' bookkeeping). */
  nudged(kind: string, at: Date): void {
    this.nudgeKinds.add(kind);
    const w = this.week(at.getTime());
    w.nudges[kind] = (w.nudges[kind] ?? 0) + 1;
  }

  /** A decision the engine recorded while replaying. */
  decisionRecorded(at: Date): void {
    this.week(at.getTime()).decisions.recorded++;
  }

  finish(): HealthReport {
    this.settle(Number.POSITIVE_INFINITY);
    for (const room of this.rooms.values()) if (room.run) this.endRun(room);
    this.settle(Number.POSITIVE_INFINITY);
    const weeks = [...this.weeks.values()].sort((a, b) => a.week.localeCompare(b.week));
    for (const w of weeks) {
      const answers = this.answers.filter((a) => a.week === w.week);
      w.questions.medianMinutes = median(answers.map((a) => a.minutes));
      w.questions.medianClockMinutes = median(answers.map((a) => a.clockMinutes));
    }
    const rooms: RoomFigures[] = [...this.rooms.values()]
      .filter((r) => r.messages > 0)
      .map((r) => {
        const asked = this.asked.filter((q) => q.room === r.ref).length;
        const answered = this.answers.filter((a) => a.room === r.ref);
        return {
          name: r.ref.slice(1),
          visibility: r.visibility,
          messages: r.messages,
          threadReplies: r.threadReplies,
          longConversations: this.roomLong.get(r.ref) ?? { stayed: 0, moved: 0 },
          broadcasts: r.broadcasts,
          questions: {
            asked,
            answered: answered.length,
            medianMinutes: median(answered.map((a) => a.minutes)),
          },
        };
      })
      .sort((a, b) => b.messages - a.messages || a.name.localeCompare(b.name));
    return {
      from: this.first === undefined ? undefined : new Date(this.first).toISOString(),
      to: this.last === undefined ? undefined : new Date(this.last).toISOString(),
      people: this.people.size,
      messages: this.messages,
      weeks,
      rooms,
      direct: { conversations: this.direct.size, messages: this.directMessages },
      responders: [...this.responders]
        .map(([id, answers]) => ({ name: this.nameOf(id), answers }))
        .sort((a, b) => b.answers - a.answers || a.name.localeCompare(b.name)),
      nudgeKinds: [...this.nudgeKinds].sort(),
    };
  }

  private readonly roomLong = new Map<string, { stayed: number; moved: number }>();

  private message(line: Extract<ScenarioLine, { type: "message" }>, at: number): void {
    if (this.users.get(line.user)?.bot) {
      if (RECORDED_DECISION.test(line.text)) this.week(at).decisions.recorded++;
      return;
    }
    const found = mentionsInText(line.text);
    this.facts({
      id: line.id,
      room: line.room,
      user: line.user,
      at,
      thread: line.thread,
      mentions: line.mentions ?? found.users,
      broadcast: found.broadcast !== undefined,
      question: readsAsQuestion(line.text),
      decisionLanguage: hasDecisionLanguage(line.text),
    });
  }

  /** A person as the live report learns them from the platform. */
  person(id: string, person: { name?: string; tz?: string; bot?: boolean }): void {
    this.users.set(id, { name: person.name, tz: person.tz, bot: person.bot ?? false });
  }

  /**
   * One message as the bot keeps it (src/core/digest/facts.ts): the live report's input, and what
   * `observe` reduces a scenario line to. `room` is the replay's reference (`#name`, `~name`, `dm:…`).
   */
  facts(line: ReportFacts): void {
    const at = line.at;
    this.settle(at);
    if (this.users.get(line.user)?.bot) return;
    this.first ??= at;
    this.last = at;
    this.messages++;
    this.people.add(line.user);
    const w = this.week(at);
    const mentions = line.mentions.filter((u) => u !== line.user);
    if (line.decisionLanguage) w.decisions.language++;
    for (const person of mentions) {
      if (this.users.get(person)?.bot) continue;
      const tz = this.users.get(person)?.tz ?? this.zone;
      if (isWorkingTime(new Date(at), tz, this.hours)) w.mentions.inHours++;
      else w.mentions.offHours++;
    }
    if (line.room.startsWith("dm:")) {
      w.messages.direct++;
      this.direct.add(line.room);
      this.directMessages++;
      return;
    }
    const room = this.room(line.room);
    w.messages[room.visibility]++;
    w.roomMessages++;
    room.messages++;
    const regular = (room.speakers.get(line.user) ?? 0) >= REGULAR_AFTER;
    room.speakers.set(line.user, (room.speakers.get(line.user) ?? 0) + 1);
    if (line.broadcast) {
      const reached = this.audience(room, line.user);
      room.broadcasts.count++;
      room.broadcasts.reached += reached;
      w.broadcasts.count++;
      w.broadcasts.reached += reached;
    }
    if (line.thread) {
      w.threadReplies++;
      room.threadReplies++;
      const run = this.runByMessage.get(line.thread);
      if (run) run.moved = true;
      this.answer(line.thread, line.user, at);
      return;
    }
    for (const person of mentions) this.answerByMention(room.ref, person, line.user, at);
    this.extendRun(room, line.id, line.user, at);
    // The team: the room's members but those who joined during the period (someone who joins to ask is
    // a visitor); without a member list, the room's regular speakers.
    const member = regular || (room.members?.has(line.user) === true && !room.joined.has(line.user));
    if (!member && line.question) {
      this.open.set(line.id, { id: line.id, room: room.ref, asker: line.user, at: new Date(at) });
      this.asked.push({ room: room.ref, week: w.week });
      w.questions.asked++;
    }
  }

  /** The people a whole-room mention notified: the room's members (or regular speakers) but the author. */
  private audience(room: RoomState, author: string): number {
    const people = room.members ?? new Set(room.speakers.keys());
    let n = 0;
    for (const p of people) if (p !== author && !this.users.get(p)?.bot) n++;
    return n;
  }

  private answer(questionId: string, user: string, at: number): void {
    const q = this.open.get(questionId);
    if (!q || q.asker === user) return;
    this.open.delete(questionId);
    this.recordAnswer(q, user, at);
  }

  private answerByMention(room: string, asker: string, user: string, at: number): void {
    for (const q of this.open.values()) {
      if (q.room !== room || q.asker !== asker || at - q.at.getTime() > ANSWER_WINDOW_MS) continue;
      this.open.delete(q.id);
      this.recordAnswer(q, user, at);
      return;
    }
  }

  private recordAnswer(q: OpenQuestion, user: string, at: number): void {
    const week = this.week(q.at.getTime());
    week.questions.answered++;
    const minutes = workingMinutesBetween(q.at, new Date(at), this.zone, this.hours);
    const clockMinutes = Math.round((at - q.at.getTime()) / 60_000);
    this.answers.push({ room: q.room, week: week.week, minutes, clockMinutes });
    this.responders.set(user, (this.responders.get(user) ?? 0) + 1);
  }

  private extendRun(room: RoomState, id: string, user: string, at: number): void {
    const run = room.run;
    if (run && at - run.lastAt <= LONG_CONVERSATION.gapMs) {
      run.ids.add(id);
      run.people.add(user);
      run.count++;
      run.lastAt = at;
      this.runByMessage.set(id, run);
      return;
    }
    if (run) this.endRun(room);
    const fresh: Run = {
      room: room.ref,
      ids: new Set([id]),
      people: new Set([user]),
      count: 1,
      firstAt: at,
      lastAt: at,
      moved: false,
    };
    room.run = fresh;
    this.runByMessage.set(id, fresh);
  }

  private endRun(room: RoomState): void {
    const run = room.run!;
    room.run = undefined;
    if (run.count >= LONG_CONVERSATION.messages && run.people.size >= 2) this.finished.push(run);
    else for (const id of run.ids) this.runByMessage.delete(id);
  }

  /** Counts the long runs whose grace period is over, and forgets questions too old to be answered by mention. */
  private settle(now: number): void {
    while (this.finished.length > 0 && now - this.finished[0]!.lastAt > LONG_CONVERSATION.graceMs) {
      const run = this.finished.shift()!;
      const outcome = run.moved ? "moved" : "stayed";
      this.week(run.firstAt).longConversations[outcome]++;
      const perRoom = this.roomLong.get(run.room) ?? { stayed: 0, moved: 0 };
      perRoom[outcome]++;
      this.roomLong.set(run.room, perRoom);
      for (const id of run.ids) this.runByMessage.delete(id);
    }
  }

  private room(ref: string): RoomState {
    let room = this.rooms.get(ref);
    if (!room) {
      room = {
        ref,
        visibility: ref.startsWith("~") ? "private" : "public",
        joined: new Set(),
        speakers: new Map(),
        messages: 0,
        threadReplies: 0,
        broadcasts: { count: 0, reached: 0 },
      };
      this.rooms.set(ref, room);
    }
    return room;
  }

  private week(at: number): WeekFigures {
    const key = DateTime.fromMillis(at, { zone: this.zone }).startOf("week").toISODate() ?? "unknown";
    let w = this.weeks.get(key);
    if (!w) {
      w = {
        week: key,
        messages: { public: 0, private: 0, direct: 0 },
        roomMessages: 0,
        threadReplies: 0,
        longConversations: { stayed: 0, moved: 0 },
        mentions: { inHours: 0, offHours: 0 },
        broadcasts: { count: 0, reached: 0 },
        questions: { asked: 0, answered: 0 },
        decisions: { recorded: 0, language: 0 },
        nudges: {},
      };
      this.weeks.set(key, w);
    }
    return w;
  }

  private nameOf(id: string): string {
    return this.users.get(id)?.name ?? id;
  }
}
