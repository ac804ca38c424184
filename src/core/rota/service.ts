/**
 * The rota at work: arms each rota's next announcement, announces exactly once per occurrence, hands
 * over to the new responder, and watches questions from other teams. Timers only ever hold the next
 * occurrence; the database holds the truth, and every occurrence is claimed before anything is posted,
 * so duplicate timers, restarts and several processes on one database still announce once.
 *
 * With several replicas on one database, a rota may be changed through another replica. So a timer
 * re-reads the rota when it fires and acts only if its occurrence still stands (a stale one just
 * re-arms), and every replica re-syncs the rotas changed since its last look, once a `syncSeconds`.
 *
 * What an announcement must look up first (who is still in the room) is looked up before the
 * occurrence is claimed: a lookup that fails (a platform outage) leaves the day unclaimed, and the
 * occurrence is tried again later the same day, so it is neither lost nor announced twice.
 */
import { DateTime } from "luxon";
import type { Action } from "../actions.js";
import { errorMessage } from "../error-message.js";
import type { CoreServices } from "../feature.js";
import { type ChatMessage, type Room, roomLabel } from "../model.js";
import type { ClaimStore, SettingsStore } from "../stores.js";
import { formatDay, isAvailable, ruleOf, scheduleContext } from "./forecast.js";
import { holidayCheck } from "./holidays.js";
import { RotaProblems } from "./problems.js";
import { readsAsQuestion } from "./question.js";
import { nextInLine, skipTurn, takeTurn } from "./rotation.js";
import {
  type AnnouncementRule,
  addWorkingMinutes,
  announcesOn,
  isWorkingDay,
  localDateOf,
  nextOccurrence,
  type Occurrence,
  occurrenceOn,
  occurrenceToday,
  type ScheduleContext,
  type WorkingHours,
} from "./schedule.js";
import type { RotaSettings } from "./settings.js";
import type { PendingQuestion, Rota, RotaState, RotaStore, Turn } from "./store.js";

const SYNC_KEY = "rota:sync";
/**
 * How far back each sync looks beyond the previous one: a change stamped by another replica's clock
 * (replicas' clocks are kept in step by NTP, to well within this) or committed a moment after its
 * stamp is still seen. Re-arming a rota twice is harmless.
 */
const SYNC_OVERLAP_MS = 60_000;
const PURGE_EVERY_MS = 60 * 60_000;
/** Waits before trying a failed announcement again: doubling from a minute, then every half hour, within its day. */
const RETRY_FIRST_MS = 60_000;
const RETRY_MAX_MS = 30 * 60_000;

export interface RotaServiceDeps {
  services: CoreServices;
  store: RotaStore;
  claims: ClaimStore;
  /** Small per-rota records: who set it up, the last problem it ran into. */
  notes: SettingsStore;
  settings: RotaSettings;
  /** The working window that "30 working minutes" are counted in (the workspace's working hours). */
  workingHours?: WorkingHours;
}

export class RotaService {
  readonly services: CoreServices;
  readonly store: RotaStore;
  readonly settings: RotaSettings;
  readonly problems: RotaProblems;
  private readonly claims: ClaimStore;
  private readonly hours: WorkingHours;

  constructor(deps: RotaServiceDeps) {
    this.services = deps.services;
    this.store = deps.store;
    this.claims = deps.claims;
    this.problems = new RotaProblems({ notes: deps.notes, claims: deps.claims, services: deps.services });
    this.settings = deps.settings;
    this.hours = deps.workingHours ?? { start: "09:00", end: "18:00" };
  }

  now(): Date {
    return this.services.clock.now();
  }

  load(workspace: string, room: string): Promise<RotaState | undefined> {
    return this.store.rotaState(workspace, room);
  }

  rule(rota: Rota): AnnouncementRule {
    return ruleOf(rota);
  }

  /** Who can take the turn on a local date: in the rota, not away, still in the room. */
  availableOn(state: RotaState, date: string): (member: string) => boolean {
    return (m) => isAvailable(state, m, date);
  }

  context(state: RotaState): ScheduleContext {
    return scheduleContext(state);
  }

  /** Is `date` one of the rota's working days, and not a public holiday it skips? */
  worksOn(state: RotaState, date: string): boolean {
    return isWorkingDay(this.rule(state.rota), date, this.context(state).isHoliday);
  }

