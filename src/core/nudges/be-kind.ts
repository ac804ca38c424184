/** Be kind: a private, gentle note when a message reads harsh toward people (see tone.ts). Never public. */
import { z } from "zod";
import { PathLruMap } from "../lru-map.js";
import type { ChatMessage } from "../model.js";
import { nudge } from "./nudge.js";
import { baseShape } from "./settings-shape.js";
import { DEFAULT_TONE, readTone, SWEARING_MODES } from "./tone.js";

const DAY_MS = 24 * 60 * 60_000;
/** How far back a room's pace is measured to tell a busy room. */
const BUSY_WINDOW_MS = 15 * 60_000;
/** Rooms whose recent hints are remembered for the room cap; beyond it the least active are forgotten. */
const ROOMS_REMEMBERED = 2_000;

export const beKindSettings = z.strictObject({
  ...baseShape(true, 240),
  swearing: z
    .enum(SWEARING_MODES)
    .default(DEFAULT_TONE.swearing)
    .describe(
      "When swearing counts on its own: any (default; never swearing at oneself), strong (only the strongest words) or aimed (only at someone or their work).",
    ),
  roomCapPerDay: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe(
      "At most this many tone notes in one room in 24 hours, all people together (0: no cap). For busy public rooms where swearing is the house style; counted per bot process.",
    ),
  busyRoomPerMinute: z
    .number()
    .min(0)
    .max(100)
    .default(1)
    .describe(
      "A room with at least this many messages a minute over the last 15 minutes is busy: there swearing counts only when aimed at someone or their work, and at most roomCapPerDay notes (1 when no cap is set) go to the room in 24 hours (0: no room counts as busy). Counted per bot process.",
    ),
});

/**
 * The times of the last notes per room, within 24 hours: at most `cap` of them are kept, so the
 * state is bounded by the cap and the number of rooms.
 */
class RoomCap {
  private readonly recent = new PathLruMap<number[]>(ROOMS_REMEMBERED);

  full(workspace: string, room: string, at: number, cap: number): boolean {
    if (cap <= 0) return false;
    const times = this.recent.get(workspace, room, "");
    if (!times) return false;
    let within = 0;
    for (const t of times) if (at - t < DAY_MS) within++;
    return within >= cap;
  }

  record(workspace: string, room: string, at: number, cap: number): void {
    if (cap <= 0) return;
    const times = this.recent.getOrCreate(workspace, room, "", () => []);
    times.push(at);
    while (times.length > cap || (times.length > 0 && at - times[0]! >= DAY_MS)) times.shift();
  }
}

/**
 * Each room's last few message times, enough to tell whether it has had `perMinute` messages a minute
 * over the last 15 minutes: at most that many are kept per room.
 */
class RoomPace {
  private readonly recent = new PathLruMap<number[]>(ROOMS_REMEMBERED);

  /** Counts a message of `room` at `at`; true when the room is busy. */
  busy(workspace: string, room: string, at: number, perMinute: number): boolean {
    const needed = Math.ceil(perMinute * (BUSY_WINDOW_MS / 60_000));
    if (needed <= 0) return false;
    const times = this.recent.getOrCreate(workspace, room, "", () => []);
    times.push(at);
    while (times.length > needed) times.shift();
    return times.length === needed && at - times[0]! < BUSY_WINDOW_MS;
  }
}

export const beKind = nudge({
  kind: "be-kind",
  title: "Be kind",
  description:
    "a private, gentle note when a message reads harsh toward people (swearing, or insults, contempt, dismissive phrases or shouting aimed at someone)",
  settings: beKindSettings,
  create(ctx) {
    const roomCap = new RoomCap();
    const pace = new RoomPace();
    return {
      onMessage(message: ChatMessage) {
        const s = ctx.settingsFor(message.room);
        if (!s.enabled) return undefined;
        const { workspace } = message;
        const room = message.room.id;
        const at = message.at.getTime();
        // In a busy room a note to everyone who swears in passing is nagging, and the words scroll by:
        // only harshness aimed at someone counts there, once a day (the busy room on issue 18's IRC data).
        const busy = pace.busy(workspace, room, at, s.busyRoomPerMinute);
        const cap = busy ? s.roomCapPerDay || 1 : s.roomCapPerDay;
        if (roomCap.full(workspace, room, at, cap)) return undefined;
        const swearing = busy ? "aimed" : s.swearing;
        const tone = readTone(message.text, { swearing }, message.mentions);
        if (!tone.harsh) return undefined;
        return ctx
          .tipAuthor(
            message,
            `Just so you know: your last message may read harsher than you meant (${tone.reasons.join(", ")}). ` +
              "Text loses tone of voice; a softer word costs nothing.",
          )
          .then((delivered) => {
            if (delivered) roomCap.record(workspace, room, at, cap);
          });
      },
    };
  },
});
