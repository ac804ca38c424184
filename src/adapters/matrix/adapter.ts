/**
 * The Matrix adapter: syncs with the homeserver, turns each new event into a core event exactly once,
 * and hands the core's actions to MatrixSender. Reliability rules (issue 6):
 * - the sync position is saved only after a whole batch is handled, and every event id is marked
 *   processed before the core sees it, so a restart or a repeated event never acts twice;
 * - a `limited` timeline is back-filled (oldest first) before the batch's own events;
 * - the bot ignores its own events and every `m.notice`; logs carry ids and counts, never text.
 * Several replicas may run on one database (issue 8): each runs its engine (timers, the features'
 * work), but only the holder of the `matrix.sync` lease reads /sync; a standby starts syncing from the
 * stored position when it takes the lease over, and a lost lease stops the loop and fences the position.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { sql } from "kysely";
import type { AppContext } from "../../app.js";
import { createEngine } from "../../app.js";
import { platformsConfigured } from "../../config/platforms.js";
import type { Engine } from "../../core/engine.js";
import { type Lease, LeaseKeeper } from "../../core/leases.js";
import type { Clock } from "../../core/ports.js";
import { errorMessage, Scheduler, SystemClock } from "../../core/scheduler.js";
import type { ClaimStore, ProcessedEventStore } from "../../core/stores.js";
import { LiveSchedulerDriver } from "../../scheduler/live-scheduler.js";
import {
  healthRoutes,
  type ReadinessCheck,
  type RunningHealthServer,
  startHealthServer,
} from "../../server/health.js";
import { OutloudMetrics } from "../../server/metrics.js";
import { SqlClaimStore, SqlProcessedEventStore } from "../../storage/foundation-stores.js";
import { SqlLeaseStore } from "../../storage/leases.js";
import { SqlMatrixStateStore } from "../../storage/matrix-store.js";
import type { RunningAdapter } from "../adapter.js";
import { MatrixApi, type MatrixCredentials } from "./api.js";
import { MatrixDirectory } from "./directory.js";
import type { DirectMap, JoinedRoom, MatrixRawEvent, SyncResponse } from "./events.js";
import { RoomRegistry } from "./rooms.js";
import { MatrixSender } from "./sender.js";
import type { MatrixSettings } from "./settings.js";
import type { MatrixStateStore } from "./store.js";
import { SyncLoop } from "./sync-loop.js";
import { type BotIdentity, isNotice, toChatEvent } from "./translate.js";

export interface MatrixAdapterOptions {
  app: AppContext;
  credentials: MatrixCredentials;
  /** Tests pass a virtual clock and drive the scheduler themselves; live mode uses the wall clock. */
  clock?: Clock;
  scheduler?: Scheduler;
  /** How long the server may hold a `/sync` (tests shorten it so stopping is quick). */
  pollTimeoutMs?: number;
  /** Waits before retrying a rate-limited request (tests keep the real wait). */
  sleep?: (ms: number) => Promise<void>;
  /** Serve /healthz, /readyz and /metrics on this port (0: any free port); none when absent. */
  healthPort?: number;
  healthHost?: string;
  metrics?: OutloudMetrics;
  /** This replica's name in the sync lease; by default host, process id and a random suffix. */
  replicaId?: string;
}

const CANNOT_READ =
  "I can't read this room: its messages are end-to-end encrypted, and I don't support encryption yet. " +
  "Commands and nudges won't work here; use an unencrypted room for the team, or see the Outloud docs (Run on Matrix).";

