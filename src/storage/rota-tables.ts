/** Tables of the daily responder rota (migrations/0002-rota.ts, 0008-rota-updated.ts, 0013-rota-created-by.ts). */
export interface RotaTables {
  /** One rota per room. `days` is ISO weekdays as text (`1,2,3,4,5`). */
  rotas: {
    workspace: string;
    room: string;
    room_name: string;
    room_kind: string;
    time: string;
    zone: string;
    days: string;
    holidays: string | null;
    paused: number;
    late_announcement: string | null;
    created_by: string | null;
    updated_at: string;
    /** Last change to anything that decides when it announces (migrations/0008): replicas re-sync on it. */
    changed_at: string;
  };
  /** The rotation queue: `position` 0 is next in line. `left_at` is set once a member left the room. */
  rota_members: { workspace: string; room: string; member: string; position: number; left_at: string | null };
  rota_away: { workspace: string; room: string; member: string; from_date: string; to_date: string };
  /** One row per local date that had a responder; `skipped` is a JSON array of member ids. */
  rota_turns: {
    workspace: string;
    room: string;
    local_date: string;
    responder: string;
    announced_at: string;
    late: number;
    skipped: string;
  };
  /** Questions from outside the rota: ids and times only, never the text. */
  rota_questions: {
    workspace: string;
    room: string;
    message_id: string;
    asker: string;
    asked_at: string;
    due_at: string;
    answered_at: string | null;
    nudged_at: string | null;
  };
}
