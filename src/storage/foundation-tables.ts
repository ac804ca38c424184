export interface FoundationTables {
  claims: { workspace: string; key: string; claimed_at: string };
  processed_events: { workspace: string; event_id: string; seen_at: string };
  settings: { workspace: string; scope: string; key: string; value: string };
}
