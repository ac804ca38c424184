/**
 * The nudges feature: feeds human messages to every nudge and applies the rules they all share
 * before anything reaches a person — switched on for the workspace and room, never about bots, not
 * muted, out of cooldown, under the daily cap (all durable, see NudgeStore) — then emits the action.
 */

import { errorMessage } from "../error-message.js";
import type { CoreServices, Feature } from "../feature.js";
import type { ChatMessage, Room } from "../model.js";
import type { ClaimStore } from "../stores.js";
import { nudgeCommands } from "./commands.js";
import { withFeedback } from "./feedback.js";
import { NUDGES, type NudgeKind } from "./index.js";
import {
  type BaseNudgeSettings,
  muteHint,
  type NudgeContext,
  type NudgeProposal,
  type NudgeRuntime,
} from "./nudge.js";
import { RecentDeliveries } from "./recent-deliveries.js";
import type { NudgesSettings, RoomOverride } from "./settings.js";
import { ShareHandles } from "./share.js";
import type { NudgeRecipient, NudgeStore } from "./store.js";
import { nudgesSummary } from "./summary.js";
import { localDate, workspaceHours } from "./working-hours.js";

export interface NudgesFeatureDeps {
  services: CoreServices;
  store: NudgeStore;
  claims: ClaimStore;
  settings: NudgesSettings;
  /** The workspace defaults: time zone and working hours for people who set none. */
  workspace: { timezone: string; workingHours: { start: string; end: string; days: string } };
  /** Days after which the ids, counts and times kept for the rules are deleted. */
  retentionDays: number;
}

const DAY_MS = 24 * 60 * 60_000;
const PURGE_KEY = "nudge.purge";

