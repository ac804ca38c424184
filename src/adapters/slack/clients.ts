/**
 * One WebClient per workspace, pointed at SLACK_API_URL when set. A single-workspace install uses
 * SLACK_BOT_TOKEN; an OAuth install looks the workspace's bot token up in the installation store.
 * Rate-limited calls are rejected rather than retried inside the client, so the outbox can wait out
 * Retry-After per channel without stalling every other channel.
 */
import { type Installation, type InstallationStore, webApi } from "@slack/bolt";

export interface WorkspaceAuth {
  client: webApi.WebClient;
  botUserId: string | undefined;
  /** An Enterprise Grid org-wide token: user and user-group methods must then name the workspace (`team_id`). */
  orgWide?: boolean;
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
  /** Is the app (still) installed in the workspace? */
  installedIn(workspace: string): Promise<boolean>;
}

/**
 * SLACK_BOT_TOKEN: one workspace, learnt from auth.test at start-up. Once Slack has revoked the token
 * (app_uninstalled, tokens_revoked), no call is made with it again: the workspace counts as not installed.
 */
export class SingleWorkspaceClients implements WorkspaceClients {
  private readonly client: webApi.WebClient;
  private readonly checker: webApi.WebClient;
  team: string | undefined;
  botUserId: string | undefined;
  /** Why the token stopped working, once it has. */
  revokedBecause: string | undefined;

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
    if (this.revokedBecause) throw new Error(`the bot token was revoked (${this.revokedBecause})`);
    return { client: this.client, botUserId: this.botUserId };
  }

  async installedIn(workspace: string): Promise<boolean> {
    return !this.revokedBecause && (!this.team || workspace === this.team);
  }

  /** Slack revoked the token; true the first time (the caller logs it once). */
  revoke(reason: string): boolean {
    if (this.revokedBecause) return false;
    this.revokedBecause = reason;
    return true;
  }
}

/** The installation store, with what the clients need beyond Bolt's contract. */
export interface WorkspaceInstallations extends InstallationStore {
  /** Enterprise ids with an org-wide (Enterprise Grid) installation. */
  enterprises(): Promise<string[]>;
  /** Is an installation stored under this team id (or enterprise id, for an org-wide one)? */
  has(workspace: string): Promise<boolean>;
}

// How long a list of an org's workspaces is trusted before a workspace missing from it is looked up again.
const ORG_TEAMS_TTL_MS = 60_000;

/**
 * OAuth: many workspaces, tokens from the installation store. A workspace uses its own installation,
 * or, in an Enterprise Grid org installed org-wide, the org's (its workspaces are those Slack's
 * auth.teams.list names for the org's token).
 */
export class InstalledWorkspaceClients implements WorkspaceClients {
  /** Clients per workspace, with the installation (team or enterprise id) their token came from. */
  private readonly cache = new Map<string, { auth: WorkspaceAuth; installation: string }>();
  private readonly orgTeams = new Map<string, { teams: Set<string>; at: number }>();

  constructor(
    private readonly store: WorkspaceInstallations,
    private readonly options: ClientFactoryOptions,
  ) {}

  async forWorkspace(workspace: string): Promise<WorkspaceAuth> {
    const cached = this.cache.get(workspace);
    if (cached) return cached.auth;
    const { installation, key } = await this.installationOf(workspace);
    const token = installation.bot?.token;
    if (!token) throw new Error(`the installation for workspace ${workspace} has no bot token`);
    const auth = {
      client: new webApi.WebClient(token, webClientOptions(this.options)),
      botUserId: installation.bot?.userId,
      orgWide: key !== workspace,
    };
    this.cache.set(workspace, { auth, installation: key });
    return auth;
  }

  /**
   * Asks the database, not the clients kept here: another replica may have taken the uninstall event.
   * A workspace found uninstalled also loses its client, whose token Slack has revoked.
   */
  async installedIn(workspace: string): Promise<boolean> {
    if ((await this.store.has(workspace)) || (await this.orgInstallationOf(workspace))) return true;
    this.cache.delete(workspace);
    return false;
  }

  /**
   * The store Bolt's OAuth flow and authorisation use: storing an installation (a reinstall, a new
   * token) or deleting one drops the clients built on the old one.
   */
  installationStore(): InstallationStore {
    const forget = (key: string | undefined) => {
      if (!key) return;
      this.orgTeams.delete(key);
      for (const [workspace, entry] of this.cache)
        if (entry.installation === key) this.cache.delete(workspace);
    };
    return {
      storeInstallation: async (installation, logger) => {
        await this.store.storeInstallation(installation, logger);
        forget(installation.isEnterpriseInstall ? installation.enterprise?.id : installation.team?.id);
      },
      fetchInstallation: (query, logger) => this.store.fetchInstallation(query, logger),
      deleteInstallation: async (query, logger) => {
        await this.store.deleteInstallation?.(query, logger);
        forget(query.isEnterpriseInstall ? query.enterpriseId : query.teamId);
      },
    };
  }

  private async installationOf(team: string): Promise<{ installation: Installation; key: string }> {
    try {
      const own = { teamId: team, enterpriseId: undefined, isEnterpriseInstall: false } as const;
      return { installation: await this.store.fetchInstallation(own), key: team };
    } catch (err) {
      const org = await this.orgInstallationOf(team);
      if (org) return org;
      throw err;
    }
  }

  /** The org-wide installation of the Enterprise Grid org `team` belongs to, if there is one. */
  private async orgInstallationOf(
    team: string,
  ): Promise<{ installation: Installation; key: string } | undefined> {
    for (const enterprise of await this.store.enterprises()) {
      const installation = await this.store.fetchInstallation({
        teamId: undefined,
        enterpriseId: enterprise,
        isEnterpriseInstall: true,
      });
      if ((await this.teamsOf(enterprise, installation)).has(team)) return { installation, key: enterprise };
    }
    return undefined;
  }

  /** The workspaces an org-wide installation was granted, from auth.teams.list (cached a while). */
  private async teamsOf(enterprise: string, installation: Installation): Promise<Set<string>> {
    const known = this.orgTeams.get(enterprise);
    if (known && Date.now() - known.at < ORG_TEAMS_TTL_MS) return known.teams;
    const client = new webApi.WebClient(installation.bot?.token, webClientOptions(this.options));
    const teams = new Set<string>();
    for await (const page of client.paginate("auth.teams.list", { limit: 100 })) {
      for (const t of (page as webApi.AuthTeamsListResponse).teams ?? []) if (t.id) teams.add(t.id);
    }
    this.orgTeams.set(enterprise, { teams, at: Date.now() });
    return teams;
  }
}