export class MatrixAdapter implements RunningAdapter {
  readonly name = "matrix";
  readonly workspace: string;
  readonly engine: Engine;
  readonly scheduler: Scheduler;
  private readonly clock: Clock;
  private readonly api: MatrixApi;
  private readonly rooms: RoomRegistry;
  private readonly directory: MatrixDirectory;
  private readonly sender: MatrixSender;
  private readonly store: MatrixStateStore;
  private readonly processed: ProcessedEventStore;
  private readonly claims: ClaimStore;
  private readonly settings: MatrixSettings;
  private readonly prefix: string;
  private readonly bot: BotIdentity;
  private readonly sync: SyncLoop;
  private readonly syncLease: LeaseKeeper;
  /** The lease tenure the sync loop runs under; its generation fences the saved position. */
  private syncingUnder: Lease | undefined;
  /** The first batch of a run started at start-up, so start() returns once the bot is caught up. */
  private firstBatch: Promise<void> | undefined;
  private driver: LiveSchedulerDriver | undefined;
  private healthServer: RunningHealthServer | undefined;
  private stopping = false;
  readonly metrics: OutloudMetrics;

  constructor(private readonly options: MatrixAdapterOptions) {
    const { app, credentials } = options;
    const db = app.db.db;
    this.workspace = credentials.userId.split(":").slice(1).join(":");
    this.bot = { userId: credentials.userId };
    this.settings = app.config.settings.matrix;
    this.prefix = app.config.settings.commands.matrixPrefix;
    this.clock = options.clock ?? new SystemClock();
    this.scheduler = options.scheduler ?? new Scheduler(app.log);
    this.store = new SqlMatrixStateStore(db);
    this.processed = new SqlProcessedEventStore(db);
    this.claims = new SqlClaimStore(db);
    this.metrics = options.metrics ?? new OutloudMetrics();
    this.api = new MatrixApi(credentials, app.log, options.sleep);
    this.rooms = new RoomRegistry(this.workspace, credentials.userId, (roomId) => this.api.roomState(roomId));
    this.directory = new MatrixDirectory(
      this.rooms,
      credentials.userId,
      app.config.settings.workspace.timezone,
      {
        displayName: (id) => this.api.displayName(id),
      },
    );
    this.sender = new MatrixSender({
      api: this.api,
      rooms: this.rooms,
      directory: this.directory,
      store: this.store,
      clock: this.clock,
      log: app.log,
      workspace: this.workspace,
      botUserId: credentials.userId,
    });
    this.engine = createEngine(app, {
      clock: this.clock,
      scheduler: this.scheduler,
      directory: this.directory,
      commandPrefix: app.config.settings.commands.matrixPrefix,
      sink: {
        deliver: async (action) => {
          this.metrics.countAction("matrix", action.action, action.source);
          await this.sender.deliver(action);
        },
      },
    });
    const filter = JSON.stringify({
      room: { timeline: { limit: this.settings.timelineLimit }, ephemeral: { not_types: ["*"] } },
      presence: { not_types: ["*"] },
    });
    this.sync = new SyncLoop({
      source: { sync: (since, timeoutMs, signal) => this.api.sync(since, timeoutMs, filter, signal) },
      onBatch: (batch, first) => this.handleBatch(batch, first),
      loadToken: () => this.store.syncToken(this.workspace, credentials.userId),
      saveToken: async (token) => {
        const lease = this.syncingUnder;
        if (!lease) return false;
        return this.store.saveSyncToken(this.workspace, credentials.userId, token, this.clock.now(), lease);
      },
      log: app.log,
      pollTimeoutMs: options.pollTimeoutMs,
    });
    this.syncLease = new LeaseKeeper({
      store: new SqlLeaseStore(db),
      clock: this.clock,
      log: app.log,
      workspace: this.workspace,
      // Per bot account, like the sync position it guards.
      name: `matrix.sync:${credentials.userId}`,
      holder: options.replicaId ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
      ttlMs: this.settings.syncLeaseSeconds * 1000,
      onAcquired: (lease) => this.startSyncing(lease),
      onLost: () => this.stopSyncing(),
    });
  }

  /** Whether this replica reads /sync now (holds the lease); a standby only runs its engine. */
  get syncing(): boolean {
    return this.syncingUnder !== undefined;
  }

