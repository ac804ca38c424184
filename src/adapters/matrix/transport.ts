/**
 * The Matrix transport: syncs with the homeserver and turns each new event into a core event exactly
 * once, handed to the runtime's `dispatch`. Reliability rules (issue 6):
 * - the sync position is saved only after a whole batch is handled, and every event id is marked
 *   processed in one transaction with what the core writes and emits for it, so a restart or a
 *   repeated event never acts twice, and a crash mid-way loses nothing (the batch comes again);
 * - a `limited` timeline is back-filled (oldest first) before the batch's own events;
 * - the bot ignores its own events and every `m.notice`; logs carry ids and counts, never text.
 * Several replicas may run on one database (issue 8): each runs its engine (timers, the features'
 * work), but only the holder of the `matrix.sync` lease reads /sync; a standby starts syncing from the
 * stored position when it takes the lease over, and a lost lease stops the loop and fences the position.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { errorMessage } from "../../core/error-message.js";
import { type Lease, LeaseKeeper, type LeaseStore } from "../../core/leases.js";
import type { Logger } from "../../core/logger.js";
import type { ChatEvent } from "../../core/model.js";
import { type ClaimStore, type ProcessedEventStore, StorageUnavailableError } from "../../core/stores.js";
import type { PlatformRuntime, Transport } from "../../runtime/runtime.js";
import type { MatrixApi } from "./api.js";
import type { DirectMap, JoinedRoom, MatrixRawEvent, SyncResponse } from "./events.js";
import { isUnhelpfulReaction, unhelpfulCommand } from "./nudge-feedback.js";
import type { RoomRegistry } from "./rooms.js";
import type { MatrixSettings } from "./settings.js";
import type { MatrixSink } from "./sink.js";
import type { MatrixStateStore } from "./store.js";
import { SyncLoop } from "./sync-loop.js";
import { type BotIdentity, isNotice, reactionOf, toChatEvent } from "./translate.js";

export interface MatrixTransportDeps {
  runtime: PlatformRuntime;
  api: MatrixApi;
  rooms: RoomRegistry;
  sink: MatrixSink;
  store: MatrixStateStore;
  processed: ProcessedEventStore;
  claims: ClaimStore;
  leases: LeaseStore;
  settings: MatrixSettings;
  /** The command prefix (`!`): a message starting with it (or addressed to the bot) is a command. */
  prefix: string;
  workspace: string;
  botUserId: string;
  log: Logger;
  /** How long the server may hold a `/sync` (tests shorten it so stopping is quick). */
  pollTimeoutMs?: number;
  /** This replica's name in the sync lease; by default host, process id and a random suffix. */
  replicaId?: string;
}

const CANNOT_READ =
  "I can't read this room: its messages are end-to-end encrypted, and I don't support encryption yet. " +
  "Commands and nudges won't work here; use an unencrypted room for the team, or see the Outloud docs (Run on Matrix).";

export class MatrixTransport implements Transport {
  private readonly bot: BotIdentity;
  private readonly sync: SyncLoop;
  private readonly syncLease: LeaseKeeper;
  /** The lease tenure the sync loop runs under; its generation fences the saved position. */
  private syncingUnder: Lease | undefined;
  /** The first batch of a run started at start-up, so start() returns once the bot is caught up. */
  private firstBatch: Promise<void> | undefined;

