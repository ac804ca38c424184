/** Tables of the Matrix adapter: where the sync stopped, and the DM room used for each person. */
export interface MatrixTables {
  matrix_sync: {
    workspace: string;
    /** The bot's user id. */
    account: string;
    next_batch: string;
    updated_at: string;
  };
  matrix_dm_rooms: {
    workspace: string;
    account: string;
    user_id: string;
    room_id: string;
    created_at: string;
  };
}
