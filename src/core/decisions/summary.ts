/** "Recent decisions in your rooms": the last ten, from rooms the viewer belongs to only. */
import type { SummaryProvider } from "../summaries.js";
import type { DecisionStore } from "./store.js";

export function decisionsSummary(store: DecisionStore): SummaryProvider {
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
