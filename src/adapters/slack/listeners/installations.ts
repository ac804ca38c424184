/**
 * OAuth installs: when a workspace (or an Enterprise Grid org, for an org-wide install) uninstalls the
 * app, its installation, and with it the bot token, is deleted from our database at once.
 */
import type { InstallationStore } from "@slack/bolt";
import { errorCode } from "../directory.js";
import type { ListenerDeps } from "./deps.js";
import type { EventRouter } from "./event-router.js";

interface UninstallBody {
  team_id?: string;
  enterprise_id?: string;
  is_enterprise_install?: boolean;
  authorizations?: Array<{
    team_id?: string | null;
    enterprise_id?: string | null;
    is_enterprise_install?: boolean;
  }>;
}

export function registerInstallations(
  events: EventRouter,
  deps: ListenerDeps,
  store: InstallationStore,
): void {
  // Bolt hands this event over without authorising it: the token it would use is already revoked.
  events.on("app_uninstalled", async ({ body }) => {
    const b = body as UninstallBody;
    const auth = b.authorizations?.[0];
    const orgWide = Boolean(auth?.is_enterprise_install ?? b.is_enterprise_install);
    const enterpriseId = auth?.enterprise_id ?? b.enterprise_id ?? undefined;
    const teamId = auth?.team_id ?? b.team_id ?? undefined;
    try {
      if (orgWide && enterpriseId)
        await store.deleteInstallation?.({ teamId: undefined, enterpriseId, isEnterpriseInstall: true });
      else if (teamId) await store.deleteInstallation?.({ teamId, enterpriseId, isEnterpriseInstall: false });
      deps.log.info("slack app uninstalled: installation deleted", {
        workspace: orgWide ? enterpriseId : teamId,
      });
    } catch (err) {
      deps.log.warn("slack installation could not be deleted", { error: errorCode(err) });
    }
  });
}
