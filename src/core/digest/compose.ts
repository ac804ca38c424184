/**
 * The texts of the digests, as pure functions of what happened: a room's week, or one person's
 * catch-up. Short on purpose: each section is one line or a few bullets, and empty ones are left out.
 */
import { DateTime } from "luxon";
import type { WorkingHours } from "../nudges/working-hours.js";
import type { MessageFacts } from "./store.js";
import { median, workingMinutesBetween } from "./working-time.js";

export interface DigestDecision {
  id: string;
  title: string;
  link?: string;
  author: string;
}

export interface OtherTeamQuestion {
  id: string;
  asker: string;
  at: Date;
  /** When someone other than the asker first replied in its thread. */
  answeredAt?: Date;
}

/** Everything a room's weekly digest says. */
export interface RoomWeek {
  room: string;
  /** The week: [from, to). */
  from: Date;
  to: Date;
  zone: string;
  messages: number;
  decisions: DigestDecision[];
  questions: OtherTeamQuestion[];
  /** Links (or ids) of the questions still open. */
  openLinks: Map<string, string>;
  /** Working minutes to each answered question's first answer. */
  hours: WorkingHours;
  calls: number;
  /** Next week's rota, when the room has one. */
  responders?: { date: string; responder?: string }[];
  broadcasts: number;
}

/**
 * Questions from outside the team (`isTeam` says who is in it) asked as top-level messages, each with
 * its first answer: a reply in its thread from someone other than the asker.
 */
export function otherTeamQuestions(
  facts: readonly MessageFacts[],
  isTeam: (user: string) => boolean,
): OtherTeamQuestion[] {
  const questions = new Map<string, OtherTeamQuestion>();
  for (const f of facts) {
    if (!f.thread && f.question && !isTeam(f.user))
      questions.set(f.id, { id: f.id, asker: f.user, at: f.at });
    const q = f.thread ? questions.get(f.thread) : undefined;
    if (q && !q.answeredAt && f.user !== q.asker) q.answeredAt = f.at;
  }
  return [...questions.values()];
}

/** Thread roots that got a link to a video call. */
export function threadsMovedToCall(facts: readonly MessageFacts[]): number {
  return new Set(facts.filter((f) => f.callLink && f.thread).map((f) => f.thread)).size;
}

/** The room's digest, or undefined when the room was silent all week (no post at all). */
export function composeRoomDigest(week: RoomWeek): string | undefined {
  if (week.messages === 0 && week.decisions.length === 0) return undefined;
  const span = `${day(week.from, week.zone)} – ${day(new Date(week.to.getTime() - 1), week.zone)}`;
  const head = `*Weekly digest for #${week.room}*, ${span}`;
  const lines: string[] = [];
  if (week.decisions.length > 0) {
    lines.push(`*Decisions* (${week.decisions.length})`);
    for (const d of week.decisions)
      lines.push(`• ${d.id} ${d.title} (@${d.author})${d.link ? ` ${d.link}` : ""}`);
  }
  if (week.questions.length > 0) {
    const answered = week.questions.filter((q) => q.answeredAt);
    const minutes = median(
      answered.map((q) => workingMinutesBetween(q.at, q.answeredAt!, week.zone, week.hours)),
    );
    const open = week.questions.filter((q) => !q.answeredAt);
    lines.push(
      `*Questions from other teams*: ${week.questions.length} asked, ${answered.length} answered` +
        (minutes === undefined ? "" : `, median first answer ${workingDuration(minutes)}`) +
        (open.length ? `, ${open.length} still open:` : ""),
    );
    for (const q of open) lines.push(`• from @${q.asker}: ${week.openLinks.get(q.id) ?? q.id}`);
  }
  if (week.calls > 0) lines.push(`*Threads that moved to a call*: ${week.calls}`);
  const quiet = lines.length === 0 && week.broadcasts === 0;
  if (week.responders && week.responders.length > 0)
    lines.push(
      `*Next week's responders*: ${week.responders.map((r) => `${day(r.date, week.zone)} @${r.responder ?? "nobody"}`).join(", ")}`,
    );
  if (week.broadcasts > 0) lines.push(`*@channel / @here*: ${week.broadcasts}`);
  if (quiet)
    lines.unshift("A quiet week: no decisions recorded, no questions from other teams, no @channel.");
  return [head, ...lines].join("\n");
}

/** `45 working minutes` or `3.5 working hours`. */
export function workingDuration(minutes: number): string {
  return minutes < 90
    ? `${Math.round(minutes)} working minutes`
    : `${(minutes / 60).toFixed(1)} working hours`;
}

/** `Mon 2 Nov` for an instant in a zone, or for a local date `YYYY-MM-DD`. */
function day(at: Date | string, zone: string): string {
  const dt =
    typeof at === "string" ? DateTime.fromISO(at, { zone: "UTC" }) : DateTime.fromJSDate(at, { zone });
  return dt.setLocale("en-GB").toFormat("ccc d LLL");
}
