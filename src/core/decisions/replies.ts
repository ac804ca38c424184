/** The texts `/decision` answers with: list lines, export summaries and the full `show`. Pure functions. */
import { roomLabel } from "../model.js";
import type { DecisionRecord, ExportState } from "./model.js";

export function listLine(d: DecisionRecord): string {
  const status = d.status === "superseded" ? `, superseded by ${d.supersededBy}` : "";
  return `• *${d.id}* ${d.title} (${roomLabel(d.room)}, ${d.at.toISOString().slice(0, 10)}, ${d.author.name}${status})`;
}

/** "Exported to markdown (decisions/0012-x.md). confluence: pending, will retry (HTTP 503)." */
export function exportSummary(states: readonly ExportState[]): string {
  if (states.length === 0) return "No export is configured.";
  const done = states.filter((s) => s.status === "exported");
  const parts: string[] = [];
  if (done.length) parts.push(`Exported to ${done.map((s) => `${s.target} (${s.location})`).join(", ")}.`);
  for (const s of states) {
    if (s.status === "pending")
      parts.push(`${s.target}: pending${s.lastError ? `, will retry (${s.lastError})` : ""}.`);
    if (s.status === "failed") parts.push(`${s.target}: failed (${s.lastError ?? "unknown error"}).`);
  }
  return parts.join(" ");
}

export function showText(d: DecisionRecord, states: readonly ExportState[]): string {
  const date = d.at.toISOString().slice(0, 10);
  const others = d.participants.filter((p) => p.id !== d.author.id).map((p) => p.name);
  const lines = [
    `*${d.id}*: ${d.title} (${d.supersededBy ? `superseded by ${d.supersededBy}` : d.status})`,
    `Recorded by ${d.author.name} in ${roomLabel(d.room)} on ${date}${others.length ? ` with ${others.join(", ")}` : ""}.${d.supersedes ? ` Supersedes ${d.supersedes}.` : ""}`,
  ];
  if (d.link) lines.push(`Conversation: ${d.link}`);
  lines.push("", d.text, "");
  if (states.length === 0) lines.push("Exports: none configured.");
  for (const s of states) {
    if (s.status === "exported") lines.push(`• ${s.target}: exported (${s.location})`);
    else if (s.status === "failed")
      lines.push(`• ${s.target}: failed after ${s.attempts} attempts (${s.lastError ?? "unknown error"})`);
    else {
      const next = s.nextAttemptAt
        ? `, next try ${s.nextAttemptAt.toISOString().replace("T", " ").slice(0, 16)} UTC`
        : "";
      lines.push(
        `• ${s.target}: pending${s.attempts ? ` (${s.attempts} failed: ${s.lastError ?? "unknown error"}${next})` : ""}`,
      );
    }
  }
  return lines.join("\n");
}
