/**
 * The Slack adapter: a Bolt 5 app (HTTP Events API with request signing, or Socket Mode) whose
 * listeners translate Slack payloads into core events, and a sink that turns core actions into Web
 * API calls. Every event is acted on once (event ids recorded in the database); the health routes are
 * served on the same port in HTTP mode, on their own port in Socket Mode.
 */
import type { Server } from "node:http";
import {
  App,
  type Logger as BoltLogger,
  HTTPReceiver,
  type InstallationStore,
  LogLevel,
  type Receiver,
  SocketModeReceiver,
  type webApi,
} from "@slack/bolt";
import type { AppContext } from "../../app.js";
import { createEngine } from "../../app.js";
import type { Engine } from "../../core/engine.js";
import type { ChatEvent } from "../../core/model.js";
import { type Logger, Scheduler, SystemClock } from "../../core/scheduler.js";
import { StorageUnavailableError } from "../../core/stores.js";
import { LiveSchedulerDriver } from "../../scheduler/live-scheduler.js";
import {
  healthRoutes,
  type ReadinessCheck,
  type RunningHealthServer,
  startHealthServer,
} from "../../server/health.js";
import { OutloudMetrics } from "../../server/metrics.js";
import { databaseWritable } from "../../storage/database.js";
import { SqlDecisionStore } from "../../storage/decision-store.js";
import { SqlProcessedEventStore } from "../../storage/foundation-stores.js";
import type { RunningAdapter } from "../adapter.js";
import {
  InstalledWorkspaceClients,
  SingleWorkspaceClients,
  type WorkspaceClients,
  type WorkspaceInstallations,
  webClientOptions,
} from "./clients.js";
import type { SlashResponse } from "./command-reply.js";
import { errorCode, SlackDirectory } from "./directory.js";
import { HomeRenderer, type HomeSectionProvider } from "./home.js";
import { registerCommands, setFirstDelivery } from "./listeners/commands.js";
import type { ListenerDeps } from "./listeners/deps.js";
import { EventRouter } from "./listeners/event-router.js";
import { registerForms } from "./listeners/forms.js";
import { registerHome } from "./listeners/home.js";
import { registerInstallations } from "./listeners/installations.js";
import { registerMembers } from "./listeners/members.js";
import { registerMessages } from "./listeners/messages.js";
import { registerReactions } from "./listeners/reactions.js";
import { SlackOutbox } from "./outbox.js";
import { refuseMalformedBodies } from "./request-guard.js";
import { SlackActionSink } from "./sink.js";

const SLACK_EVENTS_PATH = "/slack/events";
const PROCESSED_EVENT_RETENTION_MS = 7 * 24 * 60 * 60_000;

export interface SlackOAuthOptions {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  installationStore: WorkspaceInstallations;
  scopes: string[];
}

export interface SlackAdapterOptions {
  app: AppContext;
  /** SLACK_BOT_TOKEN: a single workspace. */
  botToken?: string;
  /** SLACK_CLIENT_ID/SECRET/STATE_SECRET: OAuth installs into many workspaces. */
  oauth?: SlackOAuthOptions;
  /** SLACK_SIGNING_SECRET: required in HTTP mode. */
  signingSecret?: string;
  /** SLACK_APP_TOKEN: Socket Mode instead of HTTP. */
  appToken?: string;
  /** SLACK_API_URL */
  slackApiUrl?: string;
  /** HTTP mode: where Slack's requests (and the health routes) are served. */
  port: number;
  /** Interface to listen on; all interfaces when absent (tests pass 127.0.0.1). */
  host?: string;
  /** Socket Mode: port of the health routes (0 for any free port); none when absent. */
  healthPort?: number;
  metrics?: OutloudMetrics;
  /** Minimum gap between posts in one channel (default 1000 ms, Slack's guidance). */
  perChannelIntervalMs?: number;
  /** Retries of failed Web API requests (tests shorten them). */
  retryConfig?: webApi.RetryOptions;
  /** App Home sections (rotas, decisions, nudge settings). */
  homeSections?: HomeSectionProvider[];
}

