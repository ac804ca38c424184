/** `/digest setup [weekly] [mon] [09:30] [tz Zone]`, `/digest off`, `/digest now`: commands are data, parsers pure. */
import { command, noArgs, ok, type Parsed, problem } from "../commands/command.js";
import type { CoreServices } from "../feature.js";
import { isDirect, type Room } from "../model.js";
import { normaliseTime } from "../rota/parse.js";
import { canonicalZone, parseClockTime } from "../rota/schedule.js";
import { DIGEST_WEEKDAYS, type DigestSettings, roomDefaultsFor } from "./settings.js";
import type { DigestStore, RoomDigest } from "./store.js";

export interface DigestSetupArgs {
  weekday?: number;
  time?: string;
  zone?: string;
}

const WEEKDAY_WORDS = [
  ["mon", "monday"],
  ["tue", "tuesday"],
  ["wed", "wednesday"],
  ["thu", "thursday"],
  ["fri", "friday"],
  ["sat", "saturday"],
  ["sun", "sunday"],
];

/** `[weekly] [mon] [09:30 | at 09:30] [tz Europe/Madrid]`, in any order. */
export function parseDigestSetup(words: readonly string[]): Parsed<DigestSetupArgs> {
  const args: DigestSetupArgs = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!.toLowerCase();
    const weekday = WEEKDAY_WORDS.findIndex((names) => names.includes(word));
    if (word === "weekly") continue;
    if (weekday >= 0) {
      if (args.weekday) return problem("name one day of the week");
      args.weekday = weekday + 1;
    } else if (word === "at" || parseClockTime(word) !== undefined) {
      const time = word === "at" ? words[++i] : word;
      if (time === undefined || parseClockTime(time) === undefined)
        return problem(`"${time ?? ""}" is not a time: use HH:MM, e.g. 09:30`);
      args.time = normaliseTime(time);
    } else if (word === "tz") {
      const name = words[++i];
      const zone = name === undefined ? undefined : canonicalZone(name);
      if (!zone) return problem(`unknown time zone "${name ?? ""}": use an IANA name such as Europe/Madrid`);
      args.zone = zone;
    } else {
      return problem(`"${words[i]}" is neither a day (mon…sun), a time (09:30) nor tz Zone`);
    }
  }
  return ok(args);
}

export interface DigestCommandDeps {
  services: CoreServices;
  store: DigestStore;
  settings: DigestSettings;
  workspaceZone: string;
  armed(digest: RoomDigest): Promise<void>;
  disarmed(workspace: string, room: string): void;
  /** The digest of the last seven days, as it would be posted; undefined when the room was silent. */
  weekNow(room: Room): Promise<string | undefined>;
}

export function digestCommands(deps: DigestCommandDeps) {
  const roomOnly = (room: Room) =>
    isDirect(room) ? "a digest is for a team's room, not a direct conversation" : undefined;
  return [
    command({
      path: ["digest", "setup"],
      usage: "[weekly] [mon] [09:30] [tz Europe/Madrid]",
      summary:
        "post this room's weekly digest (decisions, questions from other teams, next week's responders)",
      parse: parseDigestSetup,
      run: async (ctx, args) => {
        const { room, workspace, at } = ctx.invocation;
        const notHere = roomOnly(room);
        if (notHere) return { kind: "error", problem: notHere };
        const defaults = roomDefaultsFor(deps.settings, room.name, deps.workspaceZone);
        const digest: RoomDigest = {
          workspace,
          room: { id: room.id, name: room.name, kind: room.kind },
          weekday: args.weekday ?? defaults.weekday,
          time: args.time ?? defaults.time,
          zone: args.zone ?? defaults.zone,
          since: at,
        };
        await deps.store.saveRoom(digest, at);
        await deps.armed(digest);
        const day = DIGEST_WEEKDAYS[digest.weekday - 1]!;
        return {
          kind: "public",
          text:
            `This room gets a weekly digest every ${day} at ${digest.time} (${digest.zone}): decisions, ` +
            `questions from other teams, threads that moved to a call, next week's responders. ` +
            `\`${ctx.prefix}digest off\` stops it.`,
        };
      },
    }),
    command({
      path: ["digest", "off"],
      usage: "",
      summary: "stop this room's weekly digest",
      parse: noArgs,
      run: async (ctx) => {
        const { room, workspace } = ctx.invocation;
        if (!(await deps.store.removeRoom(workspace, room.id)))
          return { kind: "private", text: "This room has no weekly digest." };
        deps.disarmed(workspace, room.id);
        return {
          kind: "public",
          text: `Weekly digest stopped. \`${ctx.prefix}digest setup\` starts it again.`,
        };
      },
    }),
    command({
      path: ["digest", "now"],
      usage: "",
      summary: "post the digest of the last seven days here now",
      parse: noArgs,
      run: async (ctx) => {
        const notHere = roomOnly(ctx.invocation.room);
        if (notHere) return { kind: "error", problem: notHere };
        const text = await deps.weekNow(ctx.invocation.room);
        return text
          ? { kind: "public", text }
          : { kind: "private", text: "Nothing to sum up: this room was silent for the last seven days." };
      },
    }),
  ];
}
