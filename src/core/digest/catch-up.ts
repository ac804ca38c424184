/**
 * The personal catch-up, opt-in (`/outloud digest daily|weekly|off`, `/outloud digest email me@…`):
 * at the start of the person's working day (their zone, their hours), what they would otherwise scroll
 * for: decisions in their rooms since their last working day, threads that mention them and got no
 * answer from them, their next rota turn, and other teams' questions waiting where they are today's
 * responder. By DM, or by e-mail once the address is confirmed with a code. Nothing to say: no message.
 */
import { randomInt } from "node:crypto";
import { command, ok, type Parsed, problem } from "../commands/command.js";
import type { DecisionStore } from "../decisions/store.js";
import { errorMessage } from "../error-message.js";
import type { CoreServices } from "../feature.js";
import type { Room } from "../model.js";
import { localDate, type WorkingHours } from "../nudges/working-hours.js";
import { formatDay, nextDuty } from "../rota/forecast.js";
import { localDateOf } from "../rota/schedule.js";
import type { RotaStore } from "../rota/store.js";
import type { ClaimStore } from "../stores.js";
import { otherTeamQuestions } from "./compose.js";
import { nextWorkdayStart, previousWorkdayStart } from "./schedule.js";
import type { Cadence, DigestStore, PersonalDigest } from "./store.js";

const DAY_MS = 24 * 60 * 60_000;
/** How far back "your rooms" looks: rooms where the person spoke or was named lately. */
const ROOMS_LOOKBACK_MS = 28 * DAY_MS;
/** The wait before a catch-up that could not be sent (nothing claimed) is tried again. */
const RETRY_MS = 5 * 60_000;

export interface CatchUpDeps {
  services: CoreServices;
  store: DigestStore;
  claims: ClaimStore;
  decisions: DecisionStore;
  rota: RotaStore;
  hours: WorkingHours;
  /** The person's own working hours (`/outloud hours`), when they set them. */
  personalHours?(workspace: string, user: string): Promise<WorkingHours | undefined>;
  /** Sends a plain-text mail; absent when no SMTP server is configured. */
  mail?(to: string, subject: string, text: string): Promise<void>;
}

export class CatchUps {
  constructor(private readonly deps: CatchUpDeps) {}

  private now(): Date {
    return this.deps.services.clock.now();
  }

  async start(): Promise<void> {
    for (const p of await this.deps.store.people()) await this.arm(p);
  }

  stop(): void {
    // Timers are per person; the scheduler drops them with the process. Nothing else runs.
  }

  private key(p: { workspace: string; user: string }): string {
    return `digest:catch-up:${p.workspace}:${p.user}`;
  }

  async arm(p: PersonalDigest): Promise<void> {
    const { tz, hours } = await this.personOf(p.workspace, p.user);
    const at = nextWorkdayStart(this.now(), tz, hours);
    this.deps.services.scheduler.at(at, this.key(p), () => this.run(p.workspace, p.user, at));
  }

  disarm(workspace: string, user: string): void {
    this.deps.services.scheduler.cancel(this.key({ workspace, user }));
  }

  private async personOf(workspace: string, user: string): Promise<{ tz: string; hours: WorkingHours }> {
    const tz = (await this.deps.services.directory.user(workspace, user).catch(() => undefined))?.tz ?? "UTC";
    const hours =
      (await this.deps.personalHours?.(workspace, user).catch(() => undefined)) ?? this.deps.hours;
    return { tz, hours };
  }

  /**
   * The catch-up due at `at`. Its text needs platform lookups, made first. By DM, the day's claim and
   * the DM are saved in one transaction: a crash leaves both (the outbox sends it after the restart) or
   * neither (it is sent late, once). An e-mail cannot join the transaction: the day is claimed first
   * and the mail sent after, so a crash between the two loses that day's mail, never doubles it.
   * A failure to save leaves the day unclaimed and tries again a little later the same day.
   */
  private async run(workspace: string, user: string, at: Date): Promise<void> {
    const p = await this.deps.store.person(workspace, user);
    if (!p) return;
    let retry = false;
    const { tz, hours } = await this.personOf(workspace, user);
    const day = localDate(at, tz);
    try {
      // Weekly: on the first working day of the week only.
      const since = previousWorkdayStart(at, tz, hours);
      const weekly = p.cadence === "weekly";
      if (weekly && localDate(since, tz) >= weekStart(day)) return;
      const claim = `digest:catch-up:${user}:${day}`;
      // Already sent elsewhere: no lookups for nothing.
      if (await this.deps.claims.isClaimed(workspace, claim)) return;
      const from = weekly ? new Date(at.getTime() - 7 * DAY_MS) : since;
      const text = await this.compose(workspace, user, from, at);
      const { mail } = this.deps;
      if (p.email && mail) {
        if (!(await this.deps.claims.claim(workspace, claim, this.now())) || !text) return;
        await mail(p.email, `Your catch-up for ${formatDay(day)}`, text);
        return;
      }
      await this.deps.services.atomically(async () => {
        if (!(await this.deps.claims.claim(workspace, claim, this.now())) || !text) return;
        await this.deps.services.emit({ workspace, action: "dm", user, text, source: "digest.catch-up" });
      });
    } catch (err) {
      // Within its own day only: tomorrow brings tomorrow's catch-up.
      retry = localDate(this.now(), tz) === day;
      this.deps.services.log.error("catch-up failed", { user, retry, error: errorMessage(err) });
    } finally {
      if (retry) this.retry(workspace, user, at);
      else {
        const current = await this.deps.store.person(workspace, user).catch(() => undefined);
        if (current) await this.arm(current);
      }
    }
  }

