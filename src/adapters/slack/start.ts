/**
 * The Slack platform put together: Web API clients (one workspace or OAuth installs), the directory,
 * the paced outbox and the sink, and the Bolt transport, handed to the shared runtime.
 * `startSlack` is what `npm start` runs with Slack variables: HTTP Events API on PORT unless
 * SLACK_APP_TOKEN selects Socket Mode (health routes then on HEALTH_PORT, else PORT).
 */
import type { webApi } from "@slack/bolt";
import type { AppContext } from "../../app.js";
import { slackProblems } from "../../config/platforms.js";
import { replicaName } from "../../outbox/durable-outbox.js";
import { OutloudMetrics } from "../../runtime/metrics.js";
import { PlatformRuntime } from "../../runtime/runtime.js";
import { SqlActionOutboxStore } from "../../storage/action-outbox-store.js";
import { SqlProcessedEventStore } from "../../storage/foundation-stores.js";
import { SqlSlackInstallationStore } from "../../storage/slack-installation-store.js";
import { TokenCipher } from "../../storage/slack-token-cipher.js";
import { InstalledWorkspaceClients, SingleWorkspaceClients, type WorkspaceClients } from "./clients.js";
import { errorCode, SlackDirectory } from "./directory.js";
import { SlackEventJournal } from "./event-journal.js";
import { SlackOutbox } from "./outbox.js";
import { SlackActionSink } from "./sink.js";
import { type SingleWorkspace, type SlackOAuthOptions, SlackTransport } from "./transport.js";

/** Slack retries for at most a few hours; a week of event ids is plenty, and the table stays small. */
const PROCESSED_EVENT_RETENTION_MS = 7 * 24 * 60 * 60_000;

/** The bot scopes of manifest.yaml, requested again at OAuth install time. */
export const BOT_SCOPES = [
  "channels:history",
  "channels:read",
  "channels:write.topic",
  "chat:write",
  "commands",
  "groups:history",
  "groups:read",
  "groups:write.topic",
  "im:history",
  "im:read",
  "im:write",
  "mpim:history",
  "mpim:read",
  "reactions:read",
  "usergroups:read",
  "usergroups:write",
  "users:read",
];

export interface SlackOptions {
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
}

