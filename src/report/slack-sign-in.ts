/**
 * "Sign in with Slack" (OpenID Connect) for the live report: the browser goes to Slack's authorize
 * page, comes back with a code, and the code is exchanged with `openid.connect.token`; the access
 * token then names the person and the workspace through `openid.connect.userInfo`.
 * https://api.slack.com/authentication/sign-in-with-slack
 */

export interface SlackSignInOptions {
  clientId: string;
  clientSecret: string;
  /** The Web API base, `https://slack.com/api/` (a fake's in tests). */
  apiUrl: string;
  redirectUri: string;
}

export interface SlackSignIn {
  authorizeUrl(state: string): string;
  /** The workspace and user behind a code, or undefined when Slack refuses it. */
  identify(code: string): Promise<{ workspace: string; user: string } | undefined>;
}

export function slackSignIn(options: SlackSignInOptions): SlackSignIn {
  const api = options.apiUrl.endsWith("/") ? options.apiUrl : `${options.apiUrl}/`;
  return {
    authorizeUrl(state) {
      const url = new URL("https://slack.com/openid/connect/authorize");
      url.search = new URLSearchParams({
        response_type: "code",
        scope: "openid profile",
        client_id: options.clientId,
        state,
        redirect_uri: options.redirectUri,
      }).toString();
      return url.href;
    },
    async identify(code) {
      // openid.connect.token takes the app's credentials and the code as a form post.
      const tokenResponse = await fetch(`${api}openid.connect.token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: options.clientId,
          client_secret: options.clientSecret,
          code,
          redirect_uri: options.redirectUri,
        }),
      });
      const token = (await tokenResponse.json()) as { ok: boolean; access_token?: string };
      if (!token.ok || !token.access_token) return undefined;
      const infoResponse = await fetch(`${api}openid.connect.userInfo`, {
        method: "POST",
        headers: { authorization: `Bearer ${token.access_token}` },
      });
      const info = (await infoResponse.json()) as Record<string, unknown>;
      const workspace = info["https://slack.com/team_id"];
      const user = info["https://slack.com/user_id"] ?? info.sub;
      if (!info.ok || typeof workspace !== "string" || typeof user !== "string") return undefined;
      return { workspace, user };
    },
  };
}
