/**
 * Out of hours: mentioning someone outside their working hours (their time zone) gets a private
 * note that they will probably see it later, so nobody waits for an answer that is not coming yet.
 * Someone who spoke in the room a moment ago is clearly around: no note then.
 */
import { z } from "zod";
import { PathLruMap } from "../lru-map.js";
import type { ChatMessage } from "../model.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { isWorkingTime, localClock } from "./working-hours.js";

export const outOfHoursSettings = z.strictObject({
  ...baseShape(true, 4 * 60),
  activeMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(30)
    .describe("Minutes during which someone who spoke in the room counts as around, whatever the hour."),
});

const MAX_SPEAKERS = 10_000;

export const outOfHours = nudge({
  kind: "out-of-hours",
  title: "Out of hours",
  description: "a private note when you mention someone outside their working hours",
  settings: outOfHoursSettings,
  create(ctx) {
    const lastSpoke = new PathLruMap<number>(MAX_SPEAKERS);
    return {
      onMessage(message: ChatMessage) {
        const now = message.at.getTime();
        lastSpoke.set(message.workspace, message.room.id, message.user, now);
        const s = ctx.settingsFor(message.room);
        if (!s.enabled || message.broadcast) return undefined;
        // Those mentioned who have not spoken here lately; someone who has is around, whatever the hour.
        const quiet: string[] = [];
        for (const user of message.mentions) {
          if (user === message.user || quiet.includes(user)) continue;
          const spoke = lastSpoke.get(message.workspace, message.room.id, user);
          if (spoke !== undefined && now - spoke <= s.activeMinutes * 60_000) continue;
          quiet.push(user);
        }
        return quiet.length > 0 ? warn(message, quiet) : undefined;
      },
    };

    /** Tells the author who of `quiet` is outside their working hours, if anyone is. */
    async function warn(message: ChatMessage, quiet: string[]): Promise<void> {
      const away: string[] = [];
      for (const user of quiet) {
        const person = await ctx.services.directory.user(message.workspace, user);
        if (person.bot) continue;
        const { tz, hours } = await ctx.hours.hoursOf(message.workspace, user);
        if (!isWorkingTime(message.at, tz, hours))
          away.push(`@${user} (${localClock(message.at, tz)} for them)`);
      }
      if (away.length === 0) return;
      const who = away.slice(0, 3).join(", ") + (away.length > 3 ? ` and ${away.length - 3} more` : "");
      await ctx.tipAuthor(
        message,
        `Heads-up: ${who} ${away.length === 1 ? "is" : "are"} outside working hours and will likely see this later. ` +
          "No need to wait for an answer now.",
      );
    }
  },
});
