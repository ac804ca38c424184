/**
 * `npm start` with Slack variables: reads them from the validated environment and starts the adapter.
 * HTTP Events API on PORT unless SLACK_APP_TOKEN selects Socket Mode (health routes then on
 * HEALTH_PORT, else PORT). SLACK_BOT_TOKEN for one workspace, or OAuth for many.
 */
import type { AppContext } from "../../app.js";
import { SqlSlackInstallationStore } from "../../storage/slack-installation-store.js";
import { TokenCipher } from "../../storage/slack-token-cipher.js";
import type { RunningAdapter } from "../adapter.js";
import { homeSectionsFor } from "./home-sections.js";
import { SlackAdapter } from "./slack-adapter.js";

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

export async function startSlack(app: AppContext): Promise<RunningAdapter> {
  const env = app.config.env;
  const oauthWanted = Boolean(env.SLACK_CLIENT_ID || env.SLACK_CLIENT_SECRET || env.SLACK_STATE_SECRET);
  if (!env.SLACK_BOT_TOKEN && oauthWanted) {
    const missing = ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"].filter(
      (k) => !env[k as keyof typeof env],
    );
    if (missing.length) throw new Error(`Slack OAuth needs ${missing.join(", ")}`);
  }
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
  return SlackAdapter.start({
    app,
    botToken: env.SLACK_BOT_TOKEN,
    oauth,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    slackApiUrl: env.SLACK_API_URL,
    port: env.PORT,
    host: env.HOST,
    healthPort: env.SLACK_APP_TOKEN ? (env.HEALTH_PORT ?? env.PORT) : undefined,
    homeSections: homeSectionsFor(app),
  });
}
