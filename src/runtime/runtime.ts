/**
 * One runtime for every platform. Given the app context and a platform's directory, sink and
 * transport, it builds what Slack, Matrix and the local platform all share: the engine, the clock and
 * the scheduler (with the live driver that waits on the wall clock), the health and readiness routes,
 * metrics, the purge of handled event ids (a scheduled task like any other), graceful stop, and the one
 * entry point for events, `dispatch`. An adapter is then transport, translate, render, sink and
 * directory, and nothing else.
 *
 * Every action the core takes, for an event or for a timer, leaves through `deliver`: through the
 * durable outbox (src/outbox/) on the live platforms, straight to the sink in the replay.
 */
import { type AppContext, afterCommitted, createEngine } from "../app.js";
import type { Action } from "../core/actions.js";
import { SystemClock } from "../core/clocks.js";
import { CommandSpelling } from "../core/commands/spelling.js";
import type { Engine } from "../core/engine.js";
import { errorMessage } from "../core/error-message.js";
import type { FieldErrors, FormSubmission } from "../core/forms.js";
import type { ChatEvent } from "../core/model.js";
import type { ActionSink, Clock, Directory } from "../core/ports.js";
import { Scheduler } from "../core/scheduler.js";
import type { ProcessedEventStore } from "../core/stores.js";
import { DurableOutbox } from "../outbox/durable-outbox.js";
import type { ActionOutboxStore } from "../outbox/store.js";
import { reportRoutes } from "../report/live.js";
import { databaseWritable } from "../storage/database.js";
import { SqlDecisionStore } from "../storage/decision-store.js";
import { SqlNudgeStore } from "../storage/nudge-store.js";
import { type HealthRoute, healthRoutes, type RunningHealthServer, startHealthServer } from "./health.js";
import { LiveSchedulerDriver } from "./live-scheduler.js";
import { OutloudMetrics } from "./metrics.js";

/** What a platform brings besides its transport: who is who, how actions are carried out, how commands are typed. */
export interface PlatformParts {
  /** `slack`, `matrix`, `local`: names the platform in metrics, logs and /readyz. */
  name: string;
  directory: Directory;
  sink: ActionSink;
  /** How people type commands here: `/` (Slack, the playground) or the Matrix prefix (`!`). */
  commandPrefix: string;
}

/** The platform's connection: it receives events and hands them to `PlatformRuntime.dispatch`. */
export interface Transport {
  /** Checks credentials and learns what the platform already knows, before the engine starts. */
  connect?(): Promise<void>;
  /** Starts taking events; the engine and its timers run already. */
  start(): Promise<void>;
  /** Connected and able to act (for /readyz). */
  ready(): boolean;
  /** Stops taking events. The runtime then waits for the work in flight. */
  stop(): Promise<void>;
  /** Once the work in flight is done: closes what is still open (e.g. idle HTTP connections). */
  close?(): Promise<void>;
  /** The port the transport serves HTTP on itself, health routes included (Slack's receivers). */
  readonly port?: number;
}

export interface RuntimeOptions {
  /** A clock and a scheduler the caller moves (replay, tests); by default the wall clock and the live driver. */
  clock?: Clock;
  scheduler?: Scheduler;
  metrics?: OutloudMetrics;
  /** Serves the health routes on a server of their own on this port (0: any free port). */
  healthPort?: number;
  healthHost?: string;
  /** Handled event ids, forgotten after `keepMs`: they only guard against acting twice on a repeat. */
  processedEvents?: { store: ProcessedEventStore; keepMs: number };
  /**
   * Live platforms: every action is written to this durable outbox before it is sent (src/outbox/),
   * and what a crashed replica left unsent is sent on start-up. `holder` names this replica.
   */
  outbox?: { store: ActionOutboxStore; holder: string; claimMs?: number };
}

/** How often handled event ids older than their retention are deleted. */
const PURGE_EVERY_MS = 6 * 60 * 60_000;

export class PlatformRuntime {
  readonly name: string;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly metrics: OutloudMetrics;
  private readonly driver: LiveSchedulerDriver | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private transport: Transport | undefined;
  private readonly outbox: DurableOutbox | undefined;
  private healthServer: RunningHealthServer | undefined;
  private stopping = false;

  constructor(
    private readonly app: AppContext,
    private readonly platform: PlatformParts,
    private readonly options: RuntimeOptions = {},
  ) {
    this.name = platform.name;
    this.clock = options.clock ?? new SystemClock();
    this.scheduler = options.scheduler ?? new Scheduler(app.log);
    // A scheduler handed in is driven by its owner (a virtual clock); ours waits on the wall clock.
    this.driver = options.scheduler ? undefined : new LiveSchedulerDriver(this.scheduler, this.clock);
    this.metrics = options.metrics ?? new OutloudMetrics();
    if (options.outbox)
      this.outbox = new DurableOutbox({
        ...options.outbox,
        platform: platform.name,
        sink: platform.sink,
        log: app.log,
        afterCommit: (then) => app.db.afterCommit(then),
      });
    this.engine = createEngine(app, {
      clock: this.clock,
      scheduler: this.scheduler,
      directory: platform.directory,
      emit: (action) => this.deliver(action),
      // Without an outbox (the replay) nothing is saved: the engine keeps a reservation in memory.
      ...(this.outbox ? { reserve: (action: Action) => this.outbox!.reserve(action) } : {}),
      // Work after an event's commit (its exports) is in flight too: a stop waits for it.
      afterCommit: afterCommitted(app, (work) => this.track(work)),
      commands: new CommandSpelling(platform.commandPrefix),
    });
    const decisions = new SqlDecisionStore(app.db.db);
    // Read at each scrape; a database that does not answer shows as NaN rather than failing /metrics.
    this.metrics.setOutboxProbe(() => decisions.pendingCount().catch(() => Number.NaN));
    const nudges = new SqlNudgeStore(app.db.db);
    this.metrics.setUnhelpfulProbe(() => nudges.unhelpfulCounts());
  }

