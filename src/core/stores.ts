/**
 * Store ports shared by several features. Each store is an interface implemented once over the
 * query layer (src/storage/), which runs on SQLite and PostgreSQL alike. All state is keyed by
 * workspace: two workspaces never see each other's data.
 */

/** Exactly-once claims: the first caller to claim a key wins, on any number of processes. */
export interface ClaimStore {
  /** Records `key` as done; false when someone (this or another process) already claimed it. */
  claim(workspace: string, key: string, at: Date): Promise<boolean>;
  isClaimed(workspace: string, key: string): Promise<boolean>;
  /** Forgets claims made before `before` whose key starts with `prefix` (retention). */
  purge(prefix: string, before: Date): Promise<number>;
}

/** Platform event ids already acted on, so a redelivered event is ignored. */
export interface ProcessedEventStore {
  /** True the first time an id is seen; false for a duplicate. */
  markProcessed(workspace: string, eventId: string, at: Date): Promise<boolean>;
  purge(before: Date): Promise<number>;
}

/** An event to keep while it is handled: its JSON, and the replica handling it until when. */
export interface KeptEvent {
  /** Asked only if the event is still being handled when the batch is written. */
  payload(): string;
  receivedAt: Date;
  holder: string;
  until(): Date;
}

/**
 * Events kept while they are handled, for a platform that does not send an acknowledged event again
 * (Slack): one whose handling a crash cut short is handled again.
 */
export interface EventInbox {
  /** Keeps a marked event, with the next batch: not at all if its handling ended before that. */
  keep(workspace: string, eventId: string, event: KeptEvent): void;
  /** The event's handling ended, however it went: it is no longer kept. */
  handled(workspace: string, eventId: string): void;
  /** Whether the event is kept (written, not yet let go of), by this replica or another. */
  has(workspace: string, eventId: string): Promise<boolean>;
  /** `holder` still lives: its claims on the events it is handling hold until `until`. */
  renew(holder: string, until: Date): Promise<void>;
  /** Kept events whose replica stopped renewing its claim (it died), now claimed by `holder`, oldest first. */
  claimAbandoned(
    holder: string,
    now: Date,
    until: Date,
    limit: number,
  ): Promise<{ workspace: string; eventId: string; payload: string }[]>;
}

/** Small per-workspace and per-room settings, set by commands (`/outloud …`), as JSON values. */
export interface SettingsStore {
  get<T>(workspace: string, scope: string, key: string): Promise<T | undefined>;
  set(workspace: string, scope: string, key: string, value: unknown): Promise<void>;
  delete(workspace: string, scope: string, key: string): Promise<void>;
}

/**
 * The database cannot save (or read) right now: PostgreSQL unreachable or restarting, an SQLite disk
 * full or read-only. The engine answers people with a short apology instead of silence; /readyz says
 * not ready until a write succeeds again.
 */
export class StorageUnavailableError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`storage unavailable: ${reason}`, options);
    this.name = "StorageUnavailableError";
  }
}