  /** Runs the catch-up due at `at` again after a short wait. */
  private retry(workspace: string, user: string, at: Date): void {
    const when = new Date(this.now().getTime() + RETRY_MS);
    this.deps.services.scheduler.at(when, this.key({ workspace, user }), () => this.run(workspace, user, at));
  }

  /** The catch-up's text for `user` over [from, to), or undefined when there is nothing to tell. */
  async compose(workspace: string, user: string, from: Date, to: Date): Promise<string | undefined> {
    const { directory } = this.deps.services;
    const recent = await this.deps.store.messages(workspace, new Date(to.getTime() - ROOMS_LOOKBACK_MS), to);
    const rooms = new Map<string, Room>();
    for (const f of recent) {
      if (f.room.kind === "dm" || f.room.kind === "group-dm" || rooms.has(f.room.id)) continue;
      const room: Room = { workspace, ...f.room };
      // Only rooms the person is in: a private room's decisions are for its members.
      const members = await directory.roomMembers(workspace, room).catch(() => [] as string[]);
      if (members.includes(user)) rooms.set(room.id, room);
    }
    const lines: string[] = [];
    const decisions = (await this.deps.decisions.list(workspace, { since: from, limit: 100 })).filter(
      (d) => rooms.has(d.room.id) && d.at.getTime() < to.getTime() && d.status === "accepted",
    );
    if (decisions.length) {
      lines.push("*Decisions in your rooms*");
      for (const d of decisions)
        lines.push(`• ${d.id} ${d.title} (#${d.room.name}, @${d.author.name})${d.link ? ` ${d.link}` : ""}`);
    }
    // Threads that named the person and where they have not spoken since.
    const waiting = new Map<string, { room: Room; id: string }>();
    for (const f of recent) {
      const room = rooms.get(f.room.id);
      if (!room) continue;
      const thread = f.thread ?? f.id;
      if (f.user === user) waiting.delete(`${room.id}\u0000${thread}`);
      else if (f.at.getTime() >= from.getTime() && f.mentions.includes(user))
        waiting.set(`${room.id}\u0000${thread}`, { room, id: f.id });
    }
    if (waiting.size) {
      lines.push("*Threads that mention you, waiting for your answer*");
      for (const w of waiting.values())
        lines.push(
          `• #${w.room.name}: ${(await directory.permalink(workspace, w.room, w.id).catch(() => undefined)) ?? w.id}`,
        );
    }
    // Something new to tell; a rota turn alone is news only on the day itself.
    let news = lines.length > 0;
    for (const state of await this.rotasOf(workspace, user)) {
      const today = localDateOf(to, state.rota.zone);
      const todayTurn = await this.deps.rota.turnOn(workspace, state.rota.room, today);
      const duty = nextDuty(state, user, to, todayTurn);
      const roomName = rooms.get(state.rota.room)?.name ?? state.rota.room;
      if (duty)
        lines.push(`*Your next rota turn* in #${roomName}: ${duty === today ? "today" : formatDay(duty)}`);
      if (todayTurn?.responder !== user) continue;
      const facts = recent.filter(
        (f) => f.room.id === state.rota.room && f.at.getTime() >= to.getTime() - 7 * DAY_MS,
      );
      const open = otherTeamQuestions(facts, (u) => state.queue.includes(u)).filter((q) => !q.answeredAt);
      if (open.length) news = true;
      if (open.length)
        lines.push(
          `*Questions from other teams waiting* in #${roomName}, where you are today's responder: ${open.length}`,
        );
    }
    return news ? ["Your catch-up:", ...lines].join("\n") : undefined;
  }

