/**
 * The app removed from a workspace: `app_uninstalled`, or `tokens_revoked` naming the bot's token (an
 * admin revoked it). Either way Slack will refuse the token from now on, so no more calls are made
 * for that workspace (or Enterprise Grid org, for an org-wide install) and the reason is logged once.
 * OAuth: the installation, and with it the token, is deleted; a reinstall stores a new one.
 * SLACK_BOT_TOKEN: the token is marked revoked until a restart with a new one.
 */
import { errorCode } from "../directory.js";
import type { ListenerDeps } from "./deps.js";
import type { EventRouter } from "./event-router.js";

interface RemovalBody {
  team_id?: string;
  enterprise_id?: string;
  is_enterprise_install?: boolean;
  authorizations?: Array<{
    team_id?: string | null;
    enterprise_id?: string | null;
    is_enterprise_install?: boolean;
  }>;
}

/** Which installation was removed, as Bolt's installation store queries name one. */
export interface RemovedInstallation {
  teamId: string | undefined;
  enterpriseId: string | undefined;
  isEnterpriseInstall: boolean;
  /** `app_uninstalled` or `tokens_revoked`. */
  reason: string;
}

export function registerInstallations(
  events: EventRouter,
  deps: ListenerDeps,
  remove: (removed: RemovedInstallation) => Promise<void>,
): void {
  const removed = async (body: RemovalBody, reason: string) => {
    const auth = body.authorizations?.[0];
    const isEnterpriseInstall = Boolean(auth?.is_enterprise_install ?? body.is_enterprise_install);
    const enterpriseId = auth?.enterprise_id ?? body.enterprise_id ?? undefined;
    const teamId = auth?.team_id ?? body.team_id ?? undefined;
    try {
      await remove({
        teamId: isEnterpriseInstall ? undefined : teamId,
        enterpriseId,
        isEnterpriseInstall,
        reason,
      });
    } catch (err) {
      deps.log.warn("slack installation could not be deleted", { error: errorCode(err) });
    }
  };
  // Bolt hands these events over without authorising them: the token it would use is already revoked.
  events.on("app_uninstalled", async ({ body }) => removed(body as RemovalBody, "app_uninstalled"));
  events.on("tokens_revoked", async ({ event, body }) => {
    // User tokens only (Outloud asks for none): the bot's token still works.
    const bots = (event as { tokens?: { bot?: string[] } }).tokens?.bot ?? [];
    if (bots.length > 0) await removed(body as RemovalBody, "tokens_revoked");
  });
}
