/**
 * Starts the real Slack adapter (Bolt 5 in HTTP or Socket Mode) against FakeSlackApi on loopback, on
 * a fresh SQLite database, the way `npm start` would, and hands the test what it needs to drive it:
 * the adapter's URL, the fake, the signing secret and the database.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOT_SCOPES, type SlackOptions, startSlackPlatform } from "../../src/adapters/slack/start.js";
import type { AppContext } from "../../src/app.js";
import type { Logger } from "../../src/core/logger.js";
import { silentLogger } from "../../src/logging.js";
import type { PlatformRuntime } from "../../src/runtime/runtime.js";
import { type DatabaseHandle, openDatabase } from "../../src/storage/database.js";
import { SqlSlackInstallationStore } from "../../src/storage/slack-installation-store.js";
import { TokenCipher } from "../../src/storage/slack-token-cipher.js";
import { FakeSlackApi } from "./fake-slack-api.js";
import { mkSlashCommand, postSigned, type SignedResponse } from "./fake-slack-requests.js";
import { scenarioConfig } from "./scenario.js";

export const SIGNING_SECRET = "test-signing-secret";

export interface SlackHarness {
  adapter: PlatformRuntime;
  slack: FakeSlackApi;
  db: DatabaseHandle;
  app: AppContext;
  /** http://127.0.0.1:PORT of the adapter (HTTP mode). */
  url: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** An already started fake to share (e.g. between two adapters); started and closed here otherwise. */
  slack?: FakeSlackApi;
  /** Behaviour settings as in config/outloud.yaml. */
  settings?: Record<string, unknown>;
  /** Adapter options other than the app and the fake's URL. */
  adapter?: Partial<Omit<SlackOptions, "app">>;
  /** Called with the fake before the adapter starts (workspaces, users, channels). */
  seed?(slack: FakeSlackApi): void;
  databaseUrl?: string;
  /** Where the adapter logs (silent by default). */
  log?: Logger;
  /**
   * OAuth mode: these workspaces are already installed (stored encrypted, as after the OAuth flow);
   * the fake knows the app's credentials (OAUTH_CLIENT), so more can install through the flow.
   */
  installed?: Array<{ team: string; botToken: string; botUserId?: string }>;
}

/** The OAuth app's credentials in OAuth mode (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET). */
export const OAUTH_CLIENT = { id: "1.2", secret: "client-secret", stateSecret: "state-secret" };

/** A fixed test key for OUTLOUD_ENCRYPTION_KEY (32 bytes, hex). */
export const TEST_ENCRYPTION_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

export async function startSlackHarness(options: HarnessOptions = {}): Promise<SlackHarness> {
  const ownsFake = !options.slack;
  const slack = options.slack ?? (await new FakeSlackApi().start());
  options.seed?.(slack);
  const dataDir = mkdtempSync(join(tmpdir(), "outloud-slack-"));
  const config = scenarioConfig(options.settings ?? {}, { OUTLOUD_DATA_DIR: dataDir });
  const db = await openDatabase({ url: options.databaseUrl ?? join(dataDir, "outloud.sqlite") });
  const app: AppContext = { config, db, log: options.log ?? silentLogger };
  let adapter: PlatformRuntime;
  let oauth: SlackOptions["oauth"];
  if (options.installed) {
    const installationStore = new SqlSlackInstallationStore(db.db, TokenCipher.fromEnv(TEST_ENCRYPTION_KEY));
    for (const i of options.installed) {
      await installationStore.storeInstallation({
        team: { id: i.team, name: `Team ${i.team}` },
        enterprise: undefined,
        isEnterpriseInstall: false,
        bot: {
          token: i.botToken,
          userId: i.botUserId ?? `UBOT${i.team}`,
          id: `BBOT${i.team}`,
          scopes: BOT_SCOPES,
        },
        user: { token: undefined, scopes: undefined, id: `UADMIN${i.team}` },
        tokenType: "bot",
        authVersion: "v2",
      });
    }
    slack.addOAuthApp(OAUTH_CLIENT.id, OAUTH_CLIENT.secret);
    oauth = {
      clientId: OAUTH_CLIENT.id,
      clientSecret: OAUTH_CLIENT.secret,
      stateSecret: OAUTH_CLIENT.stateSecret,
      installationStore,
      scopes: BOT_SCOPES,
    };
  }
  try {
    adapter = await startSlackPlatform({
      app,
      signingSecret: SIGNING_SECRET,
      ...(oauth ? { oauth } : { botToken: "xoxb-t1" }),
      slackApiUrl: slack.apiUrl,
      port: 0,
      host: "127.0.0.1",
      // Fail fast instead of the SDK's half-hour retry schedule.
      retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 50 },
      ...options.adapter,
    });
  } catch (err) {
    await db.close();
    if (ownsFake) await slack.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    adapter,
    slack,
    db,
    app,
    url: `http://127.0.0.1:${adapter.port}`,
    async close() {
      await adapter.stop();
      await db.close();
      if (ownsFake) await slack.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One workspace with a bot token, two people and a public channel they are both in. */
/** The environment of a bot process talking to `slack` as workspace T1 of seedWorkspace, plus `more`. */
export function slackBotEnv(slack: FakeSlackApi, more: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: "xoxb-t1",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    ...more,
  };
}

export function seedWorkspace(slack: FakeSlackApi, team = "T1", token = "xoxb-t1"): void {
  slack.addWorkspace({ team, botToken: token });
  slack.addUser({ id: `U${team}A`, team, name: "alice", tz: "Europe/Madrid" });
  slack.addUser({ id: `U${team}B`, team, name: "bob", tz: "America/New_York" });
  slack.addConversation({
    id: `C${team}`,
    team,
    name: "team",
    kind: "public",
    members: [`U${team}A`, `U${team}B`, `UBOT${team}`],
  });
}

/**
 * alice of `team` types a slash command in the team's channel (the ids seedWorkspace gives them:
 * `U{team}A` in `C{team}`), through the adapter's signed endpoint; `enterprise` for a workspace of an
 * Enterprise Grid org where the app is installed org-wide.
 */
export function typeInTeamChannel(
  h: SlackHarness,
  team: string,
  command: string,
  text: string,
  enterprise?: string,
): Promise<SignedResponse> {
  return postSigned(
    h.url,
    SIGNING_SECRET,
    mkSlashCommand({
      team,
      user: `U${team}A`,
      channel: `C${team}`,
      channelName: "team",
      command,
      text,
      responseUrl: h.slack.responseUrl(),
      ...(enterprise ? { enterprise } : {}),
    }),
  );
}

/** One sample of the adapter's GET /metrics, e.g. `outloud_errors_total{where="slack.rate_limited"}`; 0 when absent. */
export async function metric(h: SlackHarness, series: string): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