export function createNudgesFeature(deps: NudgesFeatureDeps): Feature {
  const { services, store, settings } = deps;
  const shares = new ShareHandles(settings.shareMinutes * 60_000);
  const recent = new RecentDeliveries();
  const defaultHours = workspaceHours(deps.workspace.workingHours);
  const hours = {
    async hoursOf(workspace: string, user: string) {
      const person = await services.directory.user(workspace, user);
      return {
        tz: person.tz || deps.workspace.timezone,
        hours: (await store.hours(workspace, user)) ?? defaultHours,
      };
    },
  };

  function roomOverride(room: Room): RoomOverride | undefined {
    return settings.rooms[room.id] ?? settings.rooms[room.name];
  }

  function settingsFor(kind: NudgeKind, room: Room): BaseNudgeSettings {
    const base = settings[kind] as BaseNudgeSettings;
    const override = roomOverride(room);
    if (!override) return settings.enabled ? base : { ...base, enabled: false };
    const own = (override as Record<string, Record<string, unknown> | undefined>)[kind] ?? {};
    const merged = { ...base, ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)) };
    if (!settings.enabled || override.enabled === false) merged.enabled = false;
    return merged;
  }

  /**
   * Who the recipients are (a platform lookup, so asked before any transaction), with their local
   * day for the cap; undefined when one is a bot: never about bots, even in part.
   */
  async function recipientsOf(
    workspace: string,
    users: string[],
    at: Date,
  ): Promise<NudgeRecipient[] | undefined> {
    const recipients: NudgeRecipient[] = [];
    for (const user of users) {
      const person = await services.directory.user(workspace, user);
      if (person.bot) return undefined;
      recipients.push({ user, day: localDate(at, person.tz || deps.workspace.timezone) });
    }
    return recipients;
  }

  /** Inside the transaction: true when all of `recipients` may get it now, their delivery recorded (cooldown, cap). */
  async function accept(
    kind: NudgeKind,
    recipients: NudgeRecipient[],
    workspace: string,
    cooldownMinutes: number,
    at: Date,
    about?: string,
  ): Promise<boolean> {
    if (recent.refuses(workspace, kind, recipients, at, cooldownMinutes, settings.dailyCap)) return false;
    for (const { user } of recipients) {
      const mutes = await store.mutes(workspace, user, at);
      if (mutes.some((m) => m.kind === "all" || m.kind === kind)) return false;
    }
    const decision = await store.recordDelivery({
      workspace,
      kind,
      recipients,
      at,
      cooldownMinutes,
      dailyCap: settings.dailyCap,
      about,
    });
    return decision.ok;
  }

  /** Inside the transaction: the recipients who take it (all, or for `forAccepted` those who may), if any. */
  async function acceptedOf(
    kind: NudgeKind,
    proposal: NudgeProposal,
    people: NudgeRecipient[],
    cooldown: number,
    at: Date,
  ): Promise<NudgeRecipient[] | undefined> {
    const { workspace, about } = proposal.action;
    if (!proposal.forAccepted)
      return (await accept(kind, people, workspace, cooldown, at, about)) ? people : undefined;
    // Everyone at once first (one delivery), as they mostly may; one each only when someone may not.
    if (people.length > 1 && (await accept(kind, people, workspace, cooldown, at, about))) return people;
    const accepted: NudgeRecipient[] = [];
    for (const p of people) if (await accept(kind, [p], workspace, cooldown, at, about)) accepted.push(p);
    return accepted.length > 0 ? accepted : undefined;
  }

  /**
   * The lookups first; then the proposal's own claim (if any), the recorded delivery and the action
   * are one transaction: a crash or a refused write leaves all of them or none.
   */
  async function offer(kind: NudgeKind, proposal: NudgeProposal): Promise<boolean> {
    const { cause, action } = proposal;
    if (!settings.enabled) return false;
    if (cause && !settingsFor(kind, cause.room).enabled) return false;
    const { workspace } = action;
    const at = services.clock.now();
    const cooldown = (cause ? settingsFor(kind, cause.room) : (settings[kind] as BaseNudgeSettings))
      .cooldownMinutes;
    const people = proposal.toEveryone ? [] : await recipientsOf(workspace, proposal.recipients, at);
    if (!people) return false;
    // Refused by this process's own deliveries: no transaction for nothing. With a claim, the claim
    // is taken first whatever follows, so the store decides.
    if (
      !proposal.toEveryone &&
      !proposal.claim &&
      (proposal.forAccepted
        ? people.every((p) => recent.refuses(workspace, kind, [p], at, cooldown, settings.dailyCap))
        : recent.refuses(workspace, kind, people, at, cooldown, settings.dailyCap))
    )
      return false;
    const delivered = await services.atomically(async () => {
      if (proposal.claim && !(await proposal.claim())) return undefined;
      const accepted = proposal.toEveryone ? [] : await acceptedOf(kind, proposal, people, cooldown, at);
      if (!accepted) return undefined;
      const shown = proposal.forAccepted ? proposal.forAccepted(accepted.map((p) => p.user)) : action;
      // Every private nudge offers a one-step "not helpful" (a button where the platform has them).
      await services.emit(withFeedback(shown, kind));
      return accepted;
    });
    if (!delivered) return false;
    // Only once committed (Matrix's event transaction may still be open): a delivery rolled back
    // must not refuse the next one, nor leave a share handle behind.
    await services.afterCommit(async () => {
      recent.record(workspace, kind, delivered, at);
      proposal.delivered?.();
    });
    return true;
  }

  const runtimes: { kind: NudgeKind; runtime: NudgeRuntime }[] = NUDGES.map((unit) => {
    const ctx: NudgeContext<BaseNudgeSettings> = {
      services,
      settings: settings[unit.kind] as BaseNudgeSettings,
      settingsFor: (room) => settingsFor(unit.kind, room),
      store,
      claims: deps.claims,
      hours,
      shares,
      workspaceTimezone: deps.workspace.timezone,
      offer: (proposal) => offer(unit.kind, proposal),
      tipAuthor: (message, text, options = {}) =>
        offer(unit.kind, {
          cause: message,
          recipients: [message.user],
          action: {
            workspace: message.workspace,
            action: "notice",
            room: message.room,
            user: message.user,
            thread: message.thread,
            source: `nudge.${unit.kind}`,
            about: message.id,
            ...(options.mentions ? { mentions: options.mentions } : {}),
            text: `${text} ${muteHint(services.commands, unit.kind)}`,
          },
        }),
      muteHint: () => muteHint(services.commands, unit.kind),
    };
    return { kind: unit.kind, runtime: unit.create(ctx as never) };
  });

  /**
   * Feeds `message` to the nudges from the `from`th on, in order, each after the one before has
   * finished. Without a promise while none has work to wait for (most messages).
   */
  function feed(message: ChatMessage, from: number): Promise<void> | undefined {
    for (let i = from; i < runtimes.length; i++) {
      const { kind, runtime } = runtimes[i]!;
      let pending: Promise<void> | undefined;
      try {
        pending = runtime.onMessage?.(message);
      } catch (err) {
        failed(kind, err);
      }
      if (pending)
        return pending.then(
          () => feed(message, i + 1),
          (err: unknown) => {
            failed(kind, err);
            return feed(message, i + 1);
          },
        );
    }
    return undefined;
  }

  /** One broken nudge must not silence the others; the message text is never logged. */
  function failed(kind: NudgeKind, err: unknown): void {
    services.log.error("nudge failed", { kind, error: errorMessage(err) });
  }

  /** The message as nudges see it: a mention of a bot (ours or another) is no mention of a person. */
  async function withoutBotMentions(message: ChatMessage): Promise<ChatMessage> {
    const people: string[] = [];
    for (const id of message.mentions)
      if (!(await services.directory.user(message.workspace, id)).bot) people.push(id);
    return people.length === message.mentions.length ? message : { ...message, mentions: people };
  }

  async function purge(): Promise<void> {
    const before = new Date(services.clock.now().getTime() - deps.retentionDays * DAY_MS);
    await store.purge(before);
    recent.clear();
    await deps.claims.purge("nudge.", before);
  }

  function armPurge(): void {
    services.scheduler.at(new Date(services.clock.now().getTime() + DAY_MS), PURGE_KEY, async () => {
      await purge();
      armPurge();
    });
  }

  return {
    name: "nudges",
    summaries: [nudgesSummary(store, defaultHours, services, async (w, u) => (await hours.hoursOf(w, u)).tz)],
    roots: { share: "repost a question from a DM in the suggested channel" },
    commands: nudgeCommands({
      services,
      store,
      shares,
      hoursOf: hours.hoursOf,
      defaultHours,
      retentionDays: deps.retentionDays,
    }),
    async start() {
      await purge();
      armPurge();
      for (const { runtime } of runtimes) await runtime.start?.();
    },
    async stop() {
      services.scheduler.cancel(PURGE_KEY);
      for (const { runtime } of runtimes) await runtime.stop?.();
    },
    onEvent(event) {
      if (event.type !== "message") return undefined;
      if (event.message.fromBot) return undefined;
      // Mentions are looked up first (the directory answers asynchronously); most messages have none.
      if (event.message.mentions.length === 0) return feed(event.message, 0);
      return withoutBotMentions(event.message).then((message) => feed(message, 0));
    },
  };
}
