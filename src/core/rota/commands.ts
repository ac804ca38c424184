/**
 * The `/rota …` commands as data: each has a pure parser (parse.ts) and an executor. Every change is
 * confirmed publicly in the room, naming who changed what; problems go privately to the caller with
 * the right form, and change nothing.
 */
import {
  type CommandContext,
  type CommandReply,
  type CommandSpec,
  command,
  noArgs,
} from "../commands/command.js";
import { isDirect } from "../model.js";
import { upcomingTurns } from "./forecast.js";
import {
  formatDays,
  parseAdd,
  parseAway,
  parseDays,
  parseDaysArgs,
  parseHolidays,
  parseOneMember,
  parseSetup,
  parseSwap,
  parseTime,
} from "./parse.js";
import { addMember, removeMember, swapTurns } from "./rotation.js";
import { addDays, canonicalZone, isAway } from "./schedule.js";
import type { RotaService } from "./service.js";
import type { Rota, RotaState } from "./store.js";

const error = (problem: string): CommandReply => ({ kind: "error", problem });
export function rotaCommands(rota: RotaService): CommandSpec[] {
  /** A rota command as typed on this platform, in code quotes: `` `/rota resume` `` or `` `!rota resume` ``. */
  const typed = (words: string) => `\`${rota.services.commands.spell(`rota ${words}`)}\``;
  /** Loads this room's rota, or answers that there is none. */
  async function withRota(
    ctx: CommandContext,
    run: (state: RotaState, caller: string) => Promise<CommandReply>,
  ): Promise<CommandReply> {
    const { invocation } = ctx;
    const state = await rota.load(invocation.workspace, invocation.room.id);
    if (!state) return error(`this room has no rota yet: start one with ${typed("setup @a @b @c")}`);
    return run(state, invocation.user);
  }

  /** `@name` → user id, or a problem naming who is unknown. */
  async function resolve(ctx: CommandContext, name: string): Promise<string | CommandReply> {
    const id = await rota.services.directory.findUser(ctx.invocation.workspace, `@${name}`);
    return id ?? error(`I don't know @${name}`);
  }

  async function resolveMember(
    ctx: CommandContext,
    state: RotaState,
    name: string,
  ): Promise<string | CommandReply> {
    const id = await resolve(ctx, name);
    if (typeof id !== "string") return id;
    return state.queue.includes(id) ? id : error(`@${name} is not in this room's rota`);
  }

  /** Saves changed settings, re-arms the timer, and says what changed and when the next one is. */
  async function change(state: RotaState, changes: Partial<Rota>, what: string): Promise<CommandReply> {
    const updated: Rota = { ...state.rota, ...changes, updatedAt: rota.now() };
    await rota.store.saveRota(updated);
    const next = await rota.changed(updated.workspace, updated.room);
    return { kind: "public", text: `${what}${nextText(updated, next?.date)}` };
  }

  function nextText(r: Rota, date: string | undefined): string {
    if (r.paused) return "";
    return date ? ` Next announcement: ${rota.formatDate(r, date)} at ${r.time} (${r.zone}).` : "";
  }

  function schedule(r: Rota): string {
    const holidays = r.holidays ? `, skipping ${r.holidays} public holidays` : "";
    return `at ${r.time} ${r.zone} on ${formatDays(r.days)}${holidays}`;
  }

  return [
    command({
      path: ["rota", "setup"],
      usage: "@a @b @c [at 09:30] [tz Europe/Madrid] [days mon-fri]",
      summary: "create or replace this room's rota (default 09:00, your time zone, mon-fri)",
      parse: parseSetup,
      async run(ctx, args) {
        const { invocation } = ctx;
        if (isDirect(invocation.room)) return error("a rota belongs in a team room, not a direct message");
        const members: string[] = [];
        for (const name of args.members) {
          const id = await resolve(ctx, name);
          if (typeof id !== "string") return id;
          if (!members.includes(id)) members.push(id);
        }
        const caller = await rota.services.directory.user(invocation.workspace, invocation.user);
        const previous = await rota.store.getRota(invocation.workspace, invocation.room.id);
        const created: Rota = {
          workspace: invocation.workspace,
          room: invocation.room.id,
          roomName: invocation.room.name,
          roomKind: invocation.room.kind,
          time: args.time ?? rota.settings.defaultTime,
          // A profile zone our tz data does not know falls back to UTC (and the confirmation says so).
          zone: args.zone ?? canonicalZone(caller.tz) ?? "UTC",
          days: args.days ?? parseDays(rota.settings.defaultDays) ?? [1, 2, 3, 4, 5],
          // Holidays and the late-announcement choice outlive a re-setup: they are about the team, not its list.
          holidays: previous?.holidays ?? null,
          paused: false,
          lateAnnouncement: previous?.lateAnnouncement ?? null,
          updatedAt: rota.now(),
        };
        await rota.store.saveRota(created);
        await rota.store.setMembers(created.workspace, created.room, members);
        await rota.problems.setUp(created, invocation.user);
        const next = await rota.changed(created.workspace, created.room);
        const list = members.map((m) => `@${m}`).join(", ");
        return {
          kind: "public",
          text: `@${invocation.user} ${previous ? "replaced" : "set up"} this room's rota: ${list}, announced ${schedule(created)}.${nextText(created, next?.date)}`,
        };
      },
    }),

    command({
      path: ["rota", "who"],
      usage: "",
      summary: "today's responder and the next five working days",
      parse: noArgs,
      run: (ctx) =>
        withRota(ctx, async (state) => {
          const r = state.rota;
          const today = rota.today(r);
          const todayTurn = await rota.store.turnOn(r.workspace, r.room, today);
          const lines = [
            todayTurn
              ? `Today's responder: @${todayTurn.responder}.`
              : "Nobody has been announced as responder today yet.",
          ];
          if (r.paused) lines.push(`The rota is paused: ${typed("resume")} restarts it.`);
          else if (state.queue.length === 0) lines.push(`The rota has no members: ${typed("add @x")}.`);
          else {
            const plan = upcomingTurns(state, rota.now(), todayTurn, 5);
            lines.push("Next:");
            for (const p of plan) lines.push(`• ${rota.formatDate(r, p.date)}: @${p.responder ?? "nobody"}`);
          }
          const lastTurn = (await rota.store.recentTurns(r.workspace, r.room, 1))[0];
          const problem = await rota.problems.current(r, lastTurn);
          if (problem) lines.push(`Problem: ${problem.reason}. ${problem.fix}`);
          return { kind: "private", text: lines.join("\n") };
        }),
    }),

    command({
      path: ["rota", "add"],
      usage: "@x [after @y]",
      summary: "add someone: last in line, or right after @y",
      parse: parseAdd,
      run: (ctx, args) =>
        withRota(ctx, async (state, caller) => {
          const id = await resolve(ctx, args.member);
          if (typeof id !== "string") return id;
          if (state.queue.includes(id)) return error(`@${args.member} is already in the rota`);
          let after: string | undefined;
          if (args.after !== undefined) {
            const found = await resolveMember(ctx, state, args.after);
            if (typeof found !== "string") return found;
            after = found;
          }
          await rota.store.setMembers(
            state.rota.workspace,
            state.rota.room,
            addMember(state.queue, id, after),
          );
          await rota.changed(state.rota.workspace, state.rota.room);
          const where = after ? `right after @${after}` : "last in line";
          return { kind: "public", text: `@${caller} added @${id} to the rota, ${where}.` };
        }),
    }),

    command({
      path: ["rota", "remove"],
      usage: "@x",
      summary: "take someone out of the rota",
      parse: parseOneMember,
      run: (ctx, args) =>
        withRota(ctx, async (state, caller) => {
          const id = await resolveMember(ctx, state, args.member);
          if (typeof id !== "string") return id;
          await rota.store.setMembers(state.rota.workspace, state.rota.room, removeMember(state.queue, id));
          await rota.changed(state.rota.workspace, state.rota.room);
          return { kind: "public", text: `@${caller} removed @${id} from the rota.` };
        }),
    }),

    command({
      path: ["rota", "skip"],
      usage: "",
      summary: "today's responder passes to the next person, and is first in line next time",
      parse: noArgs,
      run: (ctx) =>
        withRota(ctx, async (state, caller) => {
          if (state.rota.paused) return error(`the rota is paused: ${typed("resume")} first`);
          const today = rota.today(state.rota);
          const current = await rota.store.turnOn(state.rota.workspace, state.rota.room, today);
          if (!current) return error("nobody is on duty yet today, so there is no turn to skip");
          const result = await rota.skip(state, today, current);
          if (!result.ok) return error(result.problem);
          const by =
            caller === current.responder
              ? `@${caller} passed today's turn`
              : `@${caller} skipped @${current.responder}'s turn`;
          // The room hears about the change before the topic, group and hand-over follow it.
          return {
            kind: "public",
            text: `${by}: today's responder is now @${result.turn.responder}. @${current.responder} is first in line next time.`,
            mentions: [result.turn.responder],
            followUps: await rota.skipFollowUps(state.rota, result.turn, current.responder),
          };
        }),
    }),

    command({
      path: ["rota", "swap"],
      usage: "@a @b",
      summary: "swap the next turns of two people",
      parse: parseSwap,
      run: (ctx, args) =>
        withRota(ctx, async (state, caller) => {
          const a = await resolveMember(ctx, state, args.a);
          if (typeof a !== "string") return a;
          const b = await resolveMember(ctx, state, args.b);
          if (typeof b !== "string") return b;
          await rota.store.setMembers(state.rota.workspace, state.rota.room, swapTurns(state.queue, a, b));
          return { kind: "public", text: `@${caller} swapped the next turns of @${a} and @${b}.` };
        }),
    }),

    command({
      path: ["rota", "away"],
      usage: "@x 2026-12-24..2026-12-31",
      summary: "someone is out of office: skipped on those days, keeping their place",
      parse: parseAway,
      run: (ctx, args) =>
        withRota(ctx, async (state, caller) => {
          const id = await resolveMember(ctx, state, args.member);
          if (typeof id !== "string") return id;
          if (args.to < rota.today(state.rota)) return error(`${args.to} is already over`);
          await rota.store.addAway(state.rota.workspace, state.rota.room, {
            member: id,
            from: args.from,
            to: args.to,
          });
          await rota.changed(state.rota.workspace, state.rota.room);
          const span = args.from === args.to ? `on ${args.from}` : `from ${args.from} to ${args.to}`;
          return {
            kind: "public",
            text: `@${caller} marked @${id} away ${span}: skipped then, keeping their place in line.`,
          };
        }),
    }),

    command({
      path: ["rota", "back"],
      usage: "@x",
      summary: "someone is back: they take turns again",
      parse: parseOneMember,
      run: (ctx, args) =>
        withRota(ctx, async (state, caller) => {
          const id = await resolveMember(ctx, state, args.member);
          if (typeof id !== "string") return id;
          const today = rota.today(state.rota);
          if (!state.away.some((r) => r.member === id && r.to >= today))
            return error(`@${id} is not marked away`);
          await rota.store.endAway(state.rota.workspace, state.rota.room, id, today);
          await rota.changed(state.rota.workspace, state.rota.room);
          return { kind: "public", text: `@${caller} marked @${id} back: they take turns again.` };
        }),
    }),

    command({
      path: ["rota", "time"],
      usage: "10:00 [tz Europe/Madrid]",
      summary: "change the announcement time (and time zone)",
      parse: parseTime,
      run: (ctx, args) =>
        withRota(ctx, (state, caller) => {
          const zone = args.zone ?? state.rota.zone;
          return change(
            state,
            { time: args.time, zone },
            `@${caller} moved the announcement to ${args.time} ${zone}.`,
          );
        }),
    }),

    command({
      path: ["rota", "days"],
      usage: "mon,tue,thu",
      summary: "change the working days",
      parse: parseDaysArgs,
      run: (ctx, args) =>
        withRota(ctx, (state, caller) =>
          change(
            state,
            { days: args.days },
            `@${caller} set the rota's working days to ${formatDays(args.days)}.`,
          ),
        ),
    }),

    command({
      path: ["rota", "holidays"],
      usage: "ES[-MD] | none",
      summary: "skip the public holidays of a country or region",
      parse: parseHolidays,
      run: (ctx, args) =>
        withRota(ctx, (state, caller) =>
          change(
            state,
            { holidays: args.code },
            args.code
              ? `@${caller} set the rota to skip ${args.code} public holidays.`
              : `@${caller} set the rota to ignore public holidays.`,
          ),
        ),
    }),

    command({
      path: ["rota", "pause"],
      usage: "",
      summary: "stop announcing until resumed",
      parse: noArgs,
      run: (ctx) =>
        withRota(ctx, (state, caller) => {
          if (state.rota.paused) return Promise.resolve(error("the rota is already paused"));
          return change(
            state,
            { paused: true },
            `@${caller} paused the rota: no announcements until ${typed("resume")}.`,
          );
        }),
    }),

    command({
      path: ["rota", "resume"],
      usage: "",
      summary: "start announcing again",
      parse: noArgs,
      run: (ctx) =>
        withRota(ctx, (state, caller) => {
          if (!state.rota.paused) return Promise.resolve(error("the rota is not paused"));
          return change(state, { paused: false }, `@${caller} resumed the rota.`);
        }),
    }),

    command({
      path: ["rota", "announce"],
      usage: "",
      summary: "post today's announcement now",
      parse: noArgs,
      run: (ctx) =>
        withRota(ctx, async (state) => {
          const r = state.rota;
          if (r.paused) return error(`the rota is paused: ${typed("resume")} first`);
          if (state.queue.length === 0) return error(`the rota has no members: ${typed("add @x")}`);
          const today = rota.today(r);
          const existing = await rota.store.turnOn(r.workspace, r.room, today);
          if (existing) return { kind: "silent", followUps: rota.repeatedAnnouncement(r, existing) };
          const turn = await rota.announce(state, today, { late: false });
          if (!turn) {
            // Another process claimed today a moment ago, or nobody is available: show what stands.
            const now = await rota.store.turnOn(r.workspace, r.room, today);
            if (!now) return error("nobody in the rota is available today");
            await rota.arm(r.workspace, r.room);
            return { kind: "silent", followUps: rota.repeatedAnnouncement(r, now) };
          }
          await rota.arm(r.workspace, r.room);
          // The announcement went out like a scheduled one (claimed, with topic, group and hand-over).
          return { kind: "silent" };
        }),
    }),

    command({
      path: ["rota", "history"],
      usage: "",
      summary: "the last ten responders",
      parse: noArgs,
      run: (ctx) =>
        withRota(ctx, async (state) => {
          const turns = await rota.store.recentTurns(state.rota.workspace, state.rota.room, 10);
          if (turns.length === 0) return { kind: "private", text: "No announcements yet." };
          const lines = turns.map((t) => {
            const notes = [
              t.late ? "late" : "",
              t.skipped.length ? `${t.skipped.map((s) => `@${s}`).join(", ")} passed` : "",
            ];
            const extra = notes.filter(Boolean).join("; ");
            return `• ${rota.formatDate(state.rota, t.date)}: @${t.responder}${extra ? ` (${extra})` : ""}`;
          });
          return { kind: "private", text: ["Last responders:", ...lines].join("\n") };
        }),
    }),

    command({
      path: ["rota", "stats"],
      usage: "",
      summary: "turns per member over the last 90 days",
      parse: noArgs,
      run: (ctx) =>
        withRota(ctx, async (state) => {
          const from = addDays(rota.today(state.rota), -89);
          const counts = await rota.store.turnCounts(state.rota.workspace, state.rota.room, from);
          const people = [...new Set([...state.queue, ...counts.keys()])];
          people.sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || a.localeCompare(b));
          const away = (m: string) => (isAway(m, rota.today(state.rota), state.away) ? " (away today)" : "");
          const lines = people.map((m) => {
            const former = state.queue.includes(m) ? "" : " (no longer in the rota)";
            return `• @${m}: ${counts.get(m) ?? 0}${away(m)}${former}`;
          });
          return { kind: "private", text: [`Turns since ${from}:`, ...lines].join("\n") };
        }),
    }),
  ];
}
