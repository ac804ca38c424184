/**
 * @channel / @here / @room: a private tip saying how many people the message just notified (and how
 * many of them outside working hours), with quieter ways to reach the right people.
 */
import { z } from "zod";
import type { ChatMessage } from "../model.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { isWorkingTime } from "./working-hours.js";

export const broadcastSettings = z.strictObject({
  ...baseShape(true, 60),
  minMembers: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(6)
    .describe("Rooms with fewer people than this are small enough for a whole-room mention."),
});

/** Members whose hours are looked up; beyond it the out-of-hours count is an estimate from this sample. */
const HOURS_SAMPLE = 200;

export const broadcast = nudge({
  kind: "broadcast",
  title: "Broadcast",
  description: "a private tip on how many people an @channel, @here or @room notified, and quieter ways",
  settings: broadcastSettings,
  create(ctx) {
    const tip = async (message: ChatMessage) => {
      const s = ctx.settingsFor(message.room);
      if (!s.enabled) return;
      const members = (await ctx.services.directory.roomMembers(message.workspace, message.room)).filter(
        (m) => m !== message.user,
      );
      if (members.length < s.minMembers) return;
      const sample = members.slice(0, HOURS_SAMPLE);
      let away = 0;
      for (const m of sample) {
        const { tz, hours } = await ctx.hours.hoursOf(message.workspace, m);
        if (!isWorkingTime(message.at, tz, hours)) away++;
      }
      const awayCount = Math.round((away * members.length) / Math.max(1, sample.length));
      const outside = awayCount > 0 ? ` (${awayCount} of them outside working hours)` : "";
      await ctx.tipAuthor(
        message,
        `Your @${message.broadcast} just notified ${members.length} people${outside}. Next time, a thread, ` +
          `today's responder (\`${ctx.services.commands.spell("rota who")}\`), or for must-read news an e-mail or a meeting may reach ` +
          "the right people without interrupting everyone.",
      );
    };
    return {
      onMessage: (message: ChatMessage) => (message.broadcast ? tip(message) : undefined),
    };
  },
});
