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
import type { NudgeStore } from "./store.js";
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

  /** True when `user` may get this nudge now; records the delivery (cooldown and cap) when so. */
  async function accept(
    kind: NudgeKind,
    users: string[],
    workspace: string,
    cooldownMinutes: number,
    about?: string,
  ): Promise<boolean> {
    const at = services.clock.now();
    const recipients = [];
    for (const user of users) {
      const person = await services.directory.user(workspace, user);
      if (person.bot) return false;
      recipients.push({ user, day: localDate(at, person.tz || deps.workspace.timezone) });
    }
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
    if (decision.ok) recent.record(workspace, kind, recipients, at);
    return decision.ok;
  }

  async function offer(kind: NudgeKind, proposal: NudgeProposal): Promise<boolean> {
    const { cause } = proposal;
    let action = proposal.action;
    if (!settings.enabled) return false;
    if (cause && !settingsFor(kind, cause.room).enabled) return false;
    if (!proposal.toEveryone) {
      const cooldown = (cause ? settingsFor(kind, cause.room) : (settings[kind] as BaseNudgeSettings))
        .cooldownMinutes;
      if (proposal.forAccepted) {
        // Never about bots, even in part.
        for (const user of proposal.recipients)
          if ((await services.directory.user(action.workspace, user)).bot) return false;
        // Everyone at once first: one transaction (one commit) when all may have it, as they mostly
        // may; one each only when someone may not.
        const all = proposal.recipients;
        const accepted: string[] = [];
        if (all.length > 1 && (await accept(kind, all, action.workspace, cooldown, action.about)))
          accepted.push(...all);
        else
          for (const user of all) {
            if (await accept(kind, [user], action.workspace, cooldown, action.about)) accepted.push(user);
          }
        if (accepted.length === 0) return false;
        action = proposal.forAccepted(accepted);
      } else if (!(await accept(kind, proposal.recipients, action.workspace, cooldown, action.about))) {
        return false;
      }
    }
    // Every private nudge offers a one-step "not helpful" (a button where the platform has them).
    await services.emit(withFeedback(action, kind));
    proposal.delivered?.();
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
    async onEvent(event) {
      if (event.type !== "message") return;
      if (event.message.fromBot) return;
      const message = await withoutBotMentions(event.message);
      for (const { kind, runtime } of runtimes) {
        if (!runtime.onMessage) continue;
        try {
          await runtime.onMessage(message);
        } catch (err) {
          // One broken nudge must not silence the others; the message text is never logged.
          services.log.error("nudge failed", { kind, error: errorMessage(err) });
        }
      }
    },
  };
}
