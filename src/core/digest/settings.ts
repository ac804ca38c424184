/** Settings of the digests (the `digest:` section of config/outloud.yaml): workspace defaults and per-room ones. */
import { z } from "zod";
import { canonicalZone, parseClockTime } from "../rota/schedule.js";

export const DIGEST_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

const weekday = z.enum(DIGEST_WEEKDAYS, { message: "must be a day like mon or fri" });
const time = z
  .string()
  .refine((s) => parseClockTime(s) !== undefined, "must be a time like 09:30 (24-hour clock)");
const zone = z
  .string()
  .refine((s) => canonicalZone(s) !== undefined, "must be an IANA time zone like Europe/Madrid");

/** When one room's digest is posted, where `/digest setup` is typed without saying. */
const roomDefaults = z.strictObject({
  day: weekday.optional().describe("Day of the week the digest is posted."),
  time: time.optional().describe("Time it is posted, HH:MM."),
  timezone: zone.optional().describe("Time zone of that time."),
});

export const digestSettings = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Offer /digest and the personal catch-up."),
    day: weekday
      .default("mon")
      .describe("Day of the week a room's digest is posted, for /digest setup without one."),
    time: time
      .default("09:30")
      .describe("Time a room's digest is posted, HH:MM, for /digest setup without one."),
    timezone: zone
      .optional()
      .describe("Time zone of the digest's time; the workspace's time zone when unset."),
    rooms: z
      .record(z.string().regex(/^[^\s#]+$/, "must be a room name without #"), roomDefaults)
      .default({})
      .describe("Defaults for particular rooms, by room name (e.g. payments: {day: fri, time: '16:00'})."),
  })
  .describe("Weekly team digests (/digest) and the personal catch-up (/outloud digest).");

export type DigestSettings = z.infer<typeof digestSettings>;

/** The day, time and zone `/digest setup` uses in a room when the command does not say. */
export function roomDefaultsFor(
  settings: DigestSettings,
  roomName: string,
  workspaceZone: string,
): { weekday: number; time: string; zone: string } {
  const own = settings.rooms[roomName] ?? {};
  return {
    weekday: DIGEST_WEEKDAYS.indexOf(own.day ?? settings.day) + 1,
    time: own.time ?? settings.time,
    zone: own.timezone ?? settings.timezone ?? workspaceZone,
  };
}
