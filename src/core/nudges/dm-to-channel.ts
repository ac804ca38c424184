/**
 * DM → public channel: a work question asked in a DM or group DM gets a private suggestion to ask it
 * in the team's public channel, with a one-step repost (share.ts). Never for small talk, nor for a
 * personal or secret matter (personal-matters.ts); at most once per pair (or group) of people per day.
 */
import { z } from "zod";
import { PathLruMap } from "../lru-map.js";
import type { ChatMessage, Room } from "../model.js";
import { isDirect } from "../model.js";
import { nudge } from "./nudge.js";
import { personalMatterOf } from "./personal-matters.js";
import { baseShape } from "./settings-shape.js";
import { isWorkQuestion } from "./text-signals.js";
import { localDate } from "./working-hours.js";

export const dmToChannelSettings = z.strictObject({
  ...baseShape(true, 60),
  channel: z
    .string()
    .default("")
    .describe(
      "The team's public channel (id or name, e.g. `team`); empty: the public room both people use most.",
    ),
});

/** Per person, how often they spoke in each public room (a few rooms each, bounded). */
export class RoomUsage {
  private readonly usage = new PathLruMap<Map<string, { room: Room; count: number }>>(5000);

  note(message: ChatMessage): void {
    if (message.room.kind !== "public") return;
    const rooms = this.usage.getOrCreate(message.workspace, message.user, "", () => new Map());
    const entry = rooms.get(message.room.id) ?? { room: message.room, count: 0 };
    entry.count++;
    rooms.set(message.room.id, entry);
    if (rooms.size > 20) {
      // Forget the least used room (the first noted of those least used), without copying and sorting
      // the map: someone who spoke in many rooms comes here with each of their messages.
      let least: string | undefined;
      let fewest = Number.POSITIVE_INFINITY;
      rooms.forEach(({ count }, id) => {
        if (count < fewest) {
          fewest = count;
          least = id;
        }
      });
      rooms.delete(least!);
    }
  }

  /** The public room these people all use, most used in total; or the author's own favourite. */
  shared(workspace: string, people: string[], author: string): Room | undefined {
    const maps = people.map(
      (p) => this.usage.get(workspace, p, "") ?? new Map<string, { room: Room; count: number }>(),
    );
    let best: { room: Room; count: number } | undefined;
    for (const [id, entry] of maps[0] ?? new Map()) {
      if (!maps.every((m) => m.has(id))) continue;
      const total = maps.reduce((sum, m) => sum + (m.get(id)?.count ?? 0), 0);
      if (!best || total > best.count) best = { room: entry.room, count: total };
    }
    if (best) return best.room;
    const own = this.usage.get(workspace, author, "");
    return own ? [...own.values()].sort((a, b) => b.count - a.count)[0]?.room : undefined;
  }

  /** A public room known by id or name. */
  byName(workspace: string, nameOrId: string): Room | undefined {
    const wanted = nameOrId.replace(/^#/, "");
    for (const [, , rooms] of this.usage.entriesUnder(workspace)) {
      for (const { room } of rooms.values()) if (room.id === nameOrId || room.name === wanted) return room;
    }
    return undefined;
  }
}

export const dmToChannel = nudge({
  kind: "dm-to-channel",
  title: "DM → channel",
  description: "a private suggestion to ask a work question from a DM in the team's channel",
  settings: dmToChannelSettings,
  create(ctx) {
    const usage = new RoomUsage();
    const suggest = async (message: ChatMessage) => {
      const s = ctx.settingsFor(message.room);
      // Health, family, leave, feelings, pay, performance, HR and secrets stay private, always.
      if (!s.enabled || personalMatterOf(message.text) || !isWorkQuestion(message.text)) return;
      const ws = message.workspace;
      const members = await ctx.services.directory.roomMembers(ws, message.room);
      const people = [...new Set([message.user, ...members])].sort();
      const target = s.channel
        ? (usage.byName(ws, s.channel) ?? {
            workspace: ws,
            id: s.channel,
            name: s.channel.replace(/^#/, ""),
            kind: "public" as const,
          })
        : usage.shared(ws, people, message.user);
      if (!target) return;
      const { tz } = await ctx.hours.hoursOf(ws, message.user);
      const action = {
        workspace: ws,
        action: "notice" as const,
        room: message.room,
        user: message.user,
        source: "nudge.dm-to-channel",
        about: message.id,
        share: { room: target, message: message.id },
        text:
          `This looks like a question others could help with or learn from. How about asking it in #${target.name}? ` +
          `\`${ctx.services.commands.spell("share")}\` posts it there for you. ${ctx.muteHint()}`,
      };
      await ctx.offer({
        cause: message,
        // Once a day per pair of people: claimed with the notice.
        claim: () => ctx.store.claimPair(ws, "dm-to-channel", people, localDate(message.at, tz), message.at),
        recipients: [message.user],
        action,
        delivered: () => ctx.shares.offer(ws, message.user, target, message.text, message.at),
      });
    };
    return {
      onMessage(message: ChatMessage) {
        usage.note(message);
        return isDirect(message.room) && !message.thread ? suggest(message) : undefined;
      },
    };
  },
});