  today(rota: Rota): string {
    return localDateOf(this.now(), rota.zone);
  }

  roomOf(rota: Rota): Room {
    return { workspace: rota.workspace, id: rota.room, name: rota.roomName, kind: rota.roomKind };
  }

  handle(rota: Rota): string {
    return this.settings.groupHandle.replaceAll("{room}", rota.roomName);
  }

  /** The next announcement still to be made; `announced` is a local date already announced. */
  next(state: RotaState, announced?: string): Occurrence | undefined {
    if (state.rota.paused) return undefined;
    const context = this.context(state);
    const available = context.someoneAvailable;
    return nextOccurrence(this.rule(state.rota), this.now(), {
      ...context,
      someoneAvailable: (date) => date !== announced && (available?.(date) ?? true),
    });
  }

  // Keys of the timers this service armed, so stop() can cancel them (the scheduler may outlive us).
  private readonly armed = new Set<string>();
  // Set by stop(): a task still running then (a sync, an announcement) must not arm new timers.
  private stopped = false;
  // Start of the last sync that read every change; the next one reads from there (minus an overlap).
  private syncedFrom: Date | undefined;
  private lastPurge = Number.NEGATIVE_INFINITY;
  // Rooms that have a rota, so a message elsewhere costs no query. Kept by arm(), which every setup,
  // change and re-sync goes through; a rota set up through another replica is seen at the next sync.
  private readonly rooms = new Set<string>();

  private roomKey(workspace: string, room: string): string {
    return `${workspace}/${room}`;
  }

  private timerKey(workspace: string, room: string): string {
    return `rota:announce:${workspace}:${room}`;
  }

  private schedule(when: Date, key: string, task: () => Promise<void>): void {
    if (this.stopped) return;
    this.armed.add(key);
    this.services.scheduler.at(when, key, async () => {
      this.armed.delete(key);
      await task();
    });
  }

  /** Cancels every pending rota timer; the database still has everything to re-arm them. */
  stop(): void {
    this.stopped = true;
    for (const key of this.armed) this.services.scheduler.cancel(key);
    this.armed.clear();
  }

  /** Arms (or re-arms, or cancels) the rota's next announcement from what the database says now. */
  async arm(workspace: string, room: string): Promise<Occurrence | undefined> {
    const state = await this.load(workspace, room);
    // A rota re-timed to later today after today's announcement is not announced twice: its next
    // occurrence (and what the confirmation promises) is the next working day.
    let announced: string | undefined;
    const today = state ? this.today(state.rota) : undefined;
    if (
      state &&
      today &&
      this.next(state)?.date === today &&
      (await this.store.turnOn(workspace, room, today))
    )
      announced = today;
    return this.armFrom(workspace, room, state, announced);
  }

  /**
   * Arms the rota's next announcement from a state just loaded (none: the room has no rota), after
   * `announced`, a local date whose announcement was already made.
   */
  armFrom(
    workspace: string,
    room: string,
    state: RotaState | undefined,
    announced?: string,
  ): Occurrence | undefined {
    const key = this.timerKey(workspace, room);
    if (state) this.rooms.add(this.roomKey(workspace, room));
    else this.rooms.delete(this.roomKey(workspace, room));
    const next = state ? this.next(state, announced) : undefined;
    if (!next) {
      this.services.scheduler.cancel(key);
      this.armed.delete(key);
      return undefined;
    }
    this.schedule(next.at, key, async () => {
      await this.announceScheduled(workspace, room, next);
    });
    return next;
  }

  /**
   * Something deciding when the rota announces changed here: mark the rota changed, so the other
   * replicas re-arm it on their next sync, and re-arm it on this one at once.
   */
  async changed(workspace: string, room: string): Promise<Occurrence | undefined> {
    await this.store.touchRota(workspace, room, this.now());
    return this.arm(workspace, room);
  }

  /**
   * Does `occurrence`, armed earlier, still stand in what the database says now? Not if the rota was
   * re-timed, paused, or lost its working day or its available members since (through any replica).
   */
  stillDue(state: RotaState, occurrence: Occurrence): boolean {
    const rule = this.rule(state.rota);
    return (
      !state.rota.paused &&
      announcesOn(rule, occurrence.date, this.context(state)) &&
      occurrenceOn(rule, occurrence.date).getTime() === occurrence.at.getTime()
    );
  }

