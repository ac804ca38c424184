/**
 * The decisions feature: `/decision …` commands, capture by reaction, the private suggestion when a
 * thread states a decision, and the export outbox worker. Recording a decision writes it and its
 * outbox rows in one transaction, exports it right away where possible, and confirms in the room or
 * thread with its id and where it went; whatever could not be exported is retried in the background.
 */
import { type CoreServices, type Feature, type ReservedAction, sendWhenFinished } from "../feature.js";
import {
  type ChatEvent,
  type ChatMessage,
  isDirect,
  type QuotedMessage,
  type Reaction,
  type Room,
} from "../model.js";
import type { ClaimStore } from "../stores.js";
import { decisionCommands } from "./commands.js";
import { ConversationMemory } from "./conversation-memory.js";
import type { DocumentExporter } from "./exporter.js";
import { decisionForm, decisionFormSpec, messageRecordedKey } from "./form.js";
import type {
  DecisionRecord,
  DecisionRequest,
  ExportState,
  Person,
  RecordResult,
  SaveConfirmation,
} from "./model.js";
import { OutboxWorker } from "./outbox-worker.js";
import { exportSummary } from "./replies.js";
import type { DecisionSettings } from "./settings.js";
import { type DecisionStore, SupersedeError } from "./store.js";
import { decisionsSummary } from "./summary.js";
import { decisionTextProblem, hasDecisionLanguage, ownWords, titleOf } from "./text.js";

export interface DecisionsDeps {
  services: CoreServices;
  store: DecisionStore;
  claims: ClaimStore;
  exporters: readonly DocumentExporter[];
  settings: DecisionSettings;
}

export interface DecisionsFeature extends Feature {
  /** Records a decision and confirms it; the path every capture (command, reaction, shortcut) takes. */
  record(request: DecisionRequest): Promise<RecordResult>;
}

