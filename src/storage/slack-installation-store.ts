/**
 * Slack OAuth installations in our database, for Bolt's InstallProvider. One row per workspace, or per
 * Enterprise Grid org for an org-wide install (keyed by the enterprise id); the installation JSON, which
 * holds the tokens, is encrypted with TokenCipher and bound to that key.
 */
import type { Installation, InstallationQuery, InstallationStore } from "@slack/bolt";
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import type { TokenCipher } from "./slack-token-cipher.js";

export class SqlSlackInstallationStore implements InstallationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cipher: TokenCipher,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async storeInstallation(installation: Installation<"v1" | "v2", boolean>): Promise<void> {
    const isOrg = Boolean(installation.isEnterpriseInstall);
    const workspace = isOrg ? installation.enterprise?.id : installation.team?.id;
    if (!workspace)
      throw new Error(
        isOrg ? "an org-wide installation has no enterprise id" : "an installation has no team id",
      );
    const row = {
      workspace,
      team_id: installation.team?.id ?? null,
      enterprise_id: installation.enterprise?.id ?? null,
      is_enterprise_install: isOrg ? 1 : 0,
      bot_user_id: installation.bot?.userId ?? null,
      installation: this.cipher.encrypt(JSON.stringify(installation), workspace),
      installed_at: this.now().toISOString(),
    };
    await this.db
      .insertInto("slack_installations")
      .values(row)
      .onConflict((oc) => oc.column("workspace").doUpdateSet(row))
      .execute();
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<"v1" | "v2", boolean>> {
    const workspace = workspaceOf(query);
    const row = await this.db
      .selectFrom("slack_installations")
      .select("installation")
      .where("workspace", "=", workspace)
      .executeTakeFirst();
    if (!row) throw new Error(`no Slack installation for workspace ${workspace}`);
    return JSON.parse(this.cipher.decrypt(row.installation, workspace)) as Installation<"v1" | "v2", boolean>;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.db.deleteFrom("slack_installations").where("workspace", "=", workspaceOf(query)).execute();
  }

  /** Is there an installation stored under this team id, or enterprise id for an org-wide one? */
  async has(workspace: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("slack_installations")
      .select("workspace")
      .where("workspace", "=", workspace)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Enterprise ids with an org-wide installation: the workspaces of those orgs use its token. */
  async enterprises(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("slack_installations")
      .select("workspace")
      .where("is_enterprise_install", "=", 1)
      .orderBy("workspace")
      .execute();
    return rows.map((r) => r.workspace);
  }
}

/**
 * The row an installation query names, as Bolt's InstallationStore contract has it: an org-wide
 * install by its enterprise id (the query's team is then just where the request came from), any
 * other install by its team id, a workspace inside an Enterprise Grid org included.
 */
function workspaceOf(query: InstallationQuery<boolean>): string {
  const id = query.isEnterpriseInstall ? query.enterpriseId : query.teamId;
  if (!id)
    throw new Error(
      query.isEnterpriseInstall
        ? "an org-wide installation query needs an enterprise id"
        : "an installation query needs a team id",
    );
  return id;
}
