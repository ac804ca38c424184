/** Tables of the digests and the live report (migrations/0010-digest.ts): ids, flags and times, never text. */
export interface DigestTables {
  digest_rooms: {
    workspace: string;
    room_id: string;
    room_name: string;
    room_kind: string;
    /** ISO weekday, 1 = Monday. */
    weekday: number;
    time: string;
    zone: string;
    updated_at: string;
  };
  digest_people: {
    workspace: string;
    user_id: string;
    cadence: string;
    email: string | null;
    email_pending: string | null;
    email_code: string | null;
    updated_at: string;
  };
  /** One room's message facts written together (src/storage/digest-store.ts has the tuple's form). */
  activity_batches: {
    batch_id: string;
    workspace: string;
    room_id: string;
    room_name: string;
    room_kind: string;
    /** The oldest and newest fact's time, ISO 8601. */
    first_at: string;
    last_at: string;
    count: number;
    /** JSON array of FactTuple: ids, times and flags, never text. */
    facts: string;
  };
}