export function createDecisionsFeature(deps: DecisionsDeps): DecisionsFeature {
  const { services, store, claims, settings } = deps;
  const decisionCommand = `\`${services.commands.spell("decision <what was decided>")}\``;
  const memory = new ConversationMemory();
  // Workspaces this engine has heard from: its platform serves them (see OutboxWorker's notices).
  const served = new Set<string>();
  const worker = new OutboxWorker(
    services,
    store,
    deps.exporters,
    {
      attempts: settings.retry.attempts,
      firstDelayMs: settings.retry.firstDelaySeconds * 1000,
      maxDelayMs: settings.retry.maxDelaySeconds * 1000,
      leaseMs: settings.retry.leaseSeconds * 1000,
    },
    { claims, serves: (workspace) => served.has(workspace) },
  );

  /** The first event from a workspace: remember it, and report failures that happened meanwhile. */
  /** The first event from a workspace tells of exports that failed meanwhile: a promise only then. */
  function heardFrom(workspace: string): Promise<void> | undefined {
    if (served.has(workspace)) return undefined;
    served.add(workspace);
    return worker.notifyFailures(workspace);
  }

  /** Why decisions cannot be recorded in this room, if they cannot. */
  function roomProblem(room: Room): string | undefined {
    if (isDirect(room))
      return "decisions are recorded in rooms, where the team can find them, not in direct messages";
    if (room.kind === "private" && !settings.privateRooms) {
      return "decisions are not recorded in private rooms here (an admin can allow it with decisions.privateRooms)";
    }
    return undefined;
  }

  async function person(workspace: string, id: string): Promise<Person> {
    try {
      return { id, name: (await services.directory.user(workspace, id)).displayName };
    } catch {
      return { id, name: id };
    }
  }

  /**
   * Records a decision. With `once.claim` (a message is recorded once, however many react), the claim
   * and the decision with its export rows are one transaction, after the lookups (names, the thread's
   * link): a failure or a crash leaves neither, so the message can be recorded again. With
   * `once.confirm`, the confirmation is saved (reserved) in that transaction too, and returned as
   * `saved`, for the caller to send once the exports (network calls, after the commit) say how they
   * went; after a crash before that, the saved confirmation goes out, telling the exports as pending.
   * Undefined when the claim was already taken.
   */
  async function recordOnce(
    req: DecisionRequest,
    once: { claim?: string; confirm?: SaveConfirmation } = {},
  ): Promise<RecordResult | undefined> {
    const why = roomProblem(req.room);
    if (why) return { ok: false, problem: why };
    const text = req.text.trim();
    const problem = decisionTextProblem(text);
    if (problem) return { ok: false, problem };
    const { workspace, room } = req;
    const { claim, confirm } = once;
    // Taken already: no lookups for nothing.
    if (claim && (await claims.isClaimed(workspace, claim))) return undefined;
    const ids = req.thread ? memory.participants(workspace, room.id, req.thread) : [];
    for (const id of [req.author, req.recordedBy]) if (id && !ids.includes(id)) ids.unshift(id);
    const participants = await Promise.all(ids.map((id) => person(workspace, id)));
    const link = req.thread
      ? await services.directory.permalink(workspace, room, req.thread).catch(() => undefined)
      : undefined;
    const target = { workspace, room: { id: room.id, name: room.name } };
    let saved: { decision: DecisionRecord; pending: string; confirmation?: ReservedAction } | undefined;
    try {
      saved = await services.atomically(async () => {
        if (claim && !(await claims.claim(workspace, claim, req.at))) return undefined;
        const decision = await store.record(
          {
            workspace,
            title: req.title ?? titleOf(text),
            text,
            author: participants.find((p) => p.id === req.author)!,
            room: { id: room.id, name: room.name, ...(room.kind === "private" ? { private: true } : {}) },
            thread: req.thread,
            link,
            participants,
            at: req.at,
            supersedes: req.supersedes,
          },
          worker.targetsFor(target),
        );
        const pending = confirmation(decision, await store.exports(workspace, decision.number));
        return { decision, pending, confirmation: await confirm?.(pending) };
      });
    } catch (err) {
      if (err instanceof SupersedeError) return { ok: false, problem: err.message };
      throw err;
    }
    if (!saved) return undefined;
    const { decision, pending } = saved;
    // After the commit: on Matrix the event's transaction still holds the database here.
    const exported = async () => {
      await worker.deliver(workspace, decision.number);
      if (req.supersedes !== undefined) await worker.deliver(workspace, req.supersedes);
      return confirmation(decision, await store.exports(workspace, decision.number));
    };
    return { ok: true, decision, text: pending, exported, saved: saved.confirmation };
  }

  /** "Recorded decision *D-3*: title. Exported to …": how it went so far. */
  function confirmation(decision: DecisionRecord, states: readonly ExportState[]): string {
    const head = `Recorded decision *${decision.id}*: ${decision.title}${decision.supersedes ? ` (supersedes ${decision.supersedes})` : ""}.`;
    return `${head} ${exportSummary(states)}`;
  }

  async function record(req: DecisionRequest, confirm?: SaveConfirmation): Promise<RecordResult> {
    // Without a claim there is nothing to find taken: always a result.
    return (await recordOnce(req, { confirm }))!;
  }

  /** An event with work to wait for: the workspace's first (failed exports told), a reaction, a form. */
  async function handle(event: ChatEvent, heard: Promise<void> | undefined): Promise<void> {
    await heard;
    if (event.type === "message") await onMessage(event.message);
    else if (event.type === "reaction") await onReaction(event.reaction);
    else if (event.type === "record-decision") {
      const { workspace, room, user, message, at } = event;
      if (event.canOpenForm) await offerForm(workspace, room, user, message);
      else await capture(workspace, room, user, message.id, at, message);
    }
  }

  const commands = decisionCommands({ services, store, worker, record, roomProblem });

  /** Remembers the message; a promise only when its thread gets a suggestion. */
  function onMessage(m: ChatMessage): Promise<void> | undefined {
    if (isDirect(m.room)) return undefined; // never remember anything from direct messages
    const root = m.thread ?? m.id;
    memory.noteParticipant(m.workspace, m.room.id, root, m.user);
    if (roomProblem(m.room)) return undefined;
    memory.rememberMessage(m.workspace, m.room.id, m.id, { user: m.user, text: m.text, thread: m.thread });
    if (!settings.suggest || !m.thread || !hasDecisionLanguage(m.text)) return undefined;
    return suggest(m, m.thread);
  }

  async function suggest(m: ChatMessage, thread: string): Promise<void> {
    // The thread's claim and the suggestion are saved together: never one without the other.
    await services.atomically(async () => {
      if (!(await claims.claim(m.workspace, `decision:suggest:${m.room.id}:${thread}`, m.at))) return;
      await services.emit({
        workspace: m.workspace,
        action: "notice",
        room: m.room,
        user: m.user,
        thread: m.thread,
        source: "decision.suggest",
        about: m.id,
        text:
          `That sounds like a decision. Write it down where the team will find it: ${decisionCommand} ` +
          `in this thread records it, or react with :${settings.reaction}: on the message that states it.`,
      });
    });
  }

  async function onReaction(r: Reaction): Promise<void> {
    if (r.emoji.replace(/:/g, "") !== settings.reaction) return;
    const message = memory.message(r.workspace, r.room.id, r.target);
    await capture(r.workspace, r.room, r.user, r.target, r.at, message);
  }

  /**
   * Records the message `target` as a decision, for a reaction or the message shortcut. The message's
   * author is the decision's author; whoever asked is recorded too.
   */
  async function capture(
    workspace: string,
    room: Room,
    by: string,
    target: string,
    at: Date,
    message: { user: string; text: string; thread?: string } | undefined,
  ): Promise<void> {
    const notice = (text: string) => captureNotice(workspace, room, by, target, text);
    const why = roomProblem(room);
    if (why) return notice(`I did not record that: ${why}.`);
    if (!message) {
      return notice(
        `I no longer have that message at hand. Record it with ${decisionCommand} in its thread.`,
      );
    }
    const thread = message.thread ?? target;
    // Several people may react, or use the shortcut: the first one records it, and its confirmation
    // is saved with it.
    const result = await recordOnce(
      {
        workspace,
        room,
        thread,
        author: message.user,
        recordedBy: by,
        text: message.text,
        // The text is kept whole (a quote gives context); the title is the message's own words.
        title: titleOf(ownWords(message.text)),
        at,
      },
      {
        claim: messageRecordedKey(room.id, target),
        confirm: (text) =>
          services.reserve({
            workspace,
            action: "reply",
            room,
            thread,
            source: "decision.capture",
            about: target,
            text,
          }),
      },
    );
    if (result && !result.ok) return notice(`I did not record that: ${result.problem}.`);
    if (result?.saved) await sendWhenFinished(services, result.saved, result.exported);
  }

  function captureNotice(workspace: string, room: Room, by: string, target: string, text: string) {
    return services.emit({
      workspace,
      action: "notice",
      room,
      user: by,
      source: "decision.capture",
      about: target,
      text,
    });
  }

  /** The shortcut, where a form can be shown: the form prefilled from the message, to check and submit. */
  async function offerForm(workspace: string, room: Room, by: string, message: QuotedMessage): Promise<void> {
    const why = roomProblem(room);
    if (why) return captureNotice(workspace, room, by, message.id, `I did not record that: ${why}.`);
    if (await claims.isClaimed(workspace, messageRecordedKey(room.id, message.id)))
      return captureNotice(
        workspace,
        room,
        by,
        message.id,
        "That message has already been recorded as a decision.",
      );
    await services.emit({
      workspace,
      action: "form",
      room,
      user: by,
      thread: message.thread ?? message.id,
      source: "decision.capture",
      about: message.id,
      form: decisionForm(message),
      text:
        `I could not open the form. React with :${settings.reaction}: on the message to record it as it stands, ` +
        `or use ${decisionCommand} in its thread.`,
    });
  }

  return {
    name: "decisions",
    summaries: [decisionsSummary(store)],
    roots: { decision: "record decisions and export them where the team keeps its documentation" },
    commands: settings.enabled ? commands : [],
    forms: settings.enabled
      ? [decisionFormSpec({ record: (req, claim, confirm) => recordOnce(req, { claim, confirm }) })]
      : [],
    record,
    onEvent(event: ChatEvent) {
      if (!settings.enabled) return undefined;
      const heard = heardFrom(eventWorkspace(event));
      if (event.type === "message" && !heard) return onMessage(event.message);
      return handle(event, heard);
    },
    async start() {
      if (settings.enabled) await worker.start();
    },
    async stop() {
      worker.stop();
    },
  };
}

function eventWorkspace(event: ChatEvent): string {
  switch (event.type) {
    case "message":
      return event.message.workspace;
    case "reaction":
      return event.reaction.workspace;
    case "command":
      return event.command.workspace;
    default:
      return event.workspace;
  }
}
