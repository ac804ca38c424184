/**
 * Weekly team digests (`/digest setup|off|now`) and the facts they are built from. Every message from
 * a human leaves its facts (ids, flags, times; src/core/digest/facts.ts); each room's digest is armed
 * on the scheduler and claimed per occurrence, so it is posted exactly once across restarts and
 * replicas. A room silent all week gets no post.
 */
import type { DecisionStore } from "../decisions/store.js";
import { errorMessage } from "../error-message.js";
import type { CoreServices, Feature } from "../feature.js";
import type { ChatEvent, Room } from "../model.js";
import { workspaceHours } from "../nudges/working-hours.js";
import { upcomingTurns } from "../rota/forecast.js";
import { localDateOf } from "../rota/schedule.js";
import type { RotaStore } from "../rota/store.js";
import type { ClaimStore } from "../stores.js";
import { type CatchUpDeps, CatchUps, catchUpCommands } from "./catch-up.js";
import { digestCommands } from "./commands.js";
import { composeRoomDigest, otherTeamQuestions, type RoomWeek, threadsMovedToCall } from "./compose.js";
import { messageFacts } from "./facts.js";
import { nextWeekly, weekBefore } from "./schedule.js";
import type { DigestSettings } from "./settings.js";
import type { DigestStore, RoomDigest } from "./store.js";

const DAY_MS = 24 * 60 * 60_000;
/** A digest missed while every process was down is still posted if we are back within this time. */
const LATE_LIMIT_MS = 12 * 60 * 60_000;
/** The wait before a digest that could not be posted (nothing claimed) is tried again. */
const RETRY_MS = 5 * 60_000;

export interface DigestDeps {
  services: CoreServices;
  store: DigestStore;
  claims: ClaimStore;
  decisions: DecisionStore;
  rota: RotaStore;
  settings: DigestSettings;
  workspace: { timezone: string; workingHours: { start: string; end: string; days: string } };
  retentionDays: number;
  /** Sends a catch-up by e-mail (the SMTP exporter's transport), when SMTP is configured. */
  mail?: CatchUpDeps["mail"];
  personalHours?: CatchUpDeps["personalHours"];
}

