/** "Your rotas": each rota you are in, its time, today's responder and your next duty, by its own rules. */
import type { CoreServices } from "../feature.js";
import type { SummaryProvider } from "../summaries.js";
import { formatDay, nextDuty } from "./forecast.js";
import { localDateOf } from "./schedule.js";
import type { RotaStore } from "./store.js";

export function rotaSummary(
  store: RotaStore,
  services: Pick<CoreServices, "clock" | "commands">,
): SummaryProvider {
  return async ({ workspace, user }) => {
    const lines: string[] = [];
    for (const rota of await store.listRotas()) {
      if (rota.workspace !== workspace) continue;
      const state = await store.rotaState(workspace, rota.room);
      if (!state?.queue.includes(user)) continue;
      const at = services.clock.now();
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
    const setup = services.commands.spell("rota setup @a @b");
    return {
      title: "Your rotas",
      lines: lines.length ? lines : [`You are in no rota. In a channel, \`${setup}\` starts one.`],
    };
  };
}
