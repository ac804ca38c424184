/**
 * Slash commands must be acknowledged within 3 seconds. While the engine runs a command, the pending
 * acknowledgement travels with it (an AsyncLocalStorage, off between commands), so the sink can answer the invoker's private
 * reply through the acknowledgement itself, or, once "working on it" has been sent, through
 * `response_url`.
 */
import { ScopedStorage } from "../../scoped-storage.js";
import type { SlackMessage } from "./render.js";

export interface SlashResponse {
  response_type: "ephemeral" | "in_channel";
  text: string;
  blocks?: Array<Record<string, unknown>>;
  replace_original?: boolean;
}

export class PendingCommand {
  private acked = false;

  constructor(
    readonly workspace: string,
    readonly channel: string,
    readonly user: string,
    private readonly ack: (response?: SlashResponse) => Promise<void>,
    private readonly respond: ((response: SlashResponse) => Promise<unknown>) | undefined,
    /** The request's trigger_id: it lets the answer open a modal (once, within 3 seconds). */
    private trigger?: string,
  ) {}

  /**
   * A submitted modal: already acknowledged (the view closed), with no response_url to answer
   * through; what the person must know goes to their DM.
   */
  static afterForm(workspace: string, channel: string, user: string): PendingCommand {
    const pending = new PendingCommand(workspace, channel, user, async () => {}, undefined);
    pending.acked = true;
    return pending;
  }

  /** The trigger for a modal, once: Slack accepts each trigger for one view only. */
  takeTrigger(): string | undefined {
    const trigger = this.trigger;
    this.trigger = undefined;
    return trigger;
  }

  get acknowledged(): boolean {
    return this.acked;
  }

  /** Shows the invoker a private reply: in the acknowledgement while it is still open, else via response_url. */
  async replyPrivately(message: SlackMessage): Promise<boolean> {
    const response: SlashResponse = {
      response_type: "ephemeral",
      text: message.text,
      blocks: message.blocks,
    };
    if (!this.acked) {
      this.acked = true;
      await this.ack(response);
      return true;
    }
    if (!this.respond) return false;
    await this.respond({ ...response, replace_original: false });
    return true;
  }

  /** A public answer the bot could not post itself (not a member of the channel): Slack posts it for us. */
  async replyInChannel(message: SlackMessage): Promise<boolean> {
    if (!this.respond) return false;
    if (!this.acked) {
      this.acked = true;
      await this.ack();
    }
    await this.respond({ response_type: "in_channel", text: message.text, blocks: message.blocks });
    return true;
  }

  /** Acknowledges with nothing to show (the answer went out as a message) or "working on it". */
  async acknowledge(response?: SlashResponse): Promise<void> {
    if (this.acked) return;
    this.acked = true;
    await this.ack(response);
  }
}

export const pendingCommands = new ScopedStorage<PendingCommand>();