  private async rotasOf(workspace: string, user: string) {
    const states = [];
    for (const r of await this.deps.rota.listRotas()) {
      if (r.workspace !== workspace || r.paused) continue;
      const state = await this.deps.rota.rotaState(workspace, r.room);
      if (state?.queue.includes(user)) states.push(state);
    }
    return states;
  }

  async optIn(workspace: string, user: string, cadence: Cadence, at: Date): Promise<void> {
    const current = await this.deps.store.person(workspace, user);
    const p: PersonalDigest = { ...current, workspace, user, cadence };
    await this.deps.store.savePerson(p, at);
    await this.arm(p);
  }

  async optOut(workspace: string, user: string): Promise<boolean> {
    this.disarm(workspace, user);
    return this.deps.store.removePerson(workspace, user);
  }

  /** Sends a code to the address; the address is used once the code comes back. */
  async askEmail(workspace: string, user: string, email: string, at: Date): Promise<string> {
    if (!this.deps.mail)
      return "E-mail is not set up on this server (no SMTP_URL): your catch-up comes as a direct message.";
    const code = String(randomInt(100_000, 1_000_000));
    const current = await this.deps.store.person(workspace, user);
    await this.deps.store.savePerson(
      {
        workspace,
        user,
        cadence: current?.cadence ?? "daily",
        ...(current?.email ? { email: current.email } : {}),
        pending: { email, code },
      },
      at,
    );
    await this.deps.mail(
      email,
      "Confirm your Outloud catch-up address",
      `Your confirmation code is ${code}.`,
    );
    return `I sent a code to ${email}. Type \`/outloud digest confirm CODE\` to get your catch-up there.`;
  }

  async confirmEmail(workspace: string, user: string, code: string, at: Date): Promise<string> {
    const current = await this.deps.store.person(workspace, user);
    if (!current?.pending || current.pending.code !== code)
      return "That code does not match the last one I sent.";
    const { pending: _, ...rest } = current;
    const p: PersonalDigest = { ...rest, email: current.pending.email };
    await this.deps.store.savePerson(p, at);
    await this.arm(p);
    return `Confirmed: your ${p.cadence} catch-up goes to ${p.email}.`;
  }
}

/** Monday of the week of a local date `YYYY-MM-DD`. */
function weekStart(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * DAY_MS).toISOString().slice(0, 10);
}

type CatchUpArgs = { cadence: Cadence | "off" } | { email: string } | { code: string };

/** `daily`, `weekly`, `off`, `email me@example.org`, `confirm 123456`. */
export function parseCatchUp(words: readonly string[]): Parsed<CatchUpArgs> {
  const [first, second, ...rest] = words.map((w) => w.trim());
  const word = first?.toLowerCase();
  if (rest.length) return problem(`unexpected "${rest.join(" ")}"`);
  if ((word === "daily" || word === "weekly" || word === "off") && !second) return ok({ cadence: word });
  if (word === "email") {
    const email = second?.replace(/^mailto:/i, "").replace(/^<|>$/g, "");
    if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      return problem(`"${second ?? ""}" is not an e-mail address`);
    return ok({ email });
  }
  if (word === "confirm" && second && /^\d{6}$/.test(second)) return ok({ code: second });
  return problem("say daily, weekly, off, email you@example.org, or confirm CODE");
}

export function catchUpCommands(catchUps: CatchUps) {
  return [
    command({
      path: ["outloud", "digest"],
      usage: "daily|weekly|off | email you@example.org | confirm CODE",
      summary:
        "a private catch-up at the start of your working day: decisions, threads waiting for you, your rota turn",
      parse: parseCatchUp,
      run: async (ctx, args) => {
        const { workspace, user, at } = ctx.invocation;
        if ("email" in args)
          return { kind: "private", text: await catchUps.askEmail(workspace, user, args.email, at) };
        if ("code" in args)
          return { kind: "private", text: await catchUps.confirmEmail(workspace, user, args.code, at) };
        if (args.cadence === "off") {
          const was = await catchUps.optOut(workspace, user);
          return { kind: "private", text: was ? "Your catch-up is off." : "You had no catch-up." };
        }
        await catchUps.optIn(workspace, user, args.cadence, at);
        const when = args.cadence === "daily" ? "each working day" : "on the first working day of each week";
        return {
          kind: "private",
          text: `You will get a catch-up ${when}, at the start of your working hours. \`${ctx.prefix}outloud digest off\` stops it.`,
        };
      },
    }),
  ];
}
