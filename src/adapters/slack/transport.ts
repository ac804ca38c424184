/**
 * The Slack transport: a Bolt 5 app (HTTP Events API with request signing, or Socket Mode) whose
 * listeners translate Slack payloads into core events for the runtime's `dispatch`. Every event is
 * acted on once (event ids recorded in the database); the health routes are served on the same port
 * in HTTP mode, and beside Bolt's install pages in Socket Mode with OAuth.
 */
import type { Server } from "node:http";
import {
  App,
  type Logger as BoltLogger,
  type BufferedIncomingMessage,
  HTTPReceiver,
  type InstallationStore,
  LogLevel,
  type Receiver,
  SocketModeReceiver,
  type webApi,
} from "@slack/bolt";
import { errorMessage } from "../../core/error-message.js";
import type { Logger } from "../../core/logger.js";
import {
  type EventInbox,
  type KeptEvent,
  type ProcessedEventStore,
  StorageUnavailableError,
} from "../../core/stores.js";
import type { PlatformRuntime, Transport } from "../../runtime/runtime.js";
import { type WorkspaceClients, type WorkspaceInstallations, webClientOptions } from "./clients.js";
import { errorCode, type SlackDirectory } from "./directory.js";
import type { SlackEventJournal } from "./event-journal.js";
import { HomeRenderer } from "./home.js";
import { registerCommands, setFirstDelivery } from "./listeners/commands.js";
import type { ListenerDeps } from "./listeners/deps.js";
import { EventRouter } from "./listeners/event-router.js";
import { registerForms } from "./listeners/forms.js";
import { registerHome } from "./listeners/home.js";
import { type RemovedInstallation, registerInstallations } from "./listeners/installations.js";
import { registerMembers } from "./listeners/members.js";
import { registerMessages } from "./listeners/messages.js";
import { registerNudgeFeedback } from "./listeners/nudge-feedback.js";
import { registerReactions } from "./listeners/reactions.js";
import { registerShare } from "./listeners/share.js";
import { registerUsers } from "./listeners/users.js";
import { orgAdminInstallCallback } from "./org-install.js";
import type { SlackOutbox } from "./outbox.js";
import { refuseMalformedBodies } from "./request-guard.js";

const SLACK_EVENTS_PATH = "/slack/events";

export interface SlackOAuthOptions {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  installationStore: WorkspaceInstallations;
  scopes: string[];
}

/** The one workspace of SLACK_BOT_TOKEN, as auth.test told it. */
export interface SingleWorkspace {
  token: string;
  team: string;
  botUserId: string | undefined;
  botId: string | undefined;
  /** Slack revoked the token: no more calls with it. True the first time. */
  revoke(reason: string): boolean;
}

export interface SlackTransportDeps {
  runtime: PlatformRuntime;
  clients: WorkspaceClients;
  directory: SlackDirectory;
  outbox: SlackOutbox;
  /** Ids already acted on: Events API event ids, and the trigger ids of commands and interactions. */
  processed: { events: ProcessedEventStore; triggers: ProcessedEventStore };
  /**
   * Events API events kept while they are handled (written with the batch after their mark, if still
   * running), and this replica's name in its claims: an event a crash cut short is handled again by
   * whichever replica sweeps first.
   */
  inbox: { store: EventInbox; holder: string; claimMs?: number };
  /**
   * The events acknowledged and not yet finished, written before each is acknowledged: those a crash
   * cut short in their first milliseconds, before the inbox had them, are handled after the restart.
   */
  journal?: SlackEventJournal;
  log: Logger;
  /** SLACK_BOT_TOKEN mode; OAuth mode (many workspaces) otherwise. */
  single?: SingleWorkspace;
  /** OAuth mode: the app's credentials and where installations are kept (Bolt's view of them). */
  oauth?: { options: SlackOAuthOptions; store: InstallationStore };
  /** OAuth mode: the stored installations, to tell whether one is still there. */
  installations?: WorkspaceInstallations;
  /** SLACK_SIGNING_SECRET: HTTP mode. */
  signingSecret?: string;
  /** SLACK_APP_TOKEN: Socket Mode instead of HTTP. */
  appToken?: string;
  slackApiUrl?: string;
  retryConfig?: webApi.RetryOptions;
  /** HTTP mode: where Slack's requests (and the health routes) are served. */
  port: number;
  host?: string;
  /** Socket Mode with OAuth: the port of Bolt's install pages, where the health routes go along. */
  healthPort?: number;
}