  /** Lease taken: sync from the stored position. Returns at once so the keeper keeps renewing. */
  private startSyncing(lease: Lease): void {
    this.syncingUnder = lease;
    // Rooms may have changed while we stood by: forget them, so each is loaded afresh when it next shows up.
    this.rooms.forgetAll();
    this.firstBatch = this.sync.start();
    this.firstBatch.catch((err) =>
      this.options.app.log.warn("matrix first sync failed; retrying", { error: errorMessage(err) }),
    );
    this.options.app.log.info("matrix sync lease taken; syncing", { generation: lease.generation });
  }

  /**
   * Lease lost or released: stop reading /sync. The batch in hand is finished first and its position
   * saved under the tenure it was read in: on a clean stop the lease still holds, so the save goes
   * through quietly; a lease really lost to another replica is refused by the fence in the database.
   */
  private async stopSyncing(): Promise<void> {
    this.firstBatch = undefined;
    await this.sync.stop();
    this.syncingUnder = undefined;
  }

  /** Checks the token, learns the DM rooms, starts the features, then syncs (first batch before returning). */
  async start(): Promise<void> {
    const whoami = await this.api.whoami();
    if (whoami !== this.bot.userId)
      throw new Error(`MATRIX_ACCESS_TOKEN belongs to ${whoami}, not MATRIX_USER_ID ${this.bot.userId}`);
    this.bot.displayName = await this.api.displayName(this.bot.userId).catch(() => undefined);
    this.rooms.setDirectMap(await this.api.directMap());
    await this.engine.start();
    if (!this.options.scheduler) {
      this.driver = new LiveSchedulerDriver(this.scheduler, this.clock);
      this.driver.start();
    }
    // Take the lease now if it is free, so a lone bot is caught up before start() returns.
    await this.syncLease.check();
    if (this.firstBatch) {
      try {
        await this.firstBatch;
      } catch (err) {
        await this.syncLease.stop();
        throw err;
      }
    } else this.options.app.log.info("matrix standing by: another replica reads the sync stream");
    this.syncLease.start();
    this.armPurge();
    if (this.options.healthPort !== undefined) {
      this.healthServer = await startHealthServer(
        this.healthRoutes(),
        this.options.healthPort,
        this.options.healthHost,
      );
    }
    this.options.app.log.info("matrix connected", { user: this.bot.userId });
  }

  /** Once a day, forgets handled event ids older than the privacy retention (they only guard against repeats). */
  private armPurge(): void {
    const day = 24 * 3600_000;
    const retention = this.options.app.config.settings.privacy.retentionDays * day;
    this.scheduler.at(
      new Date(this.clock.now().getTime() + day),
      `matrix.purge:${this.workspace}`,
      async () => {
        await this.processed.purge(new Date(this.clock.now().getTime() - retention));
        this.armPurge();
      },
    );
  }

  /** The port the health routes listen on, when they run. */
  get healthPort(): number | undefined {
    return this.healthServer?.port;
  }

  private healthRoutes() {
    const checks: ReadinessCheck[] = [
      {
        name: "database",
        check: async () => {
          await sql`select 1 as one`.execute(this.options.app.db.db);
          return true;
        },
      },
      { name: "matrix", check: () => this.ready() },
      // Tests drive their own scheduler (no driver): there, running means not stopping.
      { name: "scheduler", check: () => (this.driver ? this.driver.alive() : !this.stopping) },
    ];
    return healthRoutes({ metrics: this.metrics, checks });
  }

  /**
   * Ready when syncing well, and also as a standby: a replica without the lease is healthy and serves
   * its engine; it just leaves /sync to the holder (taking over when that one dies).
   */
  ready(): boolean {
    if (!this.syncing) return !this.stopping;
    return this.sync.healthy();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.healthServer?.close();
    // Releases the lease (stopping the loop first), so a standby takes over at its next check.
    await this.syncLease.stop();
    await this.sync.stop();
    await this.driver?.stop();
    await this.engine.stop();
  }

