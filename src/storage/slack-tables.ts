/** Tables of the Slack adapter: app installations (OAuth), one per workspace or Enterprise Grid org. */
export interface SlackTables {
  slack_installations: {
    /** Team id, or the enterprise id for an org-wide install. */
    workspace: string;
    team_id: string | null;
    enterprise_id: string | null;
    /** 0/1 */
    is_enterprise_install: number;
    bot_user_id: string | null;
    /** The @slack/oauth Installation as JSON, encrypted (AES-256-GCM): it holds the tokens. */
    installation: string;
    installed_at: string;
  };
}
