/**
 * Social (off by default): a weekly announcement of an open video call for chit-chat in a chosen
 * room. Remote teams lose the corridor; a standing, optional call gives some of it back.
 */
import { DateTime } from "luxon";
import { z } from "zod";
import { errorMessage } from "../error-message.js";
import type { Room } from "../model.js";
import { zoneName } from "../zones.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { parseDays } from "./working-hours.js";

export const socialSettings = z
  .strictObject({
    ...baseShape(false, 0),
    room: z
      .string()
      .default("")
      .describe("The room to announce in (id or name, e.g. `random`). Required when enabled."),
    day: z
      .enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
      .default("fri")
      .describe("Day of the week of the call: mon … sun."),
    time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time like 15:00")
      .default("15:00")
      .describe("Local time of the announcement (the call starts then)."),
    timezone: z
      .union([z.literal(""), zoneName])
      .default("")
      .describe("Time zone of `time`; empty: the workspace time zone."),
    workspace: z
      .string()
      .default("")
      .describe("Workspace id to announce in from start-up; empty: from the first message the bot sees."),
    linkTemplate: z
      .string()
      .min(1)
      .default("https://meet.jit.si/{name}")
      .describe("Call link; `{name}` is a stable name for this room's social call."),
  })
  // Enabled without a room, the call would never be announced anywhere: refuse it at start-up.
  .refine((social) => !social.enabled || social.room !== "", {
    path: ["room"],
    message: "is required when social is enabled (the room to announce the call in, e.g. random)",
  });

/** How long the call is open: an announcement later than that says nothing useful. */
const CALL_MINUTES = 30;
const RETRY_MS = 5 * 60_000;

/** Pure: the next announcement strictly after `after`. */
export function nextSocialCall(after: Date, day: string, time: string, tz: string): Date {
  const weekday = parseDays(day)?.[0] ?? 5;
  const [h, m] = time.split(":").map(Number);
  let local = DateTime.fromJSDate(after, { zone: tz });
  if (!local.isValid) local = DateTime.fromJSDate(after, { zone: "UTC" });
  let candidate = local.set({ hour: h ?? 15, minute: m ?? 0, second: 0, millisecond: 0 });
  const ahead = (weekday - candidate.weekday + 7) % 7;
  candidate = candidate.plus({ days: ahead });
  if (candidate.toMillis() <= after.getTime()) candidate = candidate.plus({ days: 7 });
  return candidate.toJSDate();
}

export const social = nudge({
  kind: "social",
  title: "Social",
  description: "a weekly open video call for chit-chat, announced in a chosen room (off by default)",
  // Announced in the one room its settings name: there is nothing for other rooms to tune.
  perRoom: false,
  settings: socialSettings,
  create(ctx) {
    const s = ctx.settings;
    const tz = s.timezone || ctx.workspaceTimezone;
    const roomName = s.room.replace(/^#/, "");
    const armed = new Set<string>();
    const arm = (workspace: string, after: Date) => {
      // On the local platform and Matrix rooms are addressed by `#name`; on Slack give the channel id.
      const room: Room = {
        workspace,
        id: /^[#!]/.test(s.room) ? s.room : s.room.match(/^[CG][A-Z0-9]+$/) ? s.room : `#${roomName}`,
        name: roomName,
        kind: "public",
      };
      const key = `nudge.social:${workspace}:${room.id}`;
      armed.add(key);
      const when = nextSocialCall(after, s.day, s.time, tz);
      ctx.services.scheduler.at(when, key, () => announce(workspace, room, key, when));
    };
    /**
     * The week's call: its claim (a restart or a second process never announces it twice) and the
     * post are saved together. Not saved (the database refused): tried again 5 minutes later while
     * the call is still on, then the next week's is armed.
     */
    const announce = async (workspace: string, room: Room, key: string, when: Date): Promise<void> => {
      const date = DateTime.fromJSDate(when, { zone: tz }).toISODate();
      const link = s.linkTemplate.replace(
        /\{name\}/g,
        `outloud-social-${roomName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
      );
      try {
        await ctx.offer({
          claim: () => ctx.claims.claim(workspace, `${key}:${date}`, ctx.services.clock.now()),
          recipients: [],
          toEveryone: true,
          action: {
            workspace,
            action: "post",
            room,
            source: "nudge.social",
            text: `Social call, open to all, for the next half hour: ${link}\nNo agenda: bring a coffee and say hi.`,
          },
        });
      } catch (err) {
        const now = ctx.services.clock.now();
        if (now.getTime() - when.getTime() < CALL_MINUTES * 60_000 - RETRY_MS) {
          ctx.services.log.warn("social call not saved; trying again", { error: errorMessage(err) });
          ctx.services.scheduler.at(new Date(now.getTime() + RETRY_MS), key, () =>
            announce(workspace, room, key, when),
          );
          return;
        }
        ctx.services.log.error("social call not announced", { error: errorMessage(err) });
      }
      arm(workspace, new Date(when.getTime() + 1000));
    };
    const active = () => s.enabled && s.room !== "";
    return {
      async start() {
        if (active() && s.workspace) arm(s.workspace, ctx.services.clock.now());
      },
      onMessage(message) {
        if (!active()) return undefined;
        const prefix = `nudge.social:${message.workspace}:`;
        for (const key of armed) if (key.startsWith(prefix)) return undefined;
        arm(message.workspace, message.at);
        return undefined;
      },
      async stop() {
        for (const key of armed) ctx.services.scheduler.cancel(key);
      },
    };
  },
});