export class SlackAdapter implements RunningAdapter {
  readonly name = "slack";
  /** HTTP mode: the port Slack requests are served on. Socket Mode: the health port, if any. */
  port: number | undefined;
  readonly metrics: OutloudMetrics;
  engine!: Engine;
  private bolt!: App;
  private server: Server | undefined;
  private healthServer: RunningHealthServer | undefined;
  private driver!: LiveSchedulerDriver;
  private outbox!: SlackOutbox;
  private connected = false;
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly log: Logger;
  private purgeTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: SlackAdapterOptions) {
    this.metrics = options.metrics ?? new OutloudMetrics();
    this.log = options.app.log;
  }

  static async start(options: SlackAdapterOptions): Promise<SlackAdapter> {
    const adapter = new SlackAdapter(options);
    await adapter.run();
    return adapter;
  }

  ready(): boolean {
    return this.connected && !this.stopping;
  }

  /** Stops taking events, finishes the work in flight and the queued posts. The database stays open (main closes it). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.purgeTimer);
    const stopped = this.bolt
      .stop()
      .catch((err) => this.log.warn("slack receiver failed to stop", { error: errorCode(err) }));
    this.server?.closeIdleConnections();
    this.connected = false;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    // Connections that carried the last answers go idle once those are written: close them as they do,
    // rather than wait out keep-alive; after a grace period, close whatever is left.
    let closed = false;
    void stopped.then(() => {
      closed = true;
    });
    for (let waited = 0; !closed && waited < 3000; waited += 50) {
      this.server?.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.server?.closeAllConnections();
    await stopped;
    await this.driver.stop();
    await this.engine.stop();
    await this.outbox.drain();
    await this.healthServer?.close();
  }

  private async run(): Promise<void> {
    const o = this.options;
    const log = this.log;
    const clientOptions = { slackApiUrl: o.slackApiUrl, retryConfig: o.retryConfig };
    let clients: WorkspaceClients;
    let installationStore: InstallationStore | undefined;
    let single: SingleWorkspaceClients | undefined;
    let singleAuth: { team: string; botUserId: string | undefined; botId: string | undefined } | undefined;
    if (o.botToken) {
      single = new SingleWorkspaceClients(o.botToken, clientOptions);
      try {
        singleAuth = await single.verify();
      } catch (err) {
        throw new Error(
          `Slack refused SLACK_BOT_TOKEN (${errorCode(err)}): check the token, or reinstall the app to get a new one`,
        );
      }
      clients = single;
    } else if (o.oauth) {
      const installed = new InstalledWorkspaceClients(o.oauth.installationStore, clientOptions);
      installationStore = installed.installationStore();
      clients = installed;
    } else {
      throw new Error(
        "Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (OAuth)",
      );
    }
    if (!o.appToken && !o.signingSecret)
      throw new Error(
        "SLACK_SIGNING_SECRET is required for the HTTP Events API (or set SLACK_APP_TOKEN for Socket Mode)",
      );

    const directory = new SlackDirectory({
      clients,
      log,
      defaultTz: o.app.config.settings.workspace.timezone,
    });
    this.outbox = new SlackOutbox({
      perChannelIntervalMs: o.perChannelIntervalMs ?? 1000,
      log,
      onRateLimited: () => this.metrics.errors.inc({ where: "slack.rate_limited" }),
    });
    const sink = new SlackActionSink({ clients, outbox: this.outbox, log, metrics: this.metrics });
    const clock = new SystemClock();
    const scheduler = new Scheduler(log);
    this.engine = createEngine(o.app, { clock, scheduler, directory, sink });
    this.driver = new LiveSchedulerDriver(scheduler, clock);
    const home = new HomeRenderer({
      clients,
      providers: o.homeSections ?? [],
      help: () => this.engine.commands.help("outloud", "/"),
      isMember: async (workspace, room, user) => {
        const r = await directory.room(workspace, room);
        return (await directory.roomMembers(workspace, r)).includes(user);
      },
      outbox: this.outbox,
      log,
    });

    const checks: ReadinessCheck[] = [
      // Writable, not only reachable: a full disk or a read-only file answers reads.
      { name: "database", check: () => databaseWritable(o.app.db) },
      { name: "slack", check: () => this.ready() },
      { name: "scheduler", check: () => this.driver.alive() },
    ];
    const routes = healthRoutes({ metrics: this.metrics, checks });
    const boltLogger = toBoltLogger(log);
    const webOptions = webClientOptions(clientOptions);

    // With OAuth, Bolt serves /slack/install (straight on to Slack's consent page) and /slack/oauth_redirect.
    const oauth = o.oauth && installationStore ? oauthReceiverOptions(o.oauth, installationStore) : {};
    const installerOptions = {
      clientOptions: { ...(o.slackApiUrl ? { slackApiUrl: o.slackApiUrl } : {}) },
      directInstall: true,
    };
    let receiver: Receiver;
    if (o.appToken) {
      const socket = new SocketModeReceiver({
        appToken: o.appToken,
        logger: boltLogger,
        // With OAuth, Bolt serves the install pages itself on one port: the health routes go along.
        ...(o.oauth ? { customRoutes: routes } : {}),
        installerOptions: { ...installerOptions, ...(o.oauth ? { port: o.healthPort ?? o.port } : {}) },
        ...oauth,
      });
      socket.client.on("connected", () => {
        this.connected = true;
      });
      socket.client.on("disconnected", () => {
        this.connected = false;
      });
      socket.client.on("reconnecting", () => {
        this.connected = false;
      });
      receiver = socket;
    } else {
      const http = new HTTPReceiver({
        signingSecret: o.signingSecret!,
        endpoints: [SLACK_EVENTS_PATH],
        customRoutes: routes,
        logger: boltLogger,
        processBeforeResponse: false,
        installerOptions,
        ...oauth,
      });
      refuseMalformedBodies(http, [SLACK_EVENTS_PATH]);
      receiver = http;
    }

    this.bolt = new App({
      receiver,
      // No listener reads `context.conversation`; Bolt's store of it is work on every event for nothing.
      convoStore: false,
      logger: boltLogger,
      clientOptions: webOptions,
      ...(singleAuth
        ? {
            token: o.botToken,
            botUserId: singleAuth.botUserId,
            botId: singleAuth.botId,
            tokenVerificationEnabled: false,
          }
        : {}),
    });

    const decisions = new SqlDecisionStore(o.app.db.db);
    // Read at each scrape; a database that does not answer shows as NaN rather than failing /metrics.
    this.metrics.setOutboxProbe(() => decisions.pendingCount().catch(() => Number.NaN));
    // Slack has its acknowledgement before the mark is written: gathering 2 ms of events into one
    // commit makes a busy workspace's hundreds of events a second a few dozen writes.
    const processed = new SqlProcessedEventStore(o.app.db.db, { gatherMs: 2 });
    // Slack retries for at most a few hours; a week of event ids is plenty, and the table stays small.
    const purgeProcessed = () =>
      void processed
        .purge(new Date(Date.now() - PROCESSED_EVENT_RETENTION_MS))
        .catch((err) => log.warn("purging processed slack events failed", { error: errorCode(err) }));
    purgeProcessed();
    this.purgeTimer = setInterval(purgeProcessed, 6 * 60 * 60_000).unref();
    // Each event is acted on once: Slack retries on timeouts, Socket Mode redelivers unacknowledged envelopes.
    this.bolt.use(async ({ body, context, next, ...rest }) => {
      const b = body as { event_id?: string; trigger_id?: string; team_id?: string; team?: { id?: string } };
      const workspace = context.teamId ?? b.team_id ?? b.team?.id;
      if (single && workspace && workspace !== singleAuth?.team) return; // another workspace's stray request
      const id = b.event_id ?? (b.trigger_id ? `trigger:${b.trigger_id}` : undefined);
      const ack = (rest as { ack?: (response?: SlashResponse) => Promise<void> }).ack;
      const marked =
        workspace && id ? processed.markProcessed(workspace, id, new Date()) : Promise.resolve(true);
      if (answersWithinAck(body)) {
        // Slack wants these acknowledged within 3 s, and a database that is being retried may take
        // longer: the listener starts its "working on it" timer first, then waits for the mark.
        setFirstDelivery(context, marked);
        return next();
      }
      let first = true;
      try {
        first = await marked;
      } catch (err) {
        // Cannot remember having seen it, so cannot act on it once: say so rather than stay silent.
        // (An Events API event was acknowledged before this; it is not acted on.)
        if (!(err instanceof StorageUnavailableError)) throw err;
        log.warn("slack request not handled: storage unavailable", { reason: err.reason });
        if (ack) await ack();
        return;
      }
      if (!first) {
        if (ack) await ack();
        return;
      }
      await next();
    });
    this.bolt.error(async (err) => {
      this.metrics.errors.inc({ where: "slack.listener" });
      log.error("slack listener failed", { error: errorCode(err.original ?? err) });
    });

    const deps: ListenerDeps = {
      engine: this.engine,
      directory,
      log,
      metrics: this.metrics,
      home,
      dispatch: (event) => this.dispatch(event),
      submitForm: (submission, answer) => {
        this.metrics.eventsIn.inc({ platform: "slack", type: "form" });
        return this.track(this.engine.submitForm(submission, answer));
      },
      track: (work) => this.track(work),
      botUserId: async (workspace) =>
        single ? singleAuth?.botUserId : (await clients.forWorkspace(workspace)).botUserId,
    };
    const events = new EventRouter();
    events.install(this.bolt);
    registerMessages(events, deps);
    registerReactions(events, deps);
    registerMembers(events, deps);
    registerCommands(this.bolt, deps);
    registerHome(this.bolt, events, deps);
    registerForms(this.bolt, deps);
    if (installationStore) registerInstallations(events, deps, installationStore);

    await this.engine.start();
    this.driver.start();
    if (o.appToken) {
      try {
        await this.bolt.start();
      } catch (err) {
        await this.driver.stop();
        await this.engine.stop();
        throw new Error(
          `Slack refused the Socket Mode connection (${errorCode(err)}): check SLACK_APP_TOKEN and its connections:write scope`,
        );
      }
      this.connected = true;
      if (o.oauth) this.port = o.healthPort ?? o.port;
      else if (o.healthPort !== undefined) {
        this.healthServer = await startHealthServer(routes, o.healthPort, o.host);
        this.port = this.healthServer.port;
      }
    } else {
      this.server = (await this.bolt.start({ port: o.port, ...(o.host ? { host: o.host } : {}) })) as Server;
      const address = this.server.address();
      this.port = typeof address === "object" && address ? address.port : o.port;
      this.connected = true;
    }
    log.info("slack adapter started", {
      mode: o.appToken ? "socket" : "http",
      port: this.port,
      workspaces: single ? "single" : "oauth",
    });
  }

  private dispatch(event: ChatEvent): Promise<void> {
    this.metrics.eventsIn.inc({ platform: "slack", type: event.type });
    return this.track(this.engine.handle(event));
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }
}

/** Slash commands and message shortcuts: their listeners acknowledge through runAcknowledged. */
function answersWithinAck(body: unknown): boolean {
  const b = body as { command?: unknown; type?: unknown };
  return typeof b.command === "string" || b.type === "message_action";
}

function oauthReceiverOptions(oauth: SlackOAuthOptions, installationStore: InstallationStore) {
  return {
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    stateSecret: oauth.stateSecret,
    installationStore,
    scopes: oauth.scopes,
  };
}

/** Bolt's logger interface over ours. Debug output (which can include payloads) is dropped. */
function toBoltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (args: unknown[]) =>
    args
      .map((a) => (a instanceof Error ? a.name : String(a)))
      .join(" ")
      .slice(0, 300);
  return {
    debug: () => {},
    info: (...args: unknown[]) => log.info(`bolt: ${text(args)}`),
    warn: (...args: unknown[]) => log.warn(`bolt: ${text(args)}`),
    error: (...args: unknown[]) => log.error(`bolt: ${text(args)}`),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
