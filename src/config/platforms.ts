import type { Config } from "./load.js";

/** Which platforms the environment asks for; none means the local playground. */
export function platformsConfigured(config: Config): { slack: boolean; matrix: boolean } {
  const e = config.env;
  return {
    slack: Boolean(e.SLACK_BOT_TOKEN || e.SLACK_APP_TOKEN || e.SLACK_CLIENT_ID),
    matrix: Boolean(e.MATRIX_HOMESERVER_URL || e.MATRIX_ACCESS_TOKEN || e.MATRIX_USER_ID),
  };
}