  /** The port this platform serves HTTP on (its health routes, and Slack's requests in HTTP mode). */
  get port(): number | undefined {
    return this.healthServer?.port ?? this.transport?.port;
  }

  /** /healthz, /readyz (database, the platform, the scheduler) and /metrics, for a transport that serves HTTP. */
  healthRoutes(): HealthRoute[] {
    const checks = [
      // Writable, not only reachable: a full disk or a read-only file still answers reads.
      { name: "database", check: () => databaseWritable(this.app.db) },
      { name: this.name, check: () => this.ready() },
      // A scheduler driven by its owner has no driver to ask: there, running means not stopping.
      { name: "scheduler", check: () => (this.driver ? this.driver.alive() : !this.stopping) },
    ];
    const { directory } = this.platform;
    const report = reportRoutes({
      db: this.app.db.db,
      config: this.app.config,
      clock: this.clock,
      directory,
      log: this.app.log,
      isWorkspaceAdmin: directory.isWorkspaceAdmin?.bind(directory),
    });
    return [...healthRoutes({ metrics: this.metrics, checks }), ...report];
  }

  /** Connects, starts the engine and its timers, then takes events; the health server last. */
  async start(transport?: Transport): Promise<void> {
    this.transport = transport;
    await transport?.connect?.();
    await this.engine.start();
    this.driver?.start();
    this.armPurge();
    // What a crashed run (this replica's or another's) left unsent goes out now.
    this.outbox?.start();
    try {
      await transport?.start();
    } catch (err) {
      await this.driver?.stop();
      await this.engine.stop();
      throw err;
    }
    if (this.options.healthPort !== undefined)
      this.healthServer = await startHealthServer(
        this.healthRoutes(),
        this.options.healthPort,
        this.options.healthHost,
      );
  }

  /** Connected and not stopping. */
  ready(): boolean {
    return !this.stopping && (this.transport?.ready() ?? true);
  }

  /** The entry point of every event: counted, and tracked so that a stop waits for it. */
  dispatch(event: ChatEvent): Promise<void> {
    this.metrics.eventsIn.inc({ platform: this.name, type: event.type });
    return this.track(this.engine.handle(event));
  }

  /** A filled-in form, the same way (see Engine.submitForm for `answer`). */
  submitForm(submission: FormSubmission, answer: (errors?: FieldErrors) => Promise<void>): Promise<void> {
    this.metrics.eventsIn.inc({ platform: this.name, type: "form" });
    return this.track(this.engine.submitForm(submission, answer));
  }

  /**
   * Runs `work` in one database transaction: an event's processed mark, the features' writes and the
   * actions they emit are saved together, and the actions sent once they are (src/storage/transaction-scope.ts).
   */
  atomically<T>(work: () => Promise<T>): Promise<T> {
    return this.app.db.atomically(work);
  }

  /** Runs work that a stop must wait for. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    // One reaction for both outcomes (a rejection is the caller's to handle; here it is only seen).
    // Unnamed closures: tsx, which runs the bot, renames each named one as it is made.
    work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }

  /**
   * Stops taking events, finishes the work in flight, stops the timers and the features, and lets the
   * sink carry out what it still queues. The database stays open (its owner closes it).
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.transport?.stop();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.transport?.close?.();
    await this.driver?.stop();
    await this.engine.stop();
    await this.outbox?.stop();
    await this.platform.sink.drain?.();
    await this.healthServer?.close();
  }

  /**
   * Where every action goes out: the core's, for an event or a timer, and the few a transport says
   * itself (Matrix's notice in an encrypted room), so that each is as durable as the rest.
   */
  deliver(action: Action): Promise<void> {
    return this.outbox ? this.outbox.deliver(action) : this.platform.sink.deliver(action);
  }

  /** Forgets handled event ids past their retention: at start, then every few hours. */
  private armPurge(): void {
    const processed = this.options.processedEvents;
    if (!processed) return;
    const purge = async () => {
      await processed.store
        .purge(new Date(this.clock.now().getTime() - processed.keepMs))
        .catch((err) =>
          this.app.log.warn(`purging processed ${this.name} events failed`, { error: errorMessage(err) }),
        );
    };
    // Due at once (one interval ago), then every interval; the scheduler runs it like any timer.
    const from = new Date(this.clock.now().getTime() - PURGE_EVERY_MS);
    this.scheduler.every(`${this.name}.purge-processed`, PURGE_EVERY_MS, from, purge);
  }
}