  /** Handles one sync batch in order; the caller saves the position only after this resolves. */
  private async handleBatch(batch: SyncResponse, first: boolean): Promise<void> {
    for (const e of batch.account_data?.events ?? [])
      if (e.type === "m.direct") this.rooms.setDirectMap(e.content as DirectMap);
    for (const [roomId, invite] of Object.entries(batch.rooms?.invite ?? {}))
      await this.onInvite(roomId, invite.invite_state?.events ?? []);
    for (const roomId of Object.keys(batch.rooms?.leave ?? {})) this.rooms.forget(roomId);
    for (const [roomId, joined] of Object.entries(batch.rooms?.join ?? {})) {
      try {
        await this.handleRoom(roomId, joined, first);
      } catch (err) {
        // One broken room must not wedge the sync for every other room: log it and go on.
        this.options.app.log.error("matrix room failed", { room: roomId, error: errorMessage(err) });
      }
    }
  }

  /** One joined room of a batch: its state, any gap back-filled, then its new events in order. */
  private async handleRoom(roomId: string, joined: JoinedRoom, first: boolean): Promise<void> {
    const known = this.rooms.isKnown(roomId);
    const state = joined.state?.events ?? [];
    if (!known && state.length === 0) {
      // Unknown state makes the room "private", the safe default, until the next sync tells more.
      await this.rooms.ensureLoaded(roomId).catch((err) => {
        this.options.app.log.warn("matrix room state unavailable", {
          room: roomId,
          error: errorMessage(err),
        });
      });
    } else this.rooms.apply(roomId, state);
    const timeline = joined.timeline?.events ?? [];
    if (first) {
      // A fresh bot's first sync is history: learn the room, act on nothing from before it started.
      this.rooms.apply(roomId, timeline);
      await this.warnIfUnreadable(roomId);
      return;
    }
    const missed =
      joined.timeline?.limited && joined.timeline.prev_batch
        ? await this.backfill(roomId, joined.timeline.prev_batch).catch((err) => {
            this.options.app.log.warn("matrix back-fill failed", {
              room: roomId,
              error: errorMessage(err),
            });
            return [];
          })
        : [];
    const events = [...missed, ...timeline];
    // When the bot has just joined, what came before its join is the room's history, not news.
    const joinedAt = events.findIndex(
      (e) => e.type === "m.room.member" && e.state_key === this.bot.userId && e.content.membership === "join",
    );
    if (joinedAt > 0 && !known) this.rooms.apply(roomId, events.splice(0, joinedAt));
    for (const event of events) {
      try {
        await this.onTimelineEvent(roomId, event);
      } catch (err) {
        this.options.app.log.error("matrix event failed", {
          room: roomId,
          event: event.event_id,
          error: errorMessage(err),
        });
      }
    }
    await this.warnIfUnreadable(roomId);
  }

  /** Events of a sync gap, oldest first: walks back from `prev_batch` to the first event already handled. */
  private async backfill(roomId: string, prevBatch: string): Promise<MatrixRawEvent[]> {
    const found: MatrixRawEvent[] = [];
    let from: string | undefined = prevBatch;
    while (from && found.length < this.settings.backfillLimit) {
      const page = await this.api.messagesBefore(
        roomId,
        from,
        Math.min(50, this.settings.backfillLimit - found.length),
      );
      const ids = page.events.map((e) => e.event_id).filter((id): id is string => Boolean(id));
      const seen = await this.store.processedAmong(this.workspace, ids);
      for (const event of page.events) {
        // The bot's own join marks where its knowledge of the room starts; nothing before it was missed.
        const ownJoin = event.type === "m.room.member" && event.state_key === this.bot.userId;
        if ((event.event_id && seen.has(event.event_id)) || ownJoin) return found.reverse();
        found.push(event);
      }
      from = page.events.length > 0 ? page.end : undefined;
    }
    this.options.app.log.info("matrix gap back-filled", { room: roomId, events: found.length });
    return found.reverse();
  }

