/** The few shapes of the Matrix client-server API the adapter reads (everything else is ignored). */

export interface MatrixRawEvent {
  event_id?: string;
  room_id?: string;
  sender: string;
  type: string;
  content: Record<string, unknown>;
  origin_server_ts?: number;
  state_key?: string;
}

export interface SyncRoomTimeline {
  events?: MatrixRawEvent[];
  limited?: boolean;
  prev_batch?: string;
}

export interface JoinedRoom {
  timeline?: SyncRoomTimeline;
  state?: { events?: MatrixRawEvent[] };
}

export interface SyncResponse {
  next_batch: string;
  account_data?: { events?: MatrixRawEvent[] };
  rooms?: {
    join?: Record<string, JoinedRoom>;
    invite?: Record<string, { invite_state?: { events?: MatrixRawEvent[] } }>;
    leave?: Record<string, unknown>;
  };
}

/** `m.direct` account data: user id → the DM rooms with that user. */
export type DirectMap = Record<string, string[]>;
