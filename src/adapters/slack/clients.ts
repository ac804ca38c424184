/**
 * One WebClient per workspace, pointed at SLACK_API_URL when set. A single-workspace install uses
 * SLACK_BOT_TOKEN; an OAuth install looks the workspace's bot token up in the installation store.
 * Rate-limited calls are rejected rather than retried inside the client, so the outbox can wait out
 * Retry-After per channel without stalling every other channel.
 */
import { type InstallationStore, webApi } from "@slack/bolt";

export interface WorkspaceAuth {
  client: webApi.WebClient;
  botUserId: string | undefined;
}

export interface ClientFactoryOptions {
  slackApiUrl?: string;
  /** Retries of failed requests (network errors, 5xx); Slack's client default is about 30 minutes. */
  retryConfig?: webApi.RetryOptions;
}

export function webClientOptions(options: ClientFactoryOptions): webApi.WebClientOptions {
  return {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    rejectRateLimitedCalls: true,
    ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
    // The SDK logs request bodies at debug level; keep its own logger quiet so message text never leaks.
    logLevel: webApi.LogLevel.ERROR,
  };
}

export interface WorkspaceClients {
  forWorkspace(workspace: string): Promise<WorkspaceAuth>;
}

/** SLACK_BOT_TOKEN: one workspace, learnt from auth.test at start-up. */
export class SingleWorkspaceClients implements WorkspaceClients {
  private readonly client: webApi.WebClient;
  private readonly checker: webApi.WebClient;
  team: string | undefined;
  botUserId: string | undefined;

  constructor(token: string, options: ClientFactoryOptions) {
    this.client = new webApi.WebClient(token, webClientOptions(options));
    // Start-up should fail fast on an unreachable API, not retry for half an hour.
    this.checker = new webApi.WebClient(token, {
      ...webClientOptions(options),
      retryConfig: { retries: 2, maxTimeout: 2000 },
    });
  }

  /** Checks the token; throws a clear error when Slack refuses it. */
  async verify(): Promise<{ team: string; botUserId: string | undefined; botId: string | undefined }> {
    const auth = await this.checker.auth.test();
    this.team = auth.team_id;
    this.botUserId = auth.user_id;
    if (!this.team) throw new Error("auth.test returned no team id");
    return { team: this.team, botUserId: this.botUserId, botId: auth.bot_id };
  }

  async forWorkspace(workspace: string): Promise<WorkspaceAuth> {
    if (this.team && workspace !== this.team) throw new Error(`not installed in workspace ${workspace}`);
    return { client: this.client, botUserId: this.botUserId };
  }
}

/** OAuth: many workspaces, tokens from the installation store. */
export class InstalledWorkspaceClients implements WorkspaceClients {
  private readonly cache = new Map<string, WorkspaceAuth>();

  constructor(
    private readonly store: InstallationStore,
    private readonly options: ClientFactoryOptions,
  ) {}

  async forWorkspace(workspace: string): Promise<WorkspaceAuth> {
    const cached = this.cache.get(workspace);
    if (cached) return cached;
    const installation = await this.store.fetchInstallation({
      teamId: workspace,
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    const token = installation.bot?.token;
    if (!token) throw new Error(`the installation for workspace ${workspace} has no bot token`);
    const auth = {
      client: new webApi.WebClient(token, webClientOptions(this.options)),
      botUserId: installation.bot?.userId,
    };
    this.cache.set(workspace, auth);
    return auth;
  }

  /** Forgets a workspace's client, e.g. after it reinstalled with a new token. */
  forget(workspace: string): void {
    this.cache.delete(workspace);
  }
}