export function createDigestFeature(deps: DigestDeps): Feature {
  const { services, store, claims, settings } = deps;
  const hours = workspaceHours(deps.workspace.workingHours);
  const now = () => services.clock.now();

  /** The room's week [from, to) as its digest tells it; undefined when it was silent. */
  async function weekText(
    workspace: string,
    room: Room,
    from: Date,
    to: Date,
    zone: string,
  ): Promise<string | undefined> {
    const facts = await store.messages(workspace, from, to, room.id);
    const team = new Set(await services.directory.roomMembers(workspace, room).catch(() => [] as string[]));
    const rota = await deps.rota.rotaState(workspace, room.id);
    for (const m of rota?.queue ?? []) team.add(m);
    const questions = otherTeamQuestions(facts, (u) => team.has(u));
    const openLinks = new Map<string, string>();
    for (const q of questions.filter((q) => !q.answeredAt)) {
      const link = await services.directory.permalink(workspace, room, q.id).catch(() => undefined);
      openLinks.set(q.id, link ?? q.id);
    }
    const decisions = (await deps.decisions.list(workspace, { room: room.id, since: from, limit: 50 }))
      .filter((d) => d.at.getTime() < to.getTime() && d.status === "accepted")
      .sort((a, b) => a.number - b.number)
      .map((d) => ({ id: d.id, title: d.title, link: d.link, author: d.author.name }));
    let responders: RoomWeek["responders"];
    if (rota && !rota.rota.paused && rota.queue.length > 0) {
      const today = localDateOf(to, rota.rota.zone);
      const todayTurn = await deps.rota.turnOn(workspace, room.id, today);
      const end = localDateOf(new Date(to.getTime() + 7 * DAY_MS), rota.rota.zone);
      responders = upcomingTurns(rota, to, todayTurn, 7).filter((t) => t.date < end);
      if (todayTurn) responders.unshift({ date: today, responder: todayTurn.responder });
    }
    return composeRoomDigest({
      room: room.name,
      from,
      to,
      zone,
      messages: facts.length,
      decisions,
      questions,
      openLinks,
      hours,
      calls: threadsMovedToCall(facts),
      responders,
      broadcasts: facts.filter((f) => f.broadcast).length,
    });
  }

  function key(d: RoomDigest): string {
    return `digest:weekly:${d.workspace}:${d.room.id}`;
  }

  /** Arms the room's next digest; one that fell due a short while ago and was never posted comes first. */
  async function arm(d: RoomDigest): Promise<void> {
    const next = nextWeekly(now(), d.weekday, d.time, d.zone);
    const previous = weekBefore(next, d.zone);
    const missed =
      (d.since?.getTime() ?? Number.POSITIVE_INFINITY) < previous.getTime() &&
      now().getTime() - previous.getTime() < LATE_LIMIT_MS &&
      !(await claims.isClaimed(d.workspace, occurrenceKey(d, previous)));
    const at = missed ? now() : next;
    services.scheduler.at(at, key(d), () => post(d, missed ? previous : next));
  }

  /**
   * Posts the digest of `occurrence`. Its text needs platform lookups (members, permalinks), made
   * first; then the occurrence's claim and the post are saved in one transaction, so a crash leaves
   * either both (the outbox posts it after the restart) or neither (it is posted late, once). A
   * failure (the database cannot save) leaves it unclaimed and tries again a little later.
   */
  async function post(d: RoomDigest, occurrence: Date): Promise<void> {
    let retry = false;
    try {
      // The room may have switched its digest off, or moved it, since this was armed.
      const current = await store.room(d.workspace, d.room.id);
      if (!current || current.weekday !== d.weekday || current.time !== d.time || current.zone !== d.zone)
        return;
      const claim = occurrenceKey(d, occurrence);
      // Already posted elsewhere: no lookups for nothing.
      if (await claims.isClaimed(d.workspace, claim)) return;
      const room: Room = { workspace: d.workspace, ...d.room };
      const text = await weekText(d.workspace, room, weekBefore(occurrence, d.zone), occurrence, d.zone);
      await services.atomically(async () => {
        // A silent week is claimed too: the week is done, with nothing to say.
        if (!(await claims.claim(d.workspace, claim, now()))) return;
        if (text)
          await services.emit({
            workspace: d.workspace,
            action: "post",
            room,
            text,
            source: "digest.weekly",
          });
      });
    } catch (err) {
      retry = now().getTime() - occurrence.getTime() < LATE_LIMIT_MS;
      services.log.error("weekly digest failed", { room: d.room.id, retry, error: errorMessage(err) });
    } finally {
      if (retry)
        services.scheduler.at(new Date(now().getTime() + RETRY_MS), key(d), () => post(d, occurrence));
      else {
        const current = await store.room(d.workspace, d.room.id).catch(() => undefined);
        if (current) await arm(current);
      }
    }
  }

  const catchUps = new CatchUps({
    services,
    store,
    claims,
    decisions: deps.decisions,
    rota: deps.rota,
    hours,
    personalHours: deps.personalHours,
    mail: deps.mail,
  });

  const commands = digestCommands({
    services,
    store,
    settings,
    workspaceZone: deps.workspace.timezone,
    armed: (d) => arm(d),
    disarmed: (workspace, room) => services.scheduler.cancel(`digest:weekly:${workspace}:${room}`),
    weekNow: async (room) => {
      const to = now();
      const zone = (await store.room(room.workspace, room.id))?.zone ?? deps.workspace.timezone;
      return weekText(room.workspace, room, new Date(to.getTime() - 7 * DAY_MS), to, zone);
    },
  });

  return {
    name: "digest",
    roots: {
      digest: "a weekly digest of this room: decisions, questions from other teams, next week's responders",
    },
    commands: [...commands, ...catchUpCommands(catchUps)],
    onEvent(event: ChatEvent) {
      return event.type === "message" ? store.recordMessage(messageFacts(event.message)) : undefined;
    },
    async start(): Promise<void> {
      for (const d of await store.rooms()) await arm(d);
      await catchUps.start();
      // Facts are kept as long as the privacy setting allows, and no longer.
      services.scheduler.every("digest:purge", DAY_MS, now(), async () => {
        await store.purgeMessages(new Date(now().getTime() - deps.retentionDays * DAY_MS));
      });
    },
    async stop(): Promise<void> {
      for (const d of await store.rooms().catch(() => [])) services.scheduler.cancel(key(d));
      catchUps.stop();
      services.scheduler.cancel("digest:purge");
      await store.flush();
    },
  };
}

/** One claim per room and occurrence: the first process to claim it posts, the others stand down. */
function occurrenceKey(d: RoomDigest, occurrence: Date): string {
  return `digest:weekly:${d.room.id}:${occurrence.toISOString()}`;
}
