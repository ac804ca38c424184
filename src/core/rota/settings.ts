/** Settings of the daily responder rota (the `rota:` section of config/outloud.yaml). */
import { z } from "zod";
import { parseDays } from "./parse.js";
import { parseClockTime } from "./schedule.js";

/**
 * The longest topic a platform takes (Slack's conversations.setTopic: 250 characters; Matrix has no
 * limit worth the name), so a template that could never be set is refused at start-up.
 */
const TOPIC_LIMIT = 250;
/** The longest a responder reference gets once a platform writes it: a Slack mention `<@U0123456789AB>`. */
const RESPONDER_LENGTH = 16;

function filledTopicLength(template: string): number {
  return template.replaceAll("{responder}", "x".repeat(RESPONDER_LENGTH)).length;
}

export const rotaSettings = z
  .strictObject({
    defaultTime: z
      .string()
      .refine((s) => parseClockTime(s) !== undefined, "must be a time like 09:30 (24-hour clock)")
      .default("09:00")
      .describe("Announcement time for /rota setup without `at`, HH:MM in the rota's time zone."),
    defaultDays: z
      .string()
      .refine((s) => parseDays(s) !== undefined, "must be days like mon-fri or mon,tue,thu")
      .default("mon-fri")
      .describe("Working days for /rota setup without `days`, e.g. mon-fri or mon,tue,thu."),
    setTopic: z.boolean().default(true).describe("Set the room topic to name today's responder."),
    topicTemplate: z
      .string()
      .min(1)
      .default("Today's responder: @{responder}")
      .refine((t) => filledTopicLength(t) <= TOPIC_LIMIT, {
        message: `with the responder filled in it is longer than ${TOPIC_LIMIT} characters, the most a topic may have (Slack)`,
      })
      .describe("The topic set each day; {responder} is replaced by the responder's name."),
    setGroup: z
      .boolean()
      .default(true)
      .describe("Make the room's responder user group contain just today's responder."),
    groupHandle: z
      .string()
      .regex(/^[\w.{}-]+$/, "must be a handle like {room}-responder")
      .default("{room}-responder")
      .describe(
        "Handle of the responder user group; {room} is replaced by the room's name. Mentioning it counts as a question.",
      ),
    lateAnnouncement: z
      .enum(["late", "none"])
      .default("late")
      .describe(
        "When the bot was down at announcement time and is back the same working day: `late` posts one announcement marked late, `none` posts nothing until the next day.",
      ),
    questionMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30)
      .describe(
        "Working minutes a question from another team may wait for an answer from a rota member before today's responder is mentioned in its thread.",
      ),
    handoverDays: z
      .number()
      .int()
      .min(1)
      .max(90)
      .default(7)
      .describe("How far back the hand-over message looks for unanswered questions, in days."),
    whoMayChange: z
      .enum(["team", "anyone"])
      .default("team")
      .describe(
        "Who may change a rota or skip today's turn: `team`, its members and the person who set it up; `anyone` in the room. Showing it (who, history, stats) and /rota announce are open to all.",
      ),
    syncSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(60)
      .describe(
        "How often each replica re-reads the rotas set up or changed through other replicas on the same database and re-arms their announcements, in seconds. Only changed rotas are read.",
      ),
  })
  .describe("The daily responder rota (/rota): one person a day answers questions from other teams.");

export type RotaSettings = z.infer<typeof rotaSettings>;
