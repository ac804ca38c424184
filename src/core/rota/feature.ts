/**
 * The daily responder rota as a Feature: `/rota …` commands, the announcement timers re-armed from the
 * database at start-up (with one late announcement if today's was missed) and re-synced periodically
 * with changes made through other replicas, question watching, and members leaving the room.
 */
import type { Feature } from "../feature.js";
import type { ChatEvent } from "../model.js";
import { rotaCommands } from "./commands.js";
import { RotaService, type RotaServiceDeps } from "./service.js";
import { rotaSummary } from "./summary.js";

export type RotaFeatureDeps = RotaServiceDeps;

export function createRotaFeature(deps: RotaFeatureDeps): Feature {
  const rota = new RotaService(deps);
  return {
    name: "rota",
    roots: { rota: "the daily responder rota: one person a day answers questions from other teams" },
    commands: rotaCommands(rota),
    summaries: [rotaSummary(deps.store, deps.services)],

    async start() {
      // From now on, rotas set up or changed through other replicas on the database are followed too.
      rota.startSync();
      // Every rota in a few queries, armed from what was loaded; one that just made a late
      // announcement is read again, as the announcement moved its queue.
      for (const state of await deps.store.listRotaStates()) {
        const { workspace, room } = state.rota;
        if (await rota.catchUp(state)) await rota.arm(workspace, room);
        else rota.armFrom(workspace, room, state);
      }
      // Keep only what the hand-over still needs; a question older than that is not nudged any more.
      const since = rota.handoverSince();
      await deps.store.purgeQuestions(since);
      for (const question of await deps.store.questionsAwaitingNudge()) rota.armQuestion(question);
    },

    async stop() {
      rota.stop();
    },

    async onDeliveryProblem(problem) {
      const { action } = problem;
      if (!action.source.startsWith("rota.") || !("room" in action)) return;
      const saved = await deps.store.getRota(action.workspace, action.room.id);
      if (saved) await rota.problems.report(saved, problem);
    },

    onEvent(event: ChatEvent) {
      if (event.type === "message") return rota.watchMessage(event.message);
      if (event.type === "member-left" || event.type === "member-joined") return membersChanged(event);
      return undefined;
    },
  };

  /** Someone joined or left a room: its rota, if it has one, takes them out of turn or back. */
  async function membersChanged(
    event: Extract<ChatEvent, { type: "member-left" | "member-joined" }>,
  ): Promise<void> {
    const saved = await deps.store.getRota(event.workspace, event.room.id);
    if (!saved) return;
    const members = await deps.store.members(saved.workspace, saved.room);
    if (!members.includes(event.user)) return;
    if (event.type === "member-left") await rota.memberLeft(saved, event.user);
    else await deps.store.markPresent(saved.workspace, saved.room, event.user);
    // Who can take turns changed, and with it possibly the next announcement day (on every replica).
    await rota.changed(saved.workspace, saved.room);
  }
}