export class SlackTransport implements Transport {
  port: number | undefined;
  private readonly bolt: App;
  private server: Server | undefined;
  private connected = false;
  private stopped: Promise<unknown> | undefined;
  private inboxTimer: NodeJS.Timeout | undefined;
  private recovering: Promise<void> | undefined;

  constructor(private readonly deps: SlackTransportDeps) {
    const { runtime, single, oauth, log } = deps;
    const routes = runtime.healthRoutes();
    const boltLogger = toBoltLogger(log);
    // With OAuth, Bolt serves /slack/install (straight on to Slack's consent page) and /slack/oauth_redirect.
    const oauthOptions = oauth ? oauthReceiverOptions(oauth.options, oauth.store) : {};
    const installerOptions = {
      clientOptions: { ...(deps.slackApiUrl ? { slackApiUrl: deps.slackApiUrl } : {}) },
      directInstall: true,
      ...(oauth
        ? {
            callbackOptions: orgAdminInstallCallback({
              clientId: oauth.options.clientId,
              clientSecret: oauth.options.clientSecret,
              installationStore: oauth.store,
              slackApiUrl: deps.slackApiUrl,
              logger: boltLogger,
            }),
          }
        : {}),
    };
    let receiver: Receiver;
    if (deps.appToken) {
      const socket = new SocketModeReceiver({
        appToken: deps.appToken,
        logger: boltLogger,
        // With OAuth, Bolt serves the install pages itself on one port: the health routes go along.
        ...(oauth ? { customRoutes: routes } : {}),
        installerOptions: { ...installerOptions, ...(oauth ? { port: deps.healthPort ?? deps.port } : {}) },
        ...oauthOptions,
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
      if (!deps.signingSecret) throw new Error("SLACK_SIGNING_SECRET is required in HTTP mode");
      const http = new HTTPReceiver({
        signingSecret: deps.signingSecret,
        endpoints: [SLACK_EVENTS_PATH],
        customRoutes: routes,
        logger: boltLogger,
        processBeforeResponse: false,
        installerOptions,
        // The body's text as it came, for the journal to write as it is (see journalEvents).
        ...(deps.journal
          ? {
              customPropertiesExtractor: (req: BufferedIncomingMessage) =>
                req.headers["content-type"] === FORM ? {} : { [RAW_BODY]: req.rawBody },
            }
          : {}),
        ...oauthOptions,
      });
      refuseMalformedBodies(http, [SLACK_EVENTS_PATH]);
      receiver = http;
    }

    this.bolt = new App({
      receiver,
      // No listener reads `context.conversation`; Bolt's store of it is work on every event for nothing.
      convoStore: false,
      logger: boltLogger,
      clientOptions: webClientOptions({ slackApiUrl: deps.slackApiUrl, retryConfig: deps.retryConfig }),
      ...(single
        ? {
            token: single.token,
            botUserId: single.botUserId,
            botId: single.botId,
            tokenVerificationEnabled: false,
          }
        : {}),
    });
    this.journalEvents();
    this.register();
  }

  ready(): boolean {
    return this.connected;
  }

  async start(): Promise<void> {
    const { deps } = this;
    if (deps.appToken) {
      try {
        await this.bolt.start();
      } catch (err) {
        throw new Error(
          `Slack refused the Socket Mode connection (${errorCode(err)}): check SLACK_APP_TOKEN and its connections:write scope`,
        );
      }
      this.connected = true;
      if (deps.oauth) this.port = deps.healthPort ?? deps.port;
    } else {
      this.server = (await this.bolt.start({
        port: deps.port,
        ...(deps.host ? { host: deps.host } : {}),
      })) as Server;
      const address = this.server.address();
      this.port = typeof address === "object" && address ? address.port : deps.port;
      this.connected = true;
    }
    void this.recoverJournal();
    this.sweepInbox();
    deps.log.info("slack adapter started", {
      mode: deps.appToken ? "socket" : "http",
      port: this.port,
      workspaces: deps.single ? "single" : "oauth",
    });
  }

  /** Stops taking requests; connections stay open for the answers of the work in flight. */
  async stop(): Promise<void> {
    clearInterval(this.inboxTimer);
    this.stopped = this.bolt
      .stop()
      .catch((err) => this.deps.log.warn("slack receiver failed to stop", { error: errorCode(err) }));
    this.server?.closeIdleConnections();
    this.connected = false;
  }

  /**
   * Connections that carried the last answers go idle once those are written: close them as they do,
   * rather than wait out keep-alive; after a grace period, close whatever is left.
   */
  async close(): Promise<void> {
    let closed = false;
    void this.stopped?.then(() => {
      closed = true;
    });
    for (let waited = 0; !closed && waited < 3000; waited += 50) {
      this.server?.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.server?.closeAllConnections();
    await this.stopped;
    this.deps.journal?.close();
  }

  /** The middleware every request passes, then one listener per kind of payload. */
  private register(): void {
    const { runtime, single, processed, log, clients, directory } = this.deps;
    // Each event is acted on once: Slack retries on timeouts, Socket Mode redelivers unacknowledged envelopes.
    this.bolt.use(async (args) => {
      const { body, context, next } = args;
      const b = body as { event_id?: string; trigger_id?: string; team_id?: string; team?: { id?: string } };
      const workspace = context.teamId ?? b.team_id ?? b.team?.id;
      if (single && workspace && workspace !== single.team) return; // another workspace's stray request
      // Taken over from the inbox after a crash: marked and kept already, and claimed by this replica.
      if (context[RECOVERED] && workspace && b.event_id) return this.handleKept(workspace, b.event_id, next);
      if (context[JOURNALED] && workspace && b.event_id)
        return this.handleJournaled(workspace, b.event_id, body, next);
      const id = b.event_id ?? (b.trigger_id ? `trigger:${b.trigger_id}` : undefined);
      const ack = (args as { ack?: () => Promise<void> }).ack;
      const store = b.event_id ? processed.events : processed.triggers;
      const marked = workspace && id ? store.markProcessed(workspace, id, new Date()) : Promise.resolve(true);
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
        // Cannot remember having seen it, so cannot act on it once. (An Events API event was
        // acknowledged before this; it is not acted on.)
        if (!(err instanceof StorageUnavailableError)) throw err;
        log.warn("slack request not handled: storage unavailable", { reason: err.reason });
        if (ack) await ack();
        return;
      }
      if (!first) {
        if (ack) await ack();
        return;
      }
      const keep = workspace && b.event_id ? this.keepable(body) : undefined;
      if (keep) return this.handleKept(workspace!, b.event_id!, next, keep);
      await next();
    });
    this.bolt.error(async (err) => {
      runtime.metrics.errors.inc({ where: "slack.listener" });
      log.error("slack listener failed", { error: errorCode(err.original ?? err) });
    });

    const home = new HomeRenderer({
      clients,
      summaries: (viewer) => runtime.engine.summaries(viewer),
      help: () => runtime.engine.commands.help("outloud", runtime.engine.services.commands.prefix),
      isMember: (workspace, room, user) => directory.isMember(workspace, room, user),
      outbox: this.deps.outbox,
    });
    const deps: ListenerDeps = {
      engine: runtime.engine,
      directory,
      log,
      metrics: runtime.metrics,
      home,
      dispatch: (event) => runtime.dispatch(event),
      submitForm: (submission, answer) => runtime.submitForm(submission, answer),
      track: (work) => runtime.track(work),
      botUserId: async (workspace) =>
        single ? single.botUserId : (await clients.forWorkspace(workspace)).botUserId,
    };
    const events = new EventRouter();
    events.install(this.bolt);
    registerMessages(events, deps);
    registerReactions(events, deps);
    registerMembers(events, deps);
    registerUsers(events, deps);
    registerCommands(this.bolt, deps);
    registerHome(this.bolt, events, deps);
    registerNudgeFeedback(this.bolt, deps);
    registerForms(this.bolt, deps);
    registerShare(this.bolt, deps);
    registerInstallations(events, deps, (removed) => this.removed(removed));
  }

  /**
   * The event as the inbox keeps it while it is handled: its JSON and this replica's claim. A message
   * of a DM or private channel is not kept (its text is never stored): a crash while it is handled loses it.
   */
  private keepable(body: unknown): KeptEvent | undefined {
    return isKeepable(body) ? new KeptSlackEvent(body, this.deps.inbox) : undefined;
  }

  /**
   * Every Events API event that the inbox would keep is written to the journal as it comes, before
   * Bolt acknowledges it (App.processEvent acknowledges an event before the first middleware), and
   * its end once Bolt is done with it. Events taken over from the inbox are there already.
   */
  private journalEvents(): void {
    const journal = this.deps.journal;
    if (!journal) return;
    const processEvent = this.bolt.processEvent.bind(this.bolt);
    this.bolt.processEvent = (event) => {
      const b = event.body as { type?: unknown; event_id?: unknown; team_id?: unknown };
      const custom = event.customProperties as Record<string, unknown> | undefined;
      const raw = custom?.[RAW_BODY];
      // Read here only: not passed on into the listeners' context.
      if (raw !== undefined) event.customProperties = undefined;
      if (
        custom?.[RECOVERED] ||
        b.type !== "event_callback" ||
        typeof b.event_id !== "string" ||
        typeof b.team_id !== "string" ||
        !isKeepable(event.body)
      )
        return processEvent(event);
      const [workspace, eventId] = [b.team_id, b.event_id];
      return journal
        .came(workspace, eventId, event.body, Buffer.isBuffer(raw) ? raw : undefined)
        .then(() => processEvent(event))
        .finally(() => journal.ended(workspace, eventId));
    };
  }

  /**
   * Hands on, in the order they came, the events a crashed process had acknowledged and not finished:
   * each is handled again unless the inbox has it (a sweep hands that on).
   */
  private async recoverJournal(): Promise<void> {
    const { journal, inbox, log } = this.deps;
    if (!journal) return;
    try {
      const { events, release } = journal.abandoned();
      if (events.length > 0) log.info("slack: handling events a crash cut short", { count: events.length });
      const handled: Promise<void>[] = [];
      for (const { workspace, eventId, body } of events) {
        if (await inbox.store.has(workspace, eventId)) continue;
        // Written to this process's journal as it is handed on: the old file can go then.
        handled.push(
          this.bolt.processEvent({
            body: body as Record<string, unknown>,
            ack: async () => {},
            customProperties: { [JOURNALED]: true },
          }),
        );
      }
      release();
      await Promise.allSettled(handled);
    } catch (err) {
      log.warn("slack journal not read; its events are not handled again", { error: errorMessage(err) });
    }
  }

  /**
   * An event from the journal of a process that crashed: marked (it may not have been yet), kept while
   * handled, and handled whether or not the crashed process's mark was written.
   */
  private async handleJournaled(
    workspace: string,
    eventId: string,
    body: unknown,
    next: () => Promise<void>,
  ): Promise<void> {
    await this.deps.processed.events.markProcessed(workspace, eventId, new Date());
    return this.handleKept(workspace, eventId, next, this.keepable(body));
  }

  /** Handles an event, kept in the inbox (`keep`, or taken over from it) until that ends, however it went. */
  private async handleKept(
    workspace: string,
    eventId: string,
    next: () => Promise<void>,
    keep?: KeptEvent,
  ): Promise<void> {
    const { store } = this.deps.inbox;
    if (keep) store.keep(workspace, eventId, keep);
    try {
      await next();
    } finally {
      store.handled(workspace, eventId);
    }
  }

  private claimUntil(): Date {
    return claimUntil(this.deps.inbox);
  }

  /**
   * Keeps this replica's claims on the events it handles fresh, and handles again, in the order they
   * came, the events a dead replica (or this one, before a crash) was handling, every third of a claim.
   */
  private sweepInbox(): void {
    const { store, holder } = this.deps.inbox;
    const { log } = this.deps;
    const tick = () => {
      void store
        .renew(holder, this.claimUntil())
        .catch((err) => log.warn("slack inbox renewal failed", { error: errorMessage(err) }));
      if (this.recovering) return;
      this.recovering = this.recoverAbandoned().finally(() => {
        this.recovering = undefined;
      });
    };
    tick();
    this.inboxTimer = setInterval(tick, Math.max(1000, Math.floor((this.deps.inbox.claimMs ?? 15_000) / 3)));
    this.inboxTimer.unref();
  }

  private async recoverAbandoned(): Promise<void> {
    const { store, holder } = this.deps.inbox;
    const { log } = this.deps;
    try {
      const abandoned = await store.claimAbandoned(holder, new Date(), this.claimUntil(), 20);
      if (abandoned.length > 0)
        log.info("slack: handling events a crash cut short", { count: abandoned.length });
      for (const kept of abandoned)
        await this.bolt.processEvent({
          body: JSON.parse(kept.payload),
          ack: async () => {},
          customProperties: { [RECOVERED]: true },
        });
    } catch (err) {
      log.warn("slack inbox sweep failed; trying again later", { error: errorMessage(err) });
    }
  }

  /** Removals one at a time: app_uninstalled and tokens_revoked arrive together and are handled side by side. */
  private removals: Promise<void> = Promise.resolve();

  /** The app was removed from a workspace: no more calls there, and the reason logged once. */
  private removed(removed: RemovedInstallation): Promise<void> {
    const next = this.removals.then(() => this.removeNow(removed));
    this.removals = next.catch(() => {});
    return next;
  }

  private async removeNow(removed: RemovedInstallation): Promise<void> {
    const { oauth, installations, single, log } = this.deps;
    const workspace = removed.isEnterpriseInstall ? removed.enterpriseId : removed.teamId;
    if (oauth && installations) {
      // app_uninstalled and tokens_revoked both come for one uninstall: the second finds nothing.
      if (!workspace || !(await installations.has(workspace))) return;
      await oauth.store.deleteInstallation?.(removed);
      log.info("slack app removed: installation deleted, no more calls there", {
        workspace,
        reason: removed.reason,
      });
    } else if (single && workspace === single.team && single.revoke(removed.reason)) {
      log.warn("slack app removed: SLACK_BOT_TOKEN no longer works, no more calls are made with it", {
        workspace,
        reason: removed.reason,
      });
    }
  }
}

/** The context flag of an event taken over from the inbox (Bolt passes custom properties into the context). */
const RECOVERED = "outloudRecovered";
/** Custom property of an event handed on from a crashed process's journal. */
const JOURNALED = "outloudJournaled";

/** How long a claim on a kept event lasts from now. */
function claimUntil(inbox: { claimMs?: number }): Date {
  return new Date(Date.now() + (inbox.claimMs ?? 15_000));
}

/** An event as the inbox keeps it (see `keepable`); its JSON and its claim's end worked out only if asked. */
class KeptSlackEvent implements KeptEvent {
  readonly receivedAt = new Date();
  readonly holder: string;

  constructor(
    private readonly body: unknown,
    private readonly inbox: { holder: string; claimMs?: number },
  ) {
    this.holder = inbox.holder;
  }

  payload(): string {
    return JSON.stringify(this.body);
  }

  until(): Date {
    return claimUntil(this.inbox);
  }
}

/** Custom property of an HTTP request's event: the body's text as it came (a Buffer). */
const RAW_BODY = "outloudRawBody";
const FORM = "application/x-www-form-urlencoded";

/** Whether the inbox (and the journal) would keep the event: never a message of a DM or private channel. */
function isKeepable(body: unknown): boolean {
  const event = (body as { event?: { type?: unknown; channel_type?: unknown } }).event;
  return !(event?.type === "message" && event.channel_type !== "channel");
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
