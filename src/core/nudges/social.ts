/**
 * Social (off by default): a weekly announcement of an open video call for chit-chat in a chosen
 * room. Remote teams lose the corridor; a standing, optional call gives some of it back.
 */
import { DateTime } from "luxon";
import { z } from "zod";
import type { Room } from "../model.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { parseDays } from "./working-hours.js";

export const socialSettings = z.strictObject({
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
  timezone: z.string().default("").describe("Time zone of `time`; empty: the workspace time zone."),
  workspace: z
    .string()
    .default("")
    .describe("Workspace id to announce in from start-up; empty: from the first message the bot sees."),
  linkTemplate: z
    .string()
    .min(1)
    .default("https://meet.jit.si/{name}")
    .describe("Call link; `{name}` is a stable name for this room's social call."),
});

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
      ctx.services.scheduler.at(when, key, async () => {
        const date = DateTime.fromJSDate(when, { zone: tz }).toISODate();
        // Claimed, so a restart or a second process never announces the same call twice.
        if (await ctx.claims.claim(workspace, `${key}:${date}`, ctx.services.clock.now())) {
          const link = s.linkTemplate.replace(
            /\{name\}/g,
            `outloud-social-${roomName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
          );
          await ctx.offer({
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
        }
        arm(workspace, new Date(when.getTime() + 1000));
      });
    };
    const active = () => s.enabled && s.room !== "";
    return {
      async start() {
        if (active() && s.workspace) arm(s.workspace, ctx.services.clock.now());
      },
      async onMessage(message) {
        if (!active() || [...armed].some((k) => k.startsWith(`nudge.social:${message.workspace}:`))) return;
        arm(message.workspace, message.at);
      },
      async stop() {
        for (const key of armed) ctx.services.scheduler.cancel(key);
      },
    };
  },
});
