/**
 * The Matrix platform put together: the homeserver API, the room registry, the directory, the sink
 * and the sync transport, handed to the shared runtime. `startMatrix` is what `npm start`
 * runs with MATRIX_* set; tests call `startMatrixPlatform` with a fake homeserver and a virtual clock.
 */
import type { AppContext } from "../../app.js";
import { MATRIX_NEEDS, platformsConfigured } from "../../config/platforms.js";
import { SystemClock } from "../../core/clocks.js";
import type { Clock } from "../../core/ports.js";
import type { Scheduler } from "../../core/scheduler.js";
import { replicaName } from "../../outbox/durable-outbox.js";
import { OutloudMetrics } from "../../runtime/metrics.js";
import { PlatformRuntime } from "../../runtime/runtime.js";
import { SqlActionOutboxStore } from "../../storage/action-outbox-store.js";
import { SqlClaimStore, SqlProcessedEventStore } from "../../storage/foundation-stores.js";
import { SqlLeaseStore } from "../../storage/leases.js";
import { SqlMatrixStateStore } from "../../storage/matrix-store.js";
import { MatrixApi, type MatrixCredentials } from "./api.js";
import { MatrixDirectory } from "./directory.js";
import { RoomRegistry } from "./rooms.js";
import { MatrixSink } from "./sink.js";
import { MatrixTransport } from "./transport.js";

export interface MatrixOptions {
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

const DAY_MS = 24 * 3600_000;

/** Connects, starts the features, then syncs; resolves once the first batch is handled (or standing by). */
export async function startMatrixPlatform(options: MatrixOptions): Promise<PlatformRuntime> {
  const { app, credentials } = options;
  const db = app.db.db;
  // The homeserver's name is the workspace: `@outloud:example.org` serves `example.org`.
  const workspace = credentials.userId.split(":").slice(1).join(":");
  const settings = app.config.settings;
  const clock = options.clock ?? new SystemClock();
  const metrics = options.metrics ?? new OutloudMetrics();
  const api = new MatrixApi(credentials, app.log, options.sleep);
  const rooms = new RoomRegistry(workspace, credentials.userId, (roomId) => api.roomState(roomId));
  const directory = new MatrixDirectory(rooms, credentials.userId, settings.workspace.timezone, {
    displayName: (id) => api.displayName(id),
  });
  const store = new SqlMatrixStateStore(db);
  const sink = new MatrixSink({
    api,
    rooms,
    directory,
    store,
    clock,
    log: app.log,
    workspace,
    botUserId: credentials.userId,
    metrics,
  });
  const processed = new SqlProcessedEventStore(db);
  const runtime = new PlatformRuntime(
    app,
    { name: "matrix", directory, sink, commandPrefix: settings.commands.matrixPrefix },
    {
      clock,
      scheduler: options.scheduler,
      metrics,
      healthPort: options.healthPort,
      healthHost: options.healthHost,
      processedEvents: { store: processed, keepMs: settings.privacy.retentionDays * DAY_MS },
      outbox: { store: new SqlActionOutboxStore(app.db.db), holder: replicaName() },
    },
  );
  const transport = new MatrixTransport({
    runtime,
    api,
    rooms,
    sink,
    store,
    processed,
    claims: new SqlClaimStore(db),
    leases: new SqlLeaseStore(db),
    settings: settings.matrix,
    prefix: settings.commands.matrixPrefix,
    workspace,
    botUserId: credentials.userId,
    log: app.log,
    pollTimeoutMs: options.pollTimeoutMs,
    replicaId: options.replicaId,
  });
  await runtime.start(transport);
  return runtime;
}

/** `npm start` with MATRIX_* set: connects and runs until stopped. */
export async function startMatrix(app: AppContext): Promise<PlatformRuntime> {
  const env = app.config.env;
  if (!env.MATRIX_HOMESERVER_URL || !env.MATRIX_USER_ID || !env.MATRIX_ACCESS_TOKEN)
    throw new Error(MATRIX_NEEDS);
  return startMatrixPlatform({
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
}