  private async announceScheduled(
    workspace: string,
    room: string,
    occurrence: Occurrence,
    attempt = 0,
  ): Promise<void> {
    let armed = false;
    try {
      // Re-read before claiming: a timer armed before a change made elsewhere must not post.
      const state = await this.load(workspace, room);
      if (state && this.stillDue(state, occurrence) && (await this.installedIn(state.rota))) {
        try {
          await this.announce(state, occurrence.date, { late: false });
        } catch (err) {
          this.retryLater(state.rota, occurrence, attempt, err);
        }
      }
      // What was read, with the announcement's own changes, decides the next timer.
      this.armFrom(workspace, room, state);
      armed = true;
      await this.forgetOldQuestions();
    } finally {
      // Whatever happened today, tomorrow's timer must exist.
      if (!armed) await this.arm(workspace, room);
    }
  }

  /**
   * An announcement failed before it was claimed (a lookup the platform could not answer): try the
   * same occurrence again a little later, as long as it is still its day in the rota's zone.
   */
  private retryLater(rota: Rota, occurrence: Occurrence, attempt: number, err: unknown): void {
    const waitMs = Math.min(RETRY_FIRST_MS * 2 ** attempt, RETRY_MAX_MS);
    const when = new Date(this.now().getTime() + waitMs);
    const context = { workspace: rota.workspace, room: rota.room, error: errorMessage(err) };
    if (localDateOf(when, rota.zone) !== occurrence.date) {
      this.services.log.error("rota announcement failed and its day is over: not announced", context);
      return;
    }
    this.services.log.warn("rota announcement failed; trying again later today", { ...context, waitMs });
    this.schedule(when, `rota:retry:${rota.workspace}:${rota.room}`, async () => {
      await this.announceScheduled(rota.workspace, rota.room, occurrence, attempt + 1);
    });
  }

