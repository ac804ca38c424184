/** Tables of the decisions concern (migrations/0003-decisions.ts). */
export interface DecisionTables {
  decisions: {
    workspace: string;
    number: number;
    title: string;
    text: string;
    author_id: string;
    author_name: string;
    room_id: string;
    room_name: string;
    /** 1 for a private room. */
    room_private: number;
    thread: string | null;
    link: string | null;
    /** JSON array of {id, name}. */
    participants: string;
    created_at: string;
    status: string;
    supersedes: number | null;
    superseded_by: number | null;
  };
  /** Last short-id number handed out per workspace (undone decisions keep theirs). */
  decision_counters: { workspace: string; last_number: number };
  /**
   * The export outbox: one row per decision and target. A `withdraw` row takes an undone decision back
   * from a target (migrations/0014): its decision row is gone, so it carries the decision itself.
   */
  decision_exports: {
    workspace: string;
    number: number;
    target: string;
    status: string;
    attempts: number;
    next_attempt_at: string;
    /** A claimed row is invisible to other workers until then. */
    lease_until: string | null;
    claim_token: string | null;
    last_error: string | null;
    external_ref: string | null;
    location: string | null;
    updated_at: string;
    /** `export` or `withdraw`. */
    kind: string;
    /** For a `withdraw` row: the undone decision as JSON (dates as ISO strings). */
    undone_decision: string | null;
  };
}
