/** Outgoing actions, kept from before they are sent until a while after (src/outbox/). */
export interface OutboxTables {
  action_outbox: {
    workspace: string;
    /** The action's key: its Matrix transaction id and its Slack message metadata. */
    key: string;
    /** `slack`, `matrix`: which platform's replica sends it. */
    platform: string;
    /** The action as JSON while unsent; emptied once sent (it may quote people). */
    action: string;
    created_at: string;
    /** Sends begun; more than one means it may have reached the platform before a crash. */
    attempts: number;
    /** The replica sending it, and until when its claim holds (renewed while it is busy). */
    claimed_by: string | null;
    claimed_until: string | null;
    sent_at: string | null;
  };
}