  /** Forgets questions past the hand-over window; once an hour is enough for a window of days. */
  private async forgetOldQuestions(): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    await this.store.purgeQuestions(this.handoverSince());
  }

  /**
   * Starts the periodic re-sync: every `syncSeconds` from now, the rotas changed since the last look
   * are re-armed from the database. Called first thing at start-up, before every rota is armed.
   */
  startSync(): void {
    this.stopped = false;
    this.syncedFrom = this.now();
    // Periodic, so a virtual clock jumping over a quiet week runs one sync, not ten thousand.
    this.armed.add(SYNC_KEY);
    this.services.scheduler.every(SYNC_KEY, this.settings.syncSeconds * 1000, this.now(), () => this.sync());
  }

  /** Re-arms every rota changed since the last sync (one query when nothing changed). */
  async sync(): Promise<void> {
    const started = this.now();
    const since = new Date((this.syncedFrom ?? started).getTime() - SYNC_OVERLAP_MS);
    let failed = false;
    for (const { workspace, room } of await this.store.rotasChangedSince(since)) {
      try {
        await this.arm(workspace, room);
      } catch (err) {
        // One broken rota must not keep the others stale; it is tried again on the next sync.
        failed = true;
        this.services.log.warn("rota re-sync failed", { workspace, room, error: errorMessage(err) });
      }
    }
    if (!failed) this.syncedFrom = started;
  }

  /**
   * Start-up: if today's announcement time has passed without an announcement (the bot was down), post
   * one late announcement, or none, as configured. Only today: missed earlier days are never replayed.
   * True when it went to announce, so the rota may have changed since `state` was loaded.
   */
  async catchUp(state: RotaState): Promise<boolean> {
    if (state.rota.paused) return false;
    const today = occurrenceToday(this.rule(state.rota), this.now(), this.context(state));
    if (!today || today.at.getTime() > this.now().getTime()) return false;
    // A rota set up (or re-timed, or resumed) after today's time had not missed anything.
    if (state.rota.updatedAt.getTime() > today.at.getTime()) return false;
    const mode = state.rota.lateAnnouncement ?? this.settings.lateAnnouncement;
    if (mode === "none") return false;
    if (await this.claims.isClaimed(state.rota.workspace, this.claimKey(state.rota, today.date)))
      return false;
    if (!(await this.installedIn(state.rota))) return false;
    try {
      await this.announce(state, today.date, { late: true });
    } catch (err) {
      this.retryLater(state.rota, today, 0, err);
      return false;
    }
    return true;
  }

  /**
   * A workspace that removed the bot keeps its rotas (a reinstall picks them up again), but nothing is
   * announced there meanwhile: no turn is taken, and no post fails every working day.
   */
  private async installedIn(rota: Rota): Promise<boolean> {
    const installed = (await this.services.directory.installedIn?.(rota.workspace)) ?? true;
    if (!installed)
      this.services.log.info("rota not announced: the bot is not installed in its workspace", {
        workspace: rota.workspace,
        room: rota.room,
      });
    return installed;
  }

  private claimKey(rota: Rota, date: string): string {
    return `rota:${rota.room}:${date}`;
  }

  /**
   * The announcement of `date`: looks up who is still in the room and what the hand-over needs, then
   * claims the occurrence (once, across timers and processes), takes the turn and writes the posts,
   * topic, group and hand-over, all in one transaction: a crash leaves either all of it (sent from the
   * outbox after a restart) or none (announced late after it). Returns the turn, or undefined when
   * someone else had already claimed it or nobody can take it. Throws, with nothing claimed, when a
   * lookup fails: the caller may try again.
   */
  async announce(state: RotaState, date: string, options: { late: boolean }): Promise<Turn | undefined> {
    const { rota } = state;
    const key = this.claimKey(rota, date);
    // Already done elsewhere: no lookup for nothing.
    if (await this.claims.isClaimed(rota.workspace, key)) return undefined;
    await this.noticeDepartures(state);
    const turn = takeTurn(state.queue, this.availableOn(state, date));
    if (!turn.responder) {
      await this.services.atomically(async () => {
        if (!(await this.claims.claim(rota.workspace, key, this.now()))) return;
        await this.emit(rota, "rota.announce", {
          action: "post",
          text: `Nobody in the rota is available today, so there is no responder. \`${this.services.commands.spell("rota who")}\` shows the rota.`,
        });
      });
      return undefined;
    }
    const previous = (await this.store.recentTurns(rota.workspace, rota.room, 1))[0];
    const record: Turn = {
      date,
      responder: turn.responder,
      announcedAt: this.now(),
      late: options.late,
      skipped: [],
    };
    // Its permalinks are platform lookups: made before the transaction, which holds only database work.
    const handOver = await this.handOverAction(rota, record.responder, previous?.responder);
    const claimed = await this.services.atomically(async () => {
      if (!(await this.claims.claim(rota.workspace, key, this.now()))) return false;
      await this.store.setMembers(rota.workspace, rota.room, turn.queue);
      await this.store.recordTurn(rota.workspace, rota.room, record);
      // The room, its topic and group, and the new responder are told at once: none needs another
      // done first, and on a platform each may wait for a rate limit of its own (a person who is
      // responder in several rooms gets their hand-overs a second apart).
      await this.emitTogether([...this.announcementActions(rota, record), handOver]);
      return true;
    });
    if (!claimed) return undefined;
    state.queue = turn.queue;
    return record;
  }

  /** Today's announcement again, without touching topic or group (`/rota announce` after it was made). */
  repeatedAnnouncement(rota: Rota, turn: Turn): Action[] {
    return this.announcementActions(rota, turn, true);
  }

  /** The public line for today's responder and, unless it is repeated, the topic and user group. */
  private announcementActions(rota: Rota, turn: Turn, repeat = false): Action[] {
    const who = `@${turn.responder}`;
    const late = turn.late && !repeat ? " (late: I was offline at announcement time)" : "";
    const post = this.roomAction(rota, "rota.announce", {
      action: "post",
      text: `Today's responder is ${who}${late}: they answer questions from other teams here today, so everyone else can focus.`,
      mentions: [turn.responder],
    });
    return repeat ? [post] : [post, ...this.dutyActions(rota, turn.responder, "rota.announce")];
  }

  /** The room topic and the responder user group, set to `responder` (as configured). */
  private dutyActions(rota: Rota, responder: string, source: string): Action[] {
    const actions: Action[] = [];
    if (this.settings.setTopic)
      actions.push(
        this.roomAction(rota, source, {
          action: "topic",
          text: this.settings.topicTemplate.replaceAll("{responder}", responder),
        }),
      );
    if (this.settings.setGroup)
      actions.push(
        this.roomAction(rota, source, { action: "group", text: this.handle(rota), mentions: [responder] }),
      );
    return actions;
  }

  /** Hands actions to the platform in this order, without waiting for each to be carried out first. */
  private async emitTogether(actions: Action[]): Promise<void> {
    await Promise.all(actions.map((action) => this.services.emit(action)));
  }

  /** Questions asked before this are no longer handed over or nudged, and are forgotten. */
  handoverSince(): Date {
    return DateTime.fromJSDate(this.now()).minus({ days: this.settings.handoverDays }).toJSDate();
  }

  /** The private hand-over to the new responder: who had it before and what is still unanswered. */
  private async handOverAction(rota: Rota, responder: string, previous: string | undefined): Promise<Action> {
    const since = this.handoverSince();
    const open = await this.store.unansweredQuestions(rota.workspace, rota.room, since);
    const room = this.roomOf(rota);
    const lines = [
      `You are today's responder in ${roomLabel(room)}: please answer questions from other teams there today.`,
      previous && previous !== responder ? `@${previous} had it before you.` : "",
    ];
    if (open.length === 0) lines.push("No questions from other teams are waiting.");
    else {
      lines.push(`Questions from other teams still unanswered (${open.length}):`);
      const links = await Promise.all(
        open.map((q) => this.services.directory.permalink(rota.workspace, room, q.messageId)),
      );
      for (const [i, q] of open.entries()) {
        const link = links[i];
        lines.push(`• from @${q.asker} at ${this.formatTime(rota, q.askedAt)}${link ? `: ${link}` : ""}`);
      }
    }
    return {
      workspace: rota.workspace,
      source: "rota.handover",
      action: "dm",
      user: responder,
      text: lines.filter(Boolean).join("\n"),
    };
  }

  /**
   * `/rota skip`: today's responder passes the turn on and is first in line next time. Stores the new
   * turn; `skipFollowUps` are the topic, group and hand-over that follow (after the room has been told).
   */
  async skip(
    state: RotaState,
    date: string,
    current: Turn,
  ): Promise<{ ok: true; turn: Turn } | { ok: false; problem: string }> {
    const { rota } = state;
    const result = skipTurn(state.queue, current.responder, current.skipped, this.availableOn(state, date));
    if (!result.responder) return { ok: false, problem: "nobody else in the rota is available today" };
    const turn: Turn = {
      ...current,
      responder: result.responder,
      skipped: [...current.skipped, current.responder],
    };
    await this.store.setMembers(rota.workspace, rota.room, result.queue);
    await this.store.recordTurn(rota.workspace, rota.room, turn);
    return { ok: true, turn };
  }

  /**
   * Today's responder can no longer take today (marked away today, or removed from the rota): the day
   * passes to the next available person, as after a skip. A removed person has no place to keep. The
   * caller tells the room, then `publishSkip` follows. Undefined when nobody else is available.
   */
  async handOverToday(state: RotaState, date: string, current: Turn): Promise<Turn | undefined> {
    if (state.queue.includes(current.responder)) {
      const skipped = await this.skip(state, date, current);
      return skipped.ok ? skipped.turn : undefined;
    }
    const { rota } = state;
    const available = this.availableOn(state, date);
    const result = takeTurn(state.queue, (m) => !current.skipped.includes(m) && available(m));
    if (!result.responder) return undefined;
    const turn: Turn = { ...current, responder: result.responder };
    await this.store.setMembers(rota.workspace, rota.room, result.queue);
    await this.store.recordTurn(rota.workspace, rota.room, turn);
    return turn;
  }

  /**
   * What follows a skip or hand-over once the room has been told: topic, group and the hand-over to
   * the new responder.
   */
  async skipFollowUps(rota: Rota, turn: Turn, previous: string, source = "rota.skip"): Promise<Action[]> {
    const handOver = await this.handOverAction(rota, turn.responder, previous);
    return [...this.dutyActions(rota, turn.responder, source), handOver];
  }

  /** Members gone from the room are skipped; the room is told once per departure. */
  async noticeDepartures(state: RotaState): Promise<void> {
    const { rota } = state;
    const members = await this.services.directory.roomMembers(rota.workspace, this.roomOf(rota));
    // An empty list means the platform could not tell (the bot itself is in the room): don't take it
    // as everyone having left.
    if (members.length === 0) return;
    const present = new Set(members);
    const back = state.queue.filter((m) => present.has(m) && state.left.includes(m));
    const gone = state.queue.filter((m) => !present.has(m));
    for (const member of back) {
      await this.store.markPresent(rota.workspace, rota.room, member);
      await this.store.touchRota(rota.workspace, rota.room, this.now());
    }
    for (const member of gone) await this.memberLeft(rota, member);
    if (back.length > 0 || gone.length > 0)
      state.left = await this.store.leftMembers(rota.workspace, rota.room);
  }

  async memberLeft(rota: Rota, member: string): Promise<void> {
    if (!(await this.store.markLeft(rota.workspace, rota.room, member, this.now()))) return;
    // Who can take turns changed: other replicas re-check the next announcement day.
    await this.store.touchRota(rota.workspace, rota.room, this.now());
    await this.emit(rota, "rota.left", {
      action: "post",
      text: `@${member} left this room, so the rota skips them until they are back (or \`${this.services.commands.spell(`rota remove @${member}`)}\`).`,
    });
  }

  /** A root message from outside the rota that asks something starts the answer clock. */
  watchMessage(message: ChatMessage): Promise<void> | undefined {
    // Most rooms have no rota: known without a query (or a promise).
    if (!this.rooms.has(this.roomKey(message.workspace, message.room.id))) return undefined;
    return this.watchRotaMessage(message);
  }

  private async watchRotaMessage(message: ChatMessage): Promise<void> {
    const rota = await this.store.getRota(message.workspace, message.room.id);
    if (!rota || rota.paused) return;
    const members = await this.store.members(rota.workspace, rota.room);
    if (message.thread) {
      if (members.includes(message.user))
        await this.store.markAnswered(rota.workspace, rota.room, message.thread, message.at);
      return;
    }
    if (members.includes(message.user)) return;
    if (!readsAsQuestion(message.text, this.handle(rota))) return;
    const holidays = holidayCheck(rota.holidays ?? undefined);
    const question: PendingQuestion = {
      workspace: rota.workspace,
      room: rota.room,
      messageId: message.id,
      asker: message.user,
      askedAt: message.at,
      dueAt: addWorkingMinutes(
        message.at,
        this.settings.questionMinutes,
        this.rule(rota),
        this.hours,
        holidays,
      ),
      answeredAt: null,
      nudgedAt: null,
    };
    await this.store.addQuestion(question);
    this.armQuestion(question);
  }

  armQuestion(q: PendingQuestion): void {
    const key = `rota:question:${q.workspace}:${q.room}:${q.messageId}`;
    this.schedule(q.dueAt, key, async () => {
      await this.nudge(q.workspace, q.room, q.messageId);
    });
  }

  /** Unanswered after the wait: mention today's responder in the question's thread, once. */
  private async nudge(workspace: string, room: string, messageId: string): Promise<void> {
    const question = await this.store.getQuestion(workspace, room, messageId);
    if (!question || question.answeredAt || question.nudgedAt) return;
    const state = await this.load(workspace, room);
    if (!state || state.rota.paused) return;
    const today = this.today(state.rota);
    const responder =
      (await this.store.turnOn(workspace, room, today))?.responder ??
      nextInLine(state.queue, this.availableOn(state, today));
    if (!responder) return;
    if (!(await this.store.markNudged(workspace, room, messageId, this.now()))) return;
    await this.services.emit({
      workspace,
      source: "rota.question",
      about: messageId,
      action: "reply",
      room: this.roomOf(state.rota),
      thread: messageId,
      text: `@${responder}, today's responder: could you pick up this question from @${question.asker}?`,
      mentions: [responder],
    });
  }

  formatDate(_rota: Rota, date: string): string {
    return formatDay(date);
  }

  formatTime(rota: Rota, at: Date): string {
    return DateTime.fromJSDate(at, { zone: rota.zone }).setLocale("en-GB").toFormat("ccc d LLL HH:mm");
  }

  private async emit(rota: Rota, source: string, action: RoomAction): Promise<void> {
    await this.services.emit(this.roomAction(rota, source, action));
  }

  private roomAction(rota: Rota, source: string, action: RoomAction): Action {
    return { workspace: rota.workspace, source, room: this.roomOf(rota), ...action } as Action;
  }
}

type RoomAction =
  | { action: "post"; text: string; mentions?: string[] }
  | { action: "topic"; text: string }
  | { action: "group"; text: string; mentions: string[] };
