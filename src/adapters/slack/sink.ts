/**
 * Carries out core actions on Slack: post and reply → chat.postMessage, notice → chat.postEphemeral
 * (or the slash command's own acknowledgement), dm → conversations.open + chat.postMessage, topic →
 * conversations.setTopic, group → usergroups.users.update. Every call goes through the paced outbox.
 * Nothing here logs message text: only the action kind, the source and Slack's error code.
 */
import { type Action, formFallback } from "../../core/actions.js";
import type { Logger } from "../../core/logger.js";
import { shareOfferOf } from "../../core/nudges/share.js";
import type { ActionSink, Delivery, DeliveryProblem } from "../../core/ports.js";
import type { OutloudMetrics } from "../../runtime/metrics.js";
import type { WorkspaceClients } from "./clients.js";
import { type PendingCommand, pendingCommands } from "./command-reply.js";
import { errorCode, teamIdFor } from "./directory.js";
import { openForm } from "./forms.js";
import { LookupCache } from "./lookup-cache.js";
import type { SlackOutbox } from "./outbox.js";
import { deliveryProblemOf, GROUPS_UNAVAILABLE, inviteHint, NOT_IN_CHANNEL } from "./problems.js";
import { fitText, renderMessage, type SlackMessage } from "./render.js";
import { shareButton } from "./share-button.js";

/** https://api.slack.com/methods/conversations.setTopic: "The topic can be at most 250 characters". */
const TOPIC_LIMIT = 250;

/** usergroups.create: a group with that handle or name exists already. */
const GROUP_EXISTS = new Set(["name_already_exists", "handle_already_exists"]);

/** Message metadata naming the outbox entry a message was sent for. */
export const OUTBOX_EVENT_TYPE = "outloud_action";
function outboxMetadata(key: string) {
  return { event_type: OUTBOX_EVENT_TYPE, event_payload: { key } };
}

/** How long a listing of a workspace's user groups is used to find existing groups by handle. */
const GROUP_LIST_TTL_MS = 10 * 60_000;

export class SlackActionSink implements ActionSink {
  private readonly dmChannels = new LookupCache<string>();
  private readonly usergroups = new LookupCache<string>();
  private readonly groupLists = new LookupCache<Map<string, string>>(GROUP_LIST_TTL_MS);
  /** Workspaces whose user groups are closed to the bot or not on their plan: until when that is taken as so. */
  private readonly groupsClosed = new Map<string, number>();

  constructor(
    private readonly deps: {
      clients: WorkspaceClients;
      outbox: SlackOutbox;
      log: Logger;
      metrics?: OutloudMetrics;
      /** Guests cannot be in user groups: who is one. */
      people?: { isGuest(workspace: string, user: string): Promise<boolean> };
      /** An action refused for a reason only a person can fix (see problems.ts). */
      onProblem?(problem: DeliveryProblem): Promise<void>;
    },
  ) {}

  /** Posts still paced in the outbox, and the topic and group updates queued behind them. */
  drain(): Promise<void> {
    return this.deps.outbox.drain();
  }

  async deliver(action: Action, delivery?: Delivery): Promise<void> {
    // Topic and user group updates say who is on duty: nobody waits for Slack to apply them (their
    // methods allow far fewer calls than posting, and a fan-out of announcements must not queue
    // behind them). They are applied in order per room and per group; a shutdown drains them.
    if (action.action === "topic" || action.action === "group") void this.settle(action, this.update(action));
    else await this.settle(action, this.carryOut(action, delivery));
  }

  private async settle(action: Action, work: Promise<void>): Promise<void> {
    try {
      await work;
      this.deps.metrics?.countAction("slack", action.action, action.source);
    } catch (err) {
      // Platform errors cannot succeed later (no such channel, missing scope): log the code and go on.
      this.deps.metrics?.errors.inc({ where: "slack.action" });
      this.deps.log.error("slack action failed", {
        action: action.action,
        source: action.source,
        workspace: action.workspace,
        error: errorCode(err),
      });
      // One only a person can fix: the feature that acted tells them.
      const problem = deliveryProblemOf(action, err);
      if (problem)
        await this.deps
          .onProblem?.(problem)
          .catch((e) => this.deps.log.warn("slack delivery problem not passed on", { error: errorCode(e) }));
    }
  }

