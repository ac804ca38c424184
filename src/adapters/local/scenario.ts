/**
 * The replay scenario format: one JSON object per line, each with `at` (ISO-8601, non-decreasing).
 * See README "Scenario format". Parsing is strict so that a malformed line is reported, not guessed at.
 */
import { z } from "zod";

const at = z.iso.datetime({ offset: true, message: "must be an ISO-8601 time like 2026-11-25T09:00:00Z" });
const ROOM_REF = /^(#|~)[^\s#~]+$|^dm:[^,\s]+(,[^,\s]+)+$/;
const roomRef = z.string().regex(ROOM_REF, "must be #name, ~name or dm:alice,bob");
const userId = z.string().min(1);

export const scenarioLineSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("message"),
    at,
    id: z.string().min(1),
    user: userId,
    room: roomRef,
    text: z.string(),
    thread: z.string().min(1).optional(),
    mentions: z.array(userId).optional(),
  }),
  z.object({
    type: z.literal("command"),
    at,
    user: userId,
    room: roomRef,
    text: z.string().min(1),
    thread: z.string().min(1).optional(),
  }),
  z.object({
    type: z.literal("reaction"),
    at,
    user: userId,
    room: roomRef,
    target: z.string().min(1),
    emoji: z.string().min(1),
  }),
  z.object({
    type: z.literal("user"),
    at,
    user: userId,
    name: z.string().optional(),
    tz: z.string().optional(),
    bot: z.boolean().optional(),
  }),
  z.object({
    type: z.literal("room"),
    at,
    room: roomRef,
    members: z.array(userId).optional(),
    topic: z.string().optional(),
  }),
  z.object({ type: z.literal("tick"), at }),
  z.object({ type: z.literal("join"), at, user: userId, room: roomRef }),
  z.object({ type: z.literal("leave"), at, user: userId, room: roomRef }),
]);

export type ScenarioLine = z.infer<typeof scenarioLineSchema>;

/** Every line type, as the schema lists them. */
const LINE_TYPES = scenarioLineSchema.options.map((o) => o.shape.type.value);

/** One action as the replay prints it. */
export interface ReplayOutput {
  at: string;
  action: string;
  room?: string;
  user?: string;
  thread?: string;
  mentions?: string[];
  text: string;
  source: string;
  about?: string;
}

export type LineParse = { ok: true; line: ScenarioLine } | { ok: false; problem: string };

export function parseScenarioLine(text: string): LineParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: "not valid JSON" };
  }
  const message = plainMessageLine(json);
  if (message) return { ok: true, line: message };
  const result = scenarioLineSchema.safeParse(json);
  if (result.success) return { ok: true, line: result.data };
  const issue = result.error.issues[0]!;
  // An unknown or missing type: name the types there are, rather than zod's bare "Invalid input".
  if (issue.path.length === 1 && issue.path[0] === "type" && issue.code === "invalid_union") {
    const type = (json as { type?: unknown } | null)?.type;
    const got = type === undefined ? "no type" : `unknown type ${JSON.stringify(type)}`;
    return { ok: false, problem: `${got}: "type" must be one of ${LINE_TYPES.join(", ")}` };
  }
  const where = issue.path.length ? `"${issue.path.join(".")}" ` : "";
  return { ok: false, problem: `${where}${issue.message}`.trim() };
}

/** The same test as the schema's `at` (zod's own pattern for an ISO-8601 time with an offset). */
const ISO_TIME = z.regexes.datetime({ offset: true, local: false, precision: null });

/**
 * A message line checked by hand, as the schema would check it: nearly every line of a replay is one,
 * and the schema's general machinery was a twentieth of the replay's CPU. Anything else, or anything
 * unusual about it, is left to the schema (undefined), which also words the problems.
 */
function plainMessageLine(json: unknown): ScenarioLine | undefined {
  const o = json as Record<string, unknown> | null;
  if (typeof o !== "object" || o === null || o.type !== "message") return undefined;
  const { at: time, id, user, room, text, thread, mentions } = o;
  if (typeof time !== "string" || !ISO_TIME.test(time)) return undefined;
  if (typeof id !== "string" || id === "" || typeof user !== "string" || user === "") return undefined;
  if (typeof room !== "string" || !ROOM_REF.test(room) || typeof text !== "string") return undefined;
  if (thread !== undefined && (typeof thread !== "string" || thread === "")) return undefined;
  if (mentions !== undefined && !isUserList(mentions)) return undefined;
  // Only the schema's keys, as zod's parse returns them.
  const line: ScenarioLine = { type: "message", at: time, id, user, room, text };
  if (thread !== undefined) line.thread = thread;
  if (mentions !== undefined) line.mentions = [...mentions];
  return line;
}

function isUserList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string" && v !== "");
}

/** `@name` tokens in text; `@channel`, `@here` and `@room` are whole-room mentions. */
export function mentionsInText(text: string): { users: string[]; broadcast?: "channel" | "here" | "room" } {
  // Most lines mention nobody: skip the pattern's iterator and match arrays for them.
  if (!text.includes("@")) return { users: [], broadcast: undefined };
  const users: string[] = [];
  let broadcast: "channel" | "here" | "room" | undefined;
  for (const m of text.matchAll(/(?:^|[^\w@])@([^\s@,:;!?()"'<>]+)/g)) {
    // A sentence may end right after a name: "thanks @bob."
    const name = m[1]!.replace(/\.+$/, "");
    if (!name) continue;
    if (name === "channel" || name === "here" || name === "room") broadcast ??= name;
    else if (!users.includes(name)) users.push(name);
  }
  return { users, broadcast };
}