/** Checks the credentials, then starts the features and takes Slack's requests. */
export async function startSlackPlatform(o: SlackOptions): Promise<PlatformRuntime> {
  const { app } = o;
  const log = app.log;
  const clientOptions = { slackApiUrl: o.slackApiUrl, retryConfig: o.retryConfig };
  let clients: WorkspaceClients;
  let single: SingleWorkspace | undefined;
  let installed: InstalledWorkspaceClients | undefined;
  if (o.botToken) {
    const singleClients = new SingleWorkspaceClients(o.botToken, clientOptions);
    try {
      single = {
        token: o.botToken,
        ...(await singleClients.verify()),
        revoke: (reason) => singleClients.revoke(reason),
      };
    } catch (err) {
      throw new Error(startupProblem(err, o.slackApiUrl));
    }
    clients = singleClients;
  } else if (o.oauth) {
    installed = new InstalledWorkspaceClients(o.oauth.installationStore, clientOptions);
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

  const metrics = o.metrics ?? new OutloudMetrics();
  const outbox = new SlackOutbox({
    perChannelIntervalMs: o.perChannelIntervalMs ?? 1000,
    log,
    onRateLimited: () => metrics.errors.inc({ where: "slack.rate_limited" }),
  });
  const directory = new SlackDirectory({
    clients,
    log,
    calls: outbox,
    defaultTz: app.config.settings.workspace.timezone,
  });
  const sink = new SlackActionSink({
    clients,
    outbox,
    log,
    metrics,
    people: directory,
    // Refusals only a person can fix go to the feature that acted (runtime is set by then).
    onProblem: (problem): Promise<void> => runtime.engine.deliveryProblem(problem),
  });
  // Bolt acknowledges an event before the mark is written: gathering 50 ms of events (or 50 events,
  // when they come faster) into one commit makes a busy workspace's hundreds of events a second a few
  // dozen writes. At 2 ms nearly every event at 200 a second had a commit of its own; at 20 ms a commit
  // of four still cost some 55 µs of CPU an event, and the bot 10% more CPU per event than at 50 ms.
  // The journal keeps the events acknowledged meanwhile (event-journal.ts).
  const processed = new SqlProcessedEventStore(app.db.db, { gatherMs: 50, gatherRows: 50 });
  const holder = replicaName();
  // Commands and interactions are acknowledged after their mark: it is written at once.
  const processedTriggers = new SqlProcessedEventStore(app.db.db);
  const runtime: PlatformRuntime = new PlatformRuntime(
    app,
    { name: "slack", directory, sink, commandPrefix: "/" },
    {
      metrics,
      // Socket Mode without OAuth has no HTTP server of Bolt's: the health routes get their own.
      healthPort: o.appToken && !o.oauth ? o.healthPort : undefined,
      healthHost: o.host,
      processedEvents: { store: processed, keepMs: PROCESSED_EVENT_RETENTION_MS },
      outbox: { store: new SqlActionOutboxStore(app.db.db), holder },
    },
  );
  const transport = new SlackTransport({
    runtime,
    clients,
    directory,
    outbox,
    processed: { events: processed, triggers: processedTriggers },
    inbox: { store: processed, holder },
    journal: new SlackEventJournal(app.config.dataDir, app.config.databaseUrl),
    log,
    single,
    oauth: o.oauth && installed ? { options: o.oauth, store: installed.installationStore() } : undefined,
    installations: o.oauth?.installationStore,
    signingSecret: o.signingSecret,
    appToken: o.appToken,
    slackApiUrl: o.slackApiUrl,
    retryConfig: o.retryConfig,
    port: o.port,
    host: o.host,
    healthPort: o.healthPort,
  });
  await runtime.start(transport);
  return runtime;
}

export async function startSlack(app: AppContext): Promise<PlatformRuntime> {
  const env = app.config.env;
  const oauthWanted = Boolean(env.SLACK_CLIENT_ID || env.SLACK_CLIENT_SECRET || env.SLACK_STATE_SECRET);
  const [problem] = slackProblems(env);
  if (problem) throw new Error(problem);
  const oauth =
    !env.SLACK_BOT_TOKEN && oauthWanted
      ? {
          clientId: env.SLACK_CLIENT_ID!,
          clientSecret: env.SLACK_CLIENT_SECRET!,
          stateSecret: env.SLACK_STATE_SECRET!,
          installationStore: new SqlSlackInstallationStore(
            app.db.db,
            TokenCipher.fromEnv(env.OUTLOUD_ENCRYPTION_KEY),
          ),
          scopes: BOT_SCOPES,
        }
      : undefined;
  return startSlackPlatform({
    app,
    botToken: env.SLACK_BOT_TOKEN,
    oauth,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    slackApiUrl: env.SLACK_API_URL,
    port: env.PORT,
    host: env.HOST,
    healthPort: env.SLACK_APP_TOKEN ? (env.HEALTH_PORT ?? env.PORT) : undefined,
  });
}

/**
 * Why auth.test failed at start-up, told apart: Slack answered and refused the token, Slack answered
 * with an HTTP error, or Slack could not be reached at all (the WebClient's error codes:
 * https://tools.slack.dev/node-slack-sdk/web-api#handle-errors).
 */
function startupProblem(err: unknown, apiUrl: string | undefined): string {
  const e = err as {
    code?: string;
    statusCode?: number;
    original?: { code?: string; message?: string; cause?: { code?: string } };
  };
  const api = apiUrl ?? "https://slack.com/api/";
  if (e?.code === "slack_webapi_request_error")
    return `could not reach the Slack API at ${api} (${e.original?.cause?.code ?? e.original?.code ?? e.original?.message ?? "no answer"}): check the network, a proxy, or SLACK_API_URL`;
  if (e?.code === "slack_webapi_http_error")
    return `the Slack API at ${api} answered HTTP ${e.statusCode ?? "error"} to auth.test: try again later, or check SLACK_API_URL`;
  return `Slack refused SLACK_BOT_TOKEN (${errorCode(err)}): check the token, or reinstall the app to get a new one`;
}
