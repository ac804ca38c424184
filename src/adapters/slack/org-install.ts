/**
 * Org-wide installs started from an Enterprise Grid org's admin pages. Slack sends the admin back to
 * the redirect URL with a code but no OAuth `state` (the install did not start at /slack/install),
 * which @slack/oauth's state verification refuses. As its documentation advises for this flow
 * (`stateVerification: false`, "intended to enable org-wide app installations from admin pages"),
 * a callback without state is handed to a second InstallProvider that skips the check, and whose
 * result is kept only when it is an org-wide install: a workspace install still needs the state.
 * Every other failure gets @slack/oauth's own failure page.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { InstallationStore } from "@slack/bolt";
import {
  type CallbackOptions,
  type CodedError,
  defaultCallbackFailure,
  ErrorCode,
  InstallProvider,
  type InstallURLOptions,
  type Logger,
} from "@slack/oauth";

export function orgAdminInstallCallback(options: {
  clientId: string;
  clientSecret: string;
  installationStore: InstallationStore;
  slackApiUrl?: string;
  logger: Logger;
}): CallbackOptions {
  const withoutState = new InstallProvider({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    installationStore: options.installationStore,
    stateVerification: false,
    logger: options.logger,
    ...(options.slackApiUrl ? { clientOptions: { slackApiUrl: options.slackApiUrl } } : {}),
  });
  const refuse = (res: ServerResponse) => {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
    res.end(
      "Install Outloud from its install page (/slack/install): only an org-wide install may come from the admin pages.",
    );
  };
  return {
    failureAsync: async (
      error: CodedError,
      installOptions: InstallURLOptions,
      req: IncomingMessage,
      res: ServerResponse,
    ) => {
      if (error.code !== ErrorCode.MissingStateError)
        return defaultCallbackFailure(error, installOptions, req, res);
      await withoutState.handleCallback(req, res, {
        afterInstallation: async (installation, _options, _req, r) => {
          if (installation.isEnterpriseInstall) return true;
          refuse(r);
          return false;
        },
      });
    },
  };
}
