/**
 * The App Home sections, read from the stores: the rotas you are in (with today's responder), recent
 * decisions in rooms you belong to, and buttons for your nudge settings (they run `/outloud` commands).
 */
import type { AppContext } from "../../app.js";
import type { DecisionStore } from "../../core/decisions/store.js";
import { localDateOf } from "../../core/rota/schedule.js";
import type { RotaStore } from "../../core/rota/store.js";
import { SqlDecisionStore } from "../../storage/decision-store.js";
import { SqlRotaStore } from "../../storage/rota-store.js";
import type { HomeSectionProvider } from "./home.js";

export function homeSectionsFor(app: AppContext): HomeSectionProvider[] {
  return [
    rotaSection(new SqlRotaStore(app.db.db)),
    decisionsSection(new SqlDecisionStore(app.db.db)),
    nudgeSettingsSection(),
  ];
}

export function rotaSection(store: RotaStore): HomeSectionProvider {
  return async ({ workspace, user }) => {
    const lines: string[] = [];
    for (const rota of await store.listRotas()) {
      if (rota.workspace !== workspace) continue;
      // Turns are dated in the rota's own zone: its "today" may not be UTC's.
      const today = localDateOf(new Date(), rota.zone);
      const members = await store.members(workspace, rota.room);
      if (!members.includes(user)) continue;
      const turn = (await store.recentTurns(workspace, rota.room, 1))[0];
      const now =
        turn && turn.date === today
          ? turn.responder === user
            ? "you are today's responder"
            : `today: @${turn.responder}`
          : "no announcement yet today";
      lines.push(
        `#${rota.roomName}: daily at ${rota.time} (${rota.zone})${rota.paused ? ", paused" : ""}; ${now}`,
      );
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

export function nudgeSettingsSection(): HomeSectionProvider {
  return async () => ({
    title: "Your nudges",
    lines: [
      "Outloud sends you a private hint now and then. Mute them here, or set your working hours with `/outloud hours 09:00-17:00 mon-fri`.",
    ],
    buttons: [
      { label: "Mute for a day", command: "outloud mute all for 1d" },
      { label: "Mute for a week", command: "outloud mute all for 7d" },
      { label: "Unmute", command: "outloud unmute" },
    ],
  });
}
