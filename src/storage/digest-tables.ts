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
  activity_messages: {
    workspace: string;
    room_id: string;
    message_id: string;
    room_name: string;
    room_kind: string;
    user_id: string;
    at: string;
    thread_root: string | null;
    /** JSON array of user ids. */
    mentions: string;
    broadcast: number;
    question: number;
    decision_language: number;
    call_link: number;
  };
}
