/**
 * The App Home sections, read from the stores: the rotas you are in (today's responder, your next
 * duty), recent decisions in rooms you belong to, and your nudge settings (mutes, working hours) with
 * buttons that run `/outloud` commands.
 */
import type { AppContext } from "../../app.js";
import type { DecisionStore } from "../../core/decisions/store.js";
import { describeMute } from "../../core/nudges/commands.js";
import type { NudgeStore } from "../../core/nudges/store.js";
import { formatHours, type WorkingHours, workspaceHours } from "../../core/nudges/working-hours.js";
import { formatDay, nextDuty } from "../../core/rota/forecast.js";
import { localDateOf } from "../../core/rota/schedule.js";
import type { RotaStore } from "../../core/rota/store.js";
import { SqlDecisionStore } from "../../storage/decision-store.js";
import { SqlNudgeStore } from "../../storage/nudge-store.js";
import { SqlRotaStore } from "../../storage/rota-store.js";
import type { HomeSectionProvider } from "./home.js";

export function homeSectionsFor(app: AppContext): HomeSectionProvider[] {
  return [
    rotaSection(new SqlRotaStore(app.db.db)),
    decisionsSection(new SqlDecisionStore(app.db.db)),
    nudgeSettingsSection(
      new SqlNudgeStore(app.db.db),
      workspaceHours(app.config.settings.workspace.workingHours),
    ),
  ];
}

/** Each rota you are in: its time, today's responder and your next duty, by the rota's own rules. */
export function rotaSection(store: RotaStore, now: () => Date = () => new Date()): HomeSectionProvider {
  return async ({ workspace, user }) => {
    const lines: string[] = [];
    for (const rota of await store.listRotas()) {
      if (rota.workspace !== workspace) continue;
      const state = await store.rotaState(workspace, rota.room);
      if (!state?.queue.includes(user)) continue;
      const at = now();
      // Turns are dated in the rota's own zone: its "today" may not be UTC's.
      const today = localDateOf(at, rota.zone);
      const turn = await store.turnOn(workspace, rota.room, today);
      const parts = [
        `#${rota.roomName}: daily at ${rota.time} (${rota.zone})${rota.paused ? ", paused" : ""}`,
      ];
      if (turn?.responder === user) parts.push("you are today's responder");
      else {
        parts.push(turn ? `today: @${turn.responder}` : "no announcement yet today");
        const duty = nextDuty(state, user, at, turn);
        if (duty) parts.push(`your next duty: ${duty === today ? `today at ${rota.time}` : formatDay(duty)}`);
        else if (!rota.paused) parts.push("no duty for you in sight (away, or out of the channel)");
      }
      lines.push(parts.join("; "));
    }
    return {
      title: "Your rotas",
      lines: lines.length ? lines : ["You are in no rota. In a channel, `/rota setup @a @b` starts one."],
    };
  };
}

export function decisionsSection(store: DecisionStore): HomeSectionProvider {
  return async ({ workspace, isMember }) => {
    const lines: string[] = [];
    const visible = new Map<string, boolean>();
    for (const d of await store.list(workspace, { limit: 30 })) {
      if (!visible.has(d.room.id)) visible.set(d.room.id, await isMember(d.room.id));
      if (!visible.get(d.room.id)) continue;
      lines.push(
        `${d.id} ${d.title} (#${d.room.name}, ${d.at.toISOString().slice(0, 10)})${d.status === "superseded" ? " superseded" : ""}`,
      );
      if (lines.length >= 10) break;
    }
    return { title: "Recent decisions in your rooms", lines };
  };
}

/** Your nudge settings as they stand (mutes, working hours), with buttons to change them. */
export function nudgeSettingsSection(
  store: NudgeStore,
  defaultHours: WorkingHours,
  now: () => Date = () => new Date(),
): HomeSectionProvider {
  return async ({ workspace, user }) => {
    const mutes = await store.mutes(workspace, user, now());
    const own = await store.hours(workspace, user);
    const hours = `${formatHours(own ?? defaultHours)}${own ? "" : " (the workspace's)"}`;
    return {
      title: "Your nudges",
      lines: [
        "Outloud sends you a private hint now and then.",
        mutes.length
          ? `Muted: ${mutes.map((m) => describeMute(m)).join("; ")}.`
          : "They are on: mute them here for a while.",
        `Your working hours, in your time zone: ${hours}. Change them with \`/outloud hours 09:00-17:00 mon-fri\`.`,
      ],
      buttons: [
        { label: "Mute for a day", command: "outloud mute all for 1d" },
        { label: "Mute for a week", command: "outloud mute all for 7d" },
        { label: "Unmute", command: "outloud unmute" },
      ],
    };
  };
}