  constructor(private readonly deps: MatrixTransportDeps) {
    const { runtime, api, store, workspace, botUserId, settings } = deps;
    this.bot = { userId: botUserId };
    const filter = JSON.stringify({
      room: { timeline: { limit: settings.timelineLimit }, ephemeral: { not_types: ["*"] } },
      presence: { not_types: ["*"] },
    });
    this.sync = new SyncLoop({
      source: { sync: (since, timeoutMs, signal) => api.sync(since, timeoutMs, filter, signal) },
      onBatch: (batch, first) => this.handleBatch(batch, first),
      loadToken: () => store.syncToken(workspace, botUserId),
      saveToken: async (token) => {
        const lease = this.syncingUnder;
        if (!lease) return false;
        return store.saveSyncToken(workspace, botUserId, token, runtime.clock.now(), lease);
      },
      log: deps.log,
      pollTimeoutMs: deps.pollTimeoutMs,
    });
    this.syncLease = new LeaseKeeper({
      store: deps.leases,
      clock: runtime.clock,
      log: deps.log,
      workspace,
      // Per bot account, like the sync position it guards.
      name: `matrix.sync:${botUserId}`,
      holder: deps.replicaId ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
      ttlMs: settings.syncLeaseSeconds * 1000,
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
    this.deps.rooms.forgetAll();
    this.firstBatch = this.sync.start();
    this.firstBatch.catch((err) =>
      this.deps.log.warn("matrix first sync failed; retrying", { error: errorMessage(err) }),
    );
    this.deps.log.info("matrix sync lease taken; syncing", { generation: lease.generation });
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

  /** Checks the token and learns the DM rooms, before the features start. */
  async connect(): Promise<void> {
    const { api } = this.deps;
    const whoami = await api.whoami();
    if (whoami !== this.bot.userId)
      throw new Error(`MATRIX_ACCESS_TOKEN belongs to ${whoami}, not MATRIX_USER_ID ${this.bot.userId}`);
    this.bot.displayName = await api.displayName(this.bot.userId).catch(() => undefined);
    this.deps.rooms.setDirectMap(await api.directMap());
  }

  /** Syncs (the first batch before returning) when the lease is free; stands by otherwise. */
  async start(): Promise<void> {
    // Take the lease now if it is free, so a lone bot is caught up before start() returns.
    await this.syncLease.check();
    if (this.firstBatch) {
      try {
        await this.firstBatch;
      } catch (err) {
        await this.syncLease.stop();
        throw err;
      }
    } else this.deps.log.info("matrix standing by: another replica reads the sync stream");
    this.syncLease.start();
    this.deps.log.info("matrix connected", { user: this.bot.userId });
  }

  /**
   * Ready when syncing well, and also as a standby: a replica without the lease is healthy and serves
   * its engine; it just leaves /sync to the holder (taking over when that one dies).
   */
  ready(): boolean {
    return this.syncing ? this.sync.healthy() : true;
  }

  /** Releases the lease (stopping the loop first), so a standby takes over at its next check. */
  async stop(): Promise<void> {
    await this.syncLease.stop();
    await this.sync.stop();
  }

  /** Handles one sync batch in order; the caller saves the position only after this resolves. */
  private async handleBatch(batch: SyncResponse, first: boolean): Promise<void> {
    for (const e of batch.account_data?.events ?? [])
      if (e.type === "m.direct") this.deps.rooms.setDirectMap(e.content as DirectMap);
    for (const [roomId, invite] of Object.entries(batch.rooms?.invite ?? {}))
      await this.onInvite(roomId, invite.invite_state?.events ?? []);
    for (const roomId of Object.keys(batch.rooms?.leave ?? {})) this.deps.rooms.forget(roomId);
    for (const [roomId, joined] of Object.entries(batch.rooms?.join ?? {})) {
      try {
        await this.handleRoom(roomId, joined, first);
      } catch (err) {
        // The database cannot save: fail the batch, so its position is not saved and it comes again.
        if (err instanceof StorageUnavailableError) throw err;
        // One broken room must not wedge the sync for every other room: log it and go on.
        this.deps.log.error("matrix room failed", { room: roomId, error: errorMessage(err) });
      }
    }
  }

  /** One joined room of a batch: its state, any gap back-filled, then its new events in order. */
  private async handleRoom(roomId: string, joined: JoinedRoom, first: boolean): Promise<void> {
    const known = this.deps.rooms.isKnown(roomId);
    const state = joined.state?.events ?? [];
    if (!known && state.length === 0) {
      // Unknown state makes the room "private", the safe default, until the next sync tells more.
      await this.deps.rooms.ensureLoaded(roomId).catch((err) => {
        this.deps.log.warn("matrix room state unavailable", {
          room: roomId,
          error: errorMessage(err),
        });
      });
    } else this.deps.rooms.apply(roomId, state);
    const timeline = joined.timeline?.events ?? [];
    if (first) {
      // A fresh bot's first sync is history: learn the room, act on nothing from before it started.
      this.deps.rooms.apply(roomId, timeline);
      await this.warnIfUnreadable(roomId);
      return;
    }
    const missed =
      joined.timeline?.limited && joined.timeline.prev_batch
        ? await this.backfill(roomId, joined.timeline.prev_batch).catch((err) => {
            this.deps.log.warn("matrix back-fill failed", {
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
    if (joinedAt > 0 && !known) this.deps.rooms.apply(roomId, events.splice(0, joinedAt));
    for (const event of events) {
      try {
        await this.onTimelineEvent(roomId, event);
      } catch (err) {
        if (err instanceof StorageUnavailableError) throw err;
        this.deps.log.error("matrix event failed", {
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
    while (from && found.length < this.deps.settings.backfillLimit) {
      const page = await this.deps.api.messagesBefore(
        roomId,
        from,
        Math.min(50, this.deps.settings.backfillLimit - found.length),
      );
      const ids = page.events.map((e) => e.event_id).filter((id): id is string => Boolean(id));
      const seen = await this.deps.store.processedAmong(this.deps.workspace, ids);
      for (const event of page.events) {
        // The bot's own join marks where its knowledge of the room starts; nothing before it was missed.
        const ownJoin = event.type === "m.room.member" && event.state_key === this.bot.userId;
        if ((event.event_id && seen.has(event.event_id)) || ownJoin) return found.reverse();
        found.push(event);
      }
      from = page.events.length > 0 ? page.end : undefined;
    }
    this.deps.log.info("matrix gap back-filled", { room: roomId, events: found.length });
    return found.reverse();
  }

  private async onTimelineEvent(roomId: string, event: MatrixRawEvent): Promise<void> {
    const before =
      event.state_key !== undefined ? this.deps.rooms.membership(roomId, event.state_key) : undefined;
    if (event.state_key !== undefined) this.deps.rooms.apply(roomId, [event]);
    const eventId = event.event_id;
    if (!eventId) return;
    // A 👎 on a nudge needs the nudge itself, fetched before the transaction (which holds the database).
    const unhelpful =
      event.sender === this.bot.userId ? undefined : await this.unhelpfulFeedback(roomId, event);
    // The mark, what the features write and the actions they emit are one transaction, sent after
    // it commits: a crash mid-way leaves none of it, and the batch, not confirmed, comes again.
    // Events are handled one at a time here, and their lookups are mostly answered from the sync's
    // state, so the transaction is short.
    await this.deps.runtime.atomically(async () => {
      const now = this.deps.runtime.clock.now();
      if (!(await this.deps.processed.markProcessed(this.deps.workspace, eventId, now))) return;
      if (event.sender === this.bot.userId || isNotice(event)) return;
      const chatEvent =
        (unhelpful && (await this.unhelpfulByReaction(roomId, event, unhelpful, now))) ??
        toChatEvent(event, {
          room: this.deps.rooms.room(roomId),
          membershipBefore: before,
          bot: this.bot,
          prefix: this.deps.prefix,
          isCommand: (line) => this.deps.runtime.engine.isCommand(line),
          reactionNames: this.deps.settings.reactionNames,
          now,
        });
      if (chatEvent) await this.deps.runtime.dispatch(chatEvent);
    });
  }

  /**
   * A 👎 by the person a private nudge was for, on that nudge: the nudge's id and the
   * `outloud unhelpful <kind>` command it stands for (nudge-feedback.ts). Fetches the nudge.
   */
  private async unhelpfulFeedback(
    roomId: string,
    event: MatrixRawEvent,
  ): Promise<{ nudge: string; command: string } | undefined> {
    const reaction = reactionOf(event);
    if (!reaction || !isUnhelpfulReaction(reaction.key)) return undefined;
    const target = await this.deps.api.event(roomId, reaction.target).catch((err) => {
      this.deps.log.warn("matrix reacted-to event unavailable", { room: roomId, error: errorMessage(err) });
      return undefined;
    });
    const command = target && unhelpfulCommand(target, event.sender, this.bot.userId);
    return command ? { nudge: reaction.target, command } : undefined;
  }

  /**
   * That command as the person who reacted, the same the core runs for `!outloud unhelpful`. Counted
   * once per nudge: taking the reaction back and giving it again does not mark it twice.
   */
  private async unhelpfulByReaction(
    roomId: string,
    event: MatrixRawEvent,
    unhelpful: { nudge: string; command: string },
    at: Date,
  ): Promise<ChatEvent | undefined> {
    const { claims, workspace, prefix } = this.deps;
    if (!(await claims.claim(workspace, `matrix.unhelpful:${unhelpful.nudge}`, at))) return undefined;
    const room = this.deps.rooms.room(roomId);
    return {
      type: "command",
      command: { workspace, room, user: event.sender, text: unhelpful.command, prefix, at },
    };
  }

  /** Joins when the inviter is allowed (their server or their id is listed); remembers `is_direct`. */
  private async onInvite(roomId: string, state: MatrixRawEvent[]): Promise<void> {
    const invite = state.find((e) => e.type === "m.room.member" && e.state_key === this.bot.userId);
    const inviter = invite?.sender;
    if (!inviter || !this.mayInvite(inviter)) {
      this.deps.log.info("matrix invite not accepted", { room: roomId, inviter });
      return;
    }
    if (invite.content.is_direct === true) await this.deps.sink.markDirect(inviter, roomId);
    try {
      await this.deps.api.join(roomId);
      this.deps.log.info("matrix invite accepted", { room: roomId, inviter });
    } catch (err) {
      this.deps.log.warn("matrix join failed", { room: roomId, error: errorMessage(err) });
    }
  }

  private mayInvite(inviter: string): boolean {
    const { servers, users } = this.deps.settings.autoJoin;
    const server = inviter.split(":").slice(1).join(":");
    return (
      server === this.deps.workspace ||
      servers.includes("*") ||
      servers.includes(server) ||
      users.includes(inviter)
    );
  }

  /**
   * Says once per room (ever, across restarts and replicas) that the bot cannot read it. The claim and
   * the notice are one transaction: a crash or a refused write leaves both (the outbox sends it after
   * the restart) or neither (it is said when the room is next seen).
   */
  private async warnIfUnreadable(roomId: string): Promise<void> {
    if (!this.deps.rooms.isEncrypted(roomId)) return;
    const { runtime, claims, workspace } = this.deps;
    await runtime.atomically(async () => {
      if (!(await claims.claim(workspace, `matrix.encrypted:${roomId}`, runtime.clock.now()))) return;
      await runtime.deliver({
        workspace,
        action: "post",
        room: this.deps.rooms.room(roomId),
        text: CANNOT_READ,
        source: "matrix.encrypted",
      });
    });
  }
}
