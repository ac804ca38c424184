import type { Env } from "./env.js";
import type { Config } from "./load.js";

/** Which platforms the environment asks for; none means the local playground. */
export function platformsConfigured(config: Config): { slack: boolean; matrix: boolean } {
  const e = config.env;
  return {
    slack: Boolean(e.SLACK_BOT_TOKEN || e.SLACK_APP_TOKEN || e.SLACK_CLIENT_ID),
    matrix: Boolean(e.MATRIX_HOMESERVER_URL || e.MATRIX_ACCESS_TOKEN || e.MATRIX_USER_ID),
  };
}

/** What Slack start-up would stop on in the environment alone: variables that only work together. */
export function slackProblems(env: Env): string[] {
  const oauthWanted = Boolean(env.SLACK_CLIENT_ID || env.SLACK_CLIENT_SECRET || env.SLACK_STATE_SECRET);
  if (!env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN && !oauthWanted) return [];
  const problems: string[] = [];
  if (!env.SLACK_BOT_TOKEN && oauthWanted) {
    const missing = (["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"] as const).filter(
      (k) => !env[k],
    );
    if (missing.length) problems.push(`Slack OAuth needs ${missing.join(", ")}`);
  }
  if (!env.SLACK_BOT_TOKEN && !oauthWanted)
    problems.push(
      "Slack needs SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (OAuth)",
    );
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET)
    problems.push(
      "SLACK_SIGNING_SECRET is required for the HTTP Events API (or set SLACK_APP_TOKEN for Socket Mode)",
    );
  return problems;
}

/** What Matrix start-up would stop on in the environment alone. */
export function matrixProblems(env: Env): string[] {
  const wanted = env.MATRIX_HOMESERVER_URL || env.MATRIX_ACCESS_TOKEN || env.MATRIX_USER_ID;
  if (!wanted || (env.MATRIX_HOMESERVER_URL && env.MATRIX_USER_ID && env.MATRIX_ACCESS_TOKEN)) return [];
  return [MATRIX_NEEDS];
}

export const MATRIX_NEEDS =
  "Matrix needs MATRIX_HOMESERVER_URL, MATRIX_USER_ID and MATRIX_ACCESS_TOKEN (MATRIX_DEVICE_ID is optional)";
