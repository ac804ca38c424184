/** Tables of the nudges (migrations/0004-nudges.ts, 0012-nudge-feedback.ts): ids, kinds, counts and times, never text. */
export interface NudgeTables {
  nudge_deliveries: {
    workspace: string;
    user_id: string;
    /** The recipient's local date, YYYY-MM-DD. */
    day: string;
    /** 1..daily cap: the unique key that enforces the cap across processes. */
    slot: number;
    kind: string;
    delivered_at: string;
    about: string | null;
  };
  nudge_cooldowns: { workspace: string; user_id: string; kind: string; last_at: string };
  nudge_mutes: { workspace: string; user_id: string; kind: string; until: string | null; created_at: string };
  nudge_hours: { workspace: string; user_id: string; start_time: string; end_time: string; days: string };
  nudge_pairs: { workspace: string; kind: string; people: string; day: string; claimed_at: string };
  /** One "not helpful" mark. */
  nudge_feedback: { workspace: string; user_id: string; kind: string; marked_at: string };
}
