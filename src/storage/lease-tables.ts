/** One row per lease; kept after release so generations keep increasing (fencing tokens never repeat). */
export interface LeaseTables {
  leases: {
    workspace: string;
    name: string;
    holder: string;
    generation: number;
    /** ISO-8601 UTC; the lease is free from this instant on. */
    expires_at: string;
    /** When the current tenure began. */
    acquired_at: string;
  };
}