  private update(action: Extract<Action, { action: "topic" | "group" }>): Promise<void> {
    const { workspace } = action;
    const clients = this.deps.clients;
    if (action.action === "topic") {
      // Slack refuses a topic over 250 characters (conversations.setTopic): cut, never inside a mention.
      const topic = fitText(renderMessage(action).text, TOPIC_LIMIT);
      return this.deps.outbox.update(workspace, action.room.id, "conversations.setTopic", async () => {
        const { client } = await clients.forWorkspace(workspace);
        await client.conversations.setTopic({ channel: action.room.id, topic });
      });
    }
    if (action.mentions.length === 0) {
      // Slack refuses an empty user group; keep the last members rather than fail.
      this.deps.log.warn("slack user group left unchanged: no members given", { workspace });
      return Promise.resolve();
    }
    // Closed to the bot or not on the plan, as found earlier today: not tried again (nor logged) until tomorrow.
    if ((this.groupsClosed.get(workspace) ?? 0) > Date.now()) return Promise.resolve();
    return this.deps.outbox.update(workspace, action.text, "usergroups.users.update", async () => {
      const auth = await clients.forWorkspace(workspace);
      const members = await this.withoutGuests(action);
      if (members.length === 0) return;
      try {
        const id = await this.usergroupId(workspace, action.text);
        await auth.client.usergroups.users.update({
          usergroup: id,
          users: members.join(","),
          ...teamIdFor(auth, workspace),
        });
      } catch (err) {
        const code = errorCode(err);
        if (code === "no_such_subteam") this.forgetUsergroup(workspace, action.text);
        if (GROUPS_UNAVAILABLE.has(code)) this.groupsClosed.set(workspace, endOfUtcDay(Date.now()));
        throw err;
      }
    });
  }

  /**
   * Slack keeps guests out of user groups (usergroups.users.update: invalid_user): they are left out,
   * with a note in the log; with only guests, the group keeps its members.
   */
  private async withoutGuests(action: Extract<Action, { action: "group" }>): Promise<string[]> {
    const people = this.deps.people;
    if (!people) return action.mentions;
    const guests = new Set<string>();
    for (const user of action.mentions) if (await people.isGuest(action.workspace, user)) guests.add(user);
    if (guests.size > 0)
      this.deps.log.info("slack user group: guests left out (Slack does not allow them in user groups)", {
        workspace: action.workspace,
        guests: guests.size,
      });
    return action.mentions.filter((m) => !guests.has(m));
  }

  private async carryOut(
    action: Exclude<Action, { action: "topic" | "group" }>,
    delivery?: Delivery,
  ): Promise<void> {
    const { client } = await this.deps.clients.forWorkspace(action.workspace);
    // The outbox's key travels with the message (https://docs.slack.dev/messaging/message-metadata/),
    // so a resend after a crash can first look whether the message is there already.
    const keyed = delivery ? { metadata: outboxMetadata(delivery.key) } : {};
    const message = renderMessage(action);
    const pending = pendingCommands.getStore();
    const { workspace } = action;

    switch (action.action) {
      case "post":
      case "reply": {
        const thread = action.action === "reply" ? { thread_ts: action.thread } : {};
        if (delivery?.mayHaveBeenSent && (await this.alreadyPosted(action, action.room.id, delivery.key)))
          return;
        try {
          await this.deps.outbox.post(workspace, action.room.id, "chat.postMessage", () =>
            client.chat.postMessage({ channel: action.room.id, ...thread, ...message, ...keyed }),
          );
        } catch (err) {
          const fromCommand =
            pending && pending.workspace === action.workspace && pending.channel === action.room.id;
          if (!fromCommand || !NOT_IN_CHANNEL.has(errorCode(err))) throw err;
          // Slack can still show the answer (response_url); the person learns how to invite the bot.
          const shown = await pending.replyInChannel(message);
          await this.tellToInvite(pending, action.room.name);
          if (!shown) throw err;
        }
        return;
      }
      case "notice": {
        if (
          pending &&
          pending.workspace === action.workspace &&
          pending.channel === action.room.id &&
          pending.user === action.user
        ) {
          if (await pending.replyPrivately(message)) return;
        }
        // The DM → channel nudge offers its repost as a button (share-button.ts), before "Not helpful".
        const offer = shareOfferOf(action);
        const texts = message.blocks.filter((b) => b.type !== "actions");
        const buttons = message.blocks.filter((b) => b.type === "actions");
        const shown: SlackMessage = offer
          ? { ...message, blocks: [...texts, shareButton(offer, action.room.id), ...buttons] }
          : message;
        await this.deps.outbox.post(workspace, action.room.id, "chat.postEphemeral", () =>
          client.chat.postEphemeral({
            channel: action.room.id,
            user: action.user,
            ...(action.thread ? { thread_ts: action.thread } : {}),
            ...shown,
          }),
        );
        return;
      }
      case "dm": {
        const channel = await this.dmChannel(action.workspace, action.user);
        if (delivery?.mayHaveBeenSent && (await this.alreadyPosted(action, channel, delivery.key))) return;
        await this.deps.outbox.post(workspace, channel, "chat.postMessage", () =>
          client.chat.postMessage({ channel, ...message, ...keyed }),
        );
        return;
      }
      case "form": // a modal (views.open); its text as a notice when it cannot be opened
        if (await openForm(client, action, pending, this.deps.log)) return;
        return this.carryOut(formFallback(action));
    }
  }

