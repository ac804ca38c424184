/**
 * How the local platform (replay and playground) names rooms: `#name` is a public channel, `~name` a
 * private one, `dm:alice,bob[,carol]` a direct or group DM (member order irrelevant).
 */
import type { Room } from "../../core/model.js";

export const LOCAL_WORKSPACE = "local";

export function parseRoomRef(ref: string, workspace = LOCAL_WORKSPACE): Room | undefined {
  if (/^#[^\s#~]+$/.test(ref)) return { workspace, id: ref, name: ref.slice(1), kind: "public" };
  if (/^~[^\s#~]+$/.test(ref)) return { workspace, id: ref, name: ref.slice(1), kind: "private" };
  const dm = /^dm:(.+)$/.exec(ref);
  if (dm) {
    const members = [...new Set(dm[1]!.split(",").map((m) => m.trim()))];
    if (members.length < 2 || members.some((m) => m === "")) return undefined;
    members.sort();
    const id = `dm:${members.join(",")}`;
    return { workspace, id, name: id, kind: members.length === 2 ? "dm" : "group-dm" };
  }
  return undefined;
}

/** The people in a DM room, from its name. */
export function dmMembers(room: Room): string[] {
  return room.id.startsWith("dm:") ? room.id.slice(3).split(",") : [];
}