  private async onTimelineEvent(roomId: string, event: MatrixRawEvent): Promise<void> {
    const before = event.state_key !== undefined ? this.rooms.membership(roomId, event.state_key) : undefined;
    if (event.state_key !== undefined) this.rooms.apply(roomId, [event]);
    if (!event.event_id) return;
    // Marked before acting: if we crash mid-way the event is lost rather than acted on twice.
    if (!(await this.processed.markProcessed(this.workspace, event.event_id, this.clock.now()))) return;
    if (event.sender === this.bot.userId || isNotice(event)) return;
    const chatEvent = toChatEvent(event, {
      room: this.rooms.room(roomId),
      membershipBefore: before,
      bot: this.bot,
      prefix: this.prefix,
      isCommand: (line) => this.engine.isCommand(line),
      reactionNames: this.settings.reactionNames,
      now: this.clock.now(),
    });
    if (!chatEvent) return;
    this.metrics.eventsIn.inc({ platform: "matrix", type: chatEvent.type });
    await this.engine.handle(chatEvent);
  }

  /** Joins when the inviter is allowed (their server or their id is listed); remembers `is_direct`. */
  private async onInvite(roomId: string, state: MatrixRawEvent[]): Promise<void> {
    const invite = state.find((e) => e.type === "m.room.member" && e.state_key === this.bot.userId);
    const inviter = invite?.sender;
    if (!inviter || !this.mayInvite(inviter)) {
      this.options.app.log.info("matrix invite not accepted", { room: roomId, inviter });
      return;
    }
    if (invite.content.is_direct === true) await this.sender.markDirect(inviter, roomId);
    try {
      await this.api.join(roomId);
      this.options.app.log.info("matrix invite accepted", { room: roomId, inviter });
    } catch (err) {
      this.options.app.log.warn("matrix join failed", { room: roomId, error: errorMessage(err) });
    }
  }

  private mayInvite(inviter: string): boolean {
    const { servers, users } = this.settings.autoJoin;
    const server = inviter.split(":").slice(1).join(":");
    return (
      server === this.workspace ||
      servers.includes("*") ||
      servers.includes(server) ||
      users.includes(inviter)
    );
  }

  /** Says once per room (ever, across restarts and replicas) that the bot cannot read it. */
  private async warnIfUnreadable(roomId: string): Promise<void> {
    if (!this.rooms.isEncrypted(roomId)) return;
    if (!(await this.claims.claim(this.workspace, `matrix.encrypted:${roomId}`, this.clock.now()))) return;
    await this.sender.deliver({
      workspace: this.workspace,
      action: "post",
      room: this.rooms.room(roomId),
      text: CANNOT_READ,
      source: "matrix.encrypted",
    });
  }
}

/** `npm start` with MATRIX_* set: connects and runs until stopped. */
export async function startMatrix(app: AppContext): Promise<RunningAdapter> {
  const env = app.config.env;
  if (!env.MATRIX_HOMESERVER_URL || !env.MATRIX_USER_ID || !env.MATRIX_ACCESS_TOKEN) {
    throw new Error(
      "Matrix needs MATRIX_HOMESERVER_URL, MATRIX_USER_ID and MATRIX_ACCESS_TOKEN (MATRIX_DEVICE_ID is optional)",
    );
  }
  const adapter = new MatrixAdapter({
    app,
    // Slack serves the health routes when it runs; alone, Matrix serves them on HEALTH_PORT (on HOST).
    healthPort: platformsConfigured(app.config).slack ? undefined : env.HEALTH_PORT,
    healthHost: env.HOST,
    credentials: {
      homeserverUrl: env.MATRIX_HOMESERVER_URL,
      userId: env.MATRIX_USER_ID,
      accessToken: env.MATRIX_ACCESS_TOKEN,
      deviceId: env.MATRIX_DEVICE_ID,
    },
  });
  await adapter.start();
  return adapter;
}
