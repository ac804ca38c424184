// The Slack installation store against Bolt's InstallationStore contract (as @slack/oauth's own
// stores keep it): workspace installs by team id, org-wide Enterprise Grid installs by enterprise id.
import type { Installation } from "@slack/bolt";
import { expect, it } from "vitest";
import { SqlSlackInstallationStore } from "../../src/storage/slack-installation-store.js";
import { TokenCipher } from "../../src/storage/slack-token-cipher.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { TEST_ENCRYPTION_KEY } from "../helpers/fake-slack-harness.js";

/** What Bolt's InstallProvider stores after oauth.v2.access: a workspace's install, or an org's. */
function installation(
  token: string,
  where: { team?: string; enterprise?: string; orgWide?: boolean },
): Installation<"v2", boolean> {
  return {
    team: where.orgWide || !where.team ? undefined : { id: where.team, name: `Team ${where.team}` },
    enterprise: where.enterprise ? { id: where.enterprise, name: `Org ${where.enterprise}` } : undefined,
    isEnterpriseInstall: where.orgWide ?? false,
    bot: { token, scopes: ["chat:write"], userId: "UBOT", id: "BBOT" },
    user: { token: undefined, scopes: undefined, id: "UADMIN" },
    tokenType: "bot",
    authVersion: "v2",
  } as Installation<"v2", boolean>;
}

describeEachDatabase("SlackInstallationStore", (db) => {
  const store = () => new SqlSlackInstallationStore(db().handle.db, TokenCipher.fromEnv(TEST_ENCRYPTION_KEY));

  it("keeps an org-wide install by its enterprise id, and a workspace of the same org by its team id", async () => {
    const s = store();
    await s.storeInstallation(installation("xoxb-org", { enterprise: "E1", orgWide: true }));
    await s.storeInstallation(installation("xoxb-t9", { team: "T9", enterprise: "E1" }));
    await s.storeInstallation(installation("xoxb-t1", { team: "T1" }));
    // Bolt's queries for a request: from a workspace of the org-wide install (its team id comes along)…
    const org = await s.fetchInstallation({ teamId: "T7", enterpriseId: "E1", isEnterpriseInstall: true });
    expect(org.bot?.token).toBe("xoxb-org");
    // …from the workspace that installed on its own inside the org, and from an ordinary workspace.
    const t9 = await s.fetchInstallation({ teamId: "T9", enterpriseId: "E1", isEnterpriseInstall: false });
    expect(t9.bot?.token).toBe("xoxb-t9");
    const t1 = await s.fetchInstallation({
      teamId: "T1",
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    expect(t1.bot?.token).toBe("xoxb-t1");
    expect(await s.enterprises()).toEqual(["E1"]);
    const rows = await db()
      .handle.db.selectFrom("slack_installations")
      .selectAll()
      .orderBy("workspace")
      .execute();
    expect(rows.map((r) => [r.workspace, r.team_id, r.enterprise_id, r.is_enterprise_install])).toEqual([
      ["E1", null, "E1", 1],
      ["T1", "T1", null, 0],
      ["T9", "T9", "E1", 0],
    ]);
    for (const r of rows) expect(r.installation).not.toContain("xoxb-");
  });

  it("replaces an installation on reinstall, and refuses queries for what is not installed", async () => {
    const s = store();
    await s.storeInstallation(installation("xoxb-old", { enterprise: "E2", orgWide: true }));
    await s.storeInstallation(installation("xoxb-new", { enterprise: "E2", orgWide: true }));
    const org = await s.fetchInstallation({
      teamId: undefined,
      enterpriseId: "E2",
      isEnterpriseInstall: true,
    });
    expect(org.bot?.token).toBe("xoxb-new");
    // A workspace of that org asking for its own install has none: the org's is found only as the org's.
    await expect(
      s.fetchInstallation({ teamId: "T7", enterpriseId: "E2", isEnterpriseInstall: false }),
    ).rejects.toThrow();
    await expect(
      s.fetchInstallation({ teamId: undefined, enterpriseId: undefined, isEnterpriseInstall: true } as never),
    ).rejects.toThrow(/enterprise id/);
    await expect(s.storeInstallation(installation("xoxb-x", { orgWide: true }))).rejects.toThrow(
      /enterprise id/,
    );
  });

  it("deletes the org-wide install by enterprise id and a workspace's by team id, each alone", async () => {
    const s = store();
    await s.storeInstallation(installation("xoxb-org", { enterprise: "E3", orgWide: true }));
    await s.storeInstallation(installation("xoxb-t9", { team: "T9", enterprise: "E3" }));
    expect([await s.has("E3"), await s.has("T9"), await s.has("T7")]).toEqual([true, true, false]);
    await s.deleteInstallation({ teamId: "T7", enterpriseId: "E3", isEnterpriseInstall: true });
    expect([await s.has("E3"), await s.has("T9")]).toEqual([false, true]);
    await expect(
      s.fetchInstallation({ teamId: undefined, enterpriseId: "E3", isEnterpriseInstall: true }),
    ).rejects.toThrow();
    expect(await s.enterprises()).toEqual([]);
    const t9 = await s.fetchInstallation({ teamId: "T9", enterpriseId: "E3", isEnterpriseInstall: false });
    expect(t9.bot?.token).toBe("xoxb-t9");
    await s.deleteInstallation({ teamId: "T9", enterpriseId: "E3", isEnterpriseInstall: false });
    await expect(
      s.fetchInstallation({ teamId: "T9", enterpriseId: "E3", isEnterpriseInstall: false }),
    ).rejects.toThrow();
  });
});
