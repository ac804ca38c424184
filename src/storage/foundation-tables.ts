export interface FoundationTables {
  claims: { workspace: string; key: string; claimed_at: string };
  processed_events: { workspace: string; event_id: string; seen_at: string };
  /** An event kept from its receipt until its handling ended, then deleted (migrations/0015). */
  event_inbox: {
    workspace: string;
    event_id: string;
    /** The event as JSON. Never a message of a DM or private room: no text of theirs is stored. */
    payload: string;
    received_at: string;
    /** The replica handling it, and until when (renewed while it lives); then any replica takes it over. */
    claimed_by: string;
    claimed_until: string;
  };
  settings: { workspace: string; scope: string; key: string; value: string };
}