  /** Privately, to whoever asked: the bot is not in the channel, and how to invite it. */
  private async tellToInvite(pending: PendingCommand, room: string): Promise<void> {
    const text = inviteHint(room);
    const hint: SlackMessage = { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
    try {
      if (await pending.replyPrivately(hint)) return;
      // No way to answer the request itself (a submitted modal): a DM does.
      const { client } = await this.deps.clients.forWorkspace(pending.workspace);
      const channel = await this.dmChannel(pending.workspace, pending.user);
      await this.deps.outbox.post(pending.workspace, channel, "chat.postMessage", () =>
        client.chat.postMessage({ channel, ...hint }),
      );
    } catch (err) {
      this.deps.log.warn("slack invite hint not delivered", {
        workspace: pending.workspace,
        error: errorCode(err),
      });
    }
  }

  /**
   * Whether a message with this outbox key is in the channel (or the reply's thread) already: a send
   * that reached Slack just before a crash. Read with its metadata (conversations.history and
   * conversations.replies, `include_all_metadata`); the newest 200 messages are enough for a restart.
   */
  private async alreadyPosted(action: Action, channel: string, key: string): Promise<boolean> {
    const { workspace } = action;
    const { client } = await this.deps.clients.forWorkspace(workspace);
    const found = (messages: Array<{ metadata?: { event_payload?: unknown } }> | undefined) =>
      (messages ?? []).some((m) => (m.metadata?.event_payload as { key?: unknown } | undefined)?.key === key);
    if (action.action === "reply") {
      const res = await this.deps.outbox.call(workspace, "conversations.replies", () =>
        client.conversations.replies({ channel, ts: action.thread, include_all_metadata: true, limit: 200 }),
      );
      return found(res.messages);
    }
    const res = await this.deps.outbox.call(workspace, "conversations.history", () =>
      client.conversations.history({ channel, include_all_metadata: true, limit: 200 }),
    );
    return found(res.messages);
  }

  private dmChannel(workspace: string, user: string): Promise<string> {
    return this.dmChannels.get(`${workspace}/${user}`, async () => {
      const { client } = await this.deps.clients.forWorkspace(workspace);
      const res = await this.deps.outbox.call(workspace, "conversations.open", () =>
        client.conversations.open({ users: user }),
      );
      const id = res.channel?.id;
      if (!id) throw new Error("conversations.open returned no channel");
      return id;
    });
  }

  /**
   * The id of the user group with this handle, created on first use. Remembered, and the workspace's
   * groups are listed once for all handles: listing every group for every announcement made 1,000
   * rotas cost a million group records.
   */
  private usergroupId(workspace: string, handle: string): Promise<string> {
    const clean = handle.replace(/^@/, "");
    return this.usergroups.get(`${workspace}/${clean}`, async () => {
      const found = (await this.listedGroups(workspace)).get(clean);
      if (found) return found;
      const auth = await this.deps.clients.forWorkspace(workspace);
      try {
        const created = await this.deps.outbox.call(workspace, "usergroups.create", () =>
          auth.client.usergroups.create({ name: clean, handle: clean, ...teamIdFor(auth, workspace) }),
        );
        if (!created.usergroup?.id) throw new Error("usergroups.create returned no id");
        return created.usergroup.id;
      } catch (err) {
        if (!GROUP_EXISTS.has(errorCode(err))) throw err;
        // Made since the listing (by a person, or another replica): list again to find it.
        this.groupLists.delete(workspace);
        const made = (await this.listedGroups(workspace)).get(clean);
        if (!made) throw err;
        return made;
      }
    });
  }

  /** Handle → id of the workspace's user groups, from one recent usergroups.list. */
  private listedGroups(workspace: string): Promise<Map<string, string>> {
    return this.groupLists.get(workspace, async () => {
      const auth = await this.deps.clients.forWorkspace(workspace);
      const list = await this.deps.outbox.call(workspace, "usergroups.list", () =>
        auth.client.usergroups.list({ include_disabled: true, ...teamIdFor(auth, workspace) }),
      );
      return new Map((list.usergroups ?? []).flatMap((g) => (g.handle && g.id ? [[g.handle, g.id]] : [])));
    });
  }

  /** A group deleted in Slack since: forget it, so the next announcement finds or creates it again. */
  private forgetUsergroup(workspace: string, handle: string): void {
    this.usergroups.delete(`${workspace}/${handle.replace(/^@/, "")}`);
    this.groupLists.delete(workspace);
  }
}

/** Midnight UTC after `now`: what "for the rest of the day" means for a workspace-wide setting. */
function endOfUtcDay(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}
