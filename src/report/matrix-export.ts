/**
 * Reads an Element room export (JSON: `room_name`, `topic`, `messages` holding the room's events as
 * the client saw them) as replay scenario lines. Element writes one room per file, so the room's
 * visibility comes from its join rule when the export holds it; without one the room counts as private
 * (the safer guess: nothing from it is quoted anyway).
 * Event shapes: https://spec.matrix.org/v1.11/client-server-api/#mroommessage
 */
import { readFile } from "node:fs/promises";
import type { ScenarioLine } from "../adapters/local/scenario.js";

interface MatrixEventJson {
  type?: string;
  sender?: string;
  event_id?: string;
  origin_server_ts?: number;
  state_key?: string;
  content?: {
    body?: string;
    msgtype?: string;
    membership?: string;
    displayname?: string;
    join_rule?: string;
    "m.relates_to"?: { rel_type?: string; event_id?: string };
    "m.mentions"?: { user_ids?: string[]; room?: boolean };
    "m.new_content"?: unknown;
  };
}

/** True when a parsed JSON document looks like an Element room export. */
export function isElementExport(json: unknown): json is { room_name?: string; messages: unknown[] } {
  return (
    typeof json === "object" && json !== null && Array.isArray((json as { messages?: unknown }).messages)
  );
}

export async function readElementExport(path: string): Promise<ScenarioLine[]> {
  const json: unknown = JSON.parse(await readFile(path, "utf8"));
  if (!isElementExport(json)) throw new Error(`${path}: not an Element room export (no "messages" list)`);
  return elementExportLines(json);
}

export function elementExportLines(json: { room_name?: string; messages: unknown[] }): ScenarioLine[] {
  const events = (json.messages as MatrixEventJson[])
    .filter((e) => typeof e?.origin_server_ts === "number" && typeof e.sender === "string")
    .sort((a, b) => a.origin_server_ts! - b.origin_server_ts!);
  const first = events[0]?.origin_server_ts ?? 0;
  const isPublic = events.some((e) => e.type === "m.room.join_rules" && e.content?.join_rule === "public");
  const name = (json.room_name || "room").replace(/[\s#~,]+/g, "-");
  const room = `${isPublic ? "#" : "~"}${name}`;
  const start = new Date(first).toISOString();
  const lines: ScenarioLine[] = [];
  const users = new Map<string, string | undefined>();
  const members = new Set<string>();
  // Bots answer with m.notice (the spec asks them to), so a sender of notices is counted as a bot.
  const bots = new Set<string>();
  for (const e of events) {
    if (e.content?.msgtype === "m.notice") bots.add(e.sender!);
    if (e.type === "m.room.member" && e.state_key) {
      users.set(e.state_key, e.content?.displayname ?? users.get(e.state_key));
      if (e.content?.membership === "join") members.add(e.state_key);
    }
    users.set(e.sender!, users.get(e.sender!));
  }
  for (const [user, displayName] of users)
    lines.push({ type: "user", at: start, user, name: displayName, bot: bots.has(user) || undefined });
  lines.push({ type: "room", at: start, room, members: [...members] });
  for (const e of events) {
    const at = new Date(e.origin_server_ts!).toISOString();
    const content = e.content ?? {};
    if (e.type === "m.room.member" && e.state_key && e.state_key === e.sender) {
      if (content.membership === "join") lines.push({ type: "join", at, user: e.sender!, room });
      if (content.membership === "leave") lines.push({ type: "leave", at, user: e.sender!, room });
      continue;
    }
    // Edits replace an earlier message's text: the message was already counted once.
    if (e.type !== "m.room.message" || !e.event_id || content["m.new_content"]) continue;
    const relation = content["m.relates_to"];
    const thread = relation?.rel_type === "m.thread" ? relation.event_id : undefined;
    const body = content.body ?? "";
    const mentions = content["m.mentions"]?.user_ids ?? [];
    // `m.mentions.room` is Matrix's @room; the replay spells it in the text.
    const text = content["m.mentions"]?.room && !/@room\b/.test(body) ? `@room ${body}` : body;
    lines.push({
      type: "message",
      at,
      id: e.event_id,
      user: e.sender!,
      room,
      text,
      ...(thread ? { thread } : {}),
      mentions,
    });
  }
  return lines;
}
