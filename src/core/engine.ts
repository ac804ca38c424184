/**
 * The event dispatcher. Every platform hands its events to `Engine.handle`; commands go through the
 * command table, every other event to each feature in turn, and filled-in forms to the feature that
 * asked for them (`submitForm`). Errors in one feature are logged and do not stop the others: bad
 * input never crashes the bot.
 */
import type { Action } from "./actions.js";
import type { CommandContext, CommandReply } from "./commands/command.js";
import { CommandTable } from "./commands/registry.js";
import { errorMessage } from "./error-message.js";
import { type CoreServices, type Feature, sendWhenFinished } from "./feature.js";
import type { FieldErrors, FormSpec, FormSubmission } from "./forms.js";
import type { ChatEvent, CommandInvocation } from "./model.js";
import type { DeliveryProblem } from "./ports.js";
import { StorageUnavailableError } from "./stores.js";
import type { SummarySection, SummaryViewer } from "./summaries.js";

export interface EngineOptions {
  services: CoreServices;
  features: Feature[];
}

export class Engine {
  readonly commands = new CommandTable();
  readonly services: CoreServices;
  private readonly features: Feature[];
  private readonly forms = new Map<string, FormSpec>();
  private started = false;

  constructor(options: EngineOptions) {
    this.services = options.services;
    this.features = options.features;
    this.commands.describeRoot("outloud", "help, settings and privacy");
    for (const f of this.features) {
      for (const [root, purpose] of Object.entries(f.roots ?? {})) this.commands.describeRoot(root, purpose);
      if (f.commands) this.commands.add(...f.commands);
      for (const form of f.forms ?? []) this.forms.set(form.kind, form);
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const f of this.features) await f.start?.();
  }

  async stop(): Promise<void> {
    for (const f of [...this.features].reverse()) {
      try {
        await f.stop?.();
      } catch (err) {
        this.services.log.error("feature failed to stop", { feature: f.name, error: errorMessage(err) });
      }
    }
  }

  /** Every feature's summary for one person, in feature order; a failing one is left out, not fatal. */
  async summaries(viewer: SummaryViewer): Promise<SummarySection[]> {
    const sections: SummarySection[] = [];
    for (const f of this.features) {
      for (const provide of f.summaries ?? []) {
        try {
          const section = await provide(viewer);
          if (section) sections.push(section);
        } catch (err) {
          this.services.log.warn("summary failed", { feature: f.name, error: errorMessage(err) });
        }
      }
    }
    return sections;
  }

  /** True when a message's first word is one of our command roots, e.g. `rota` in `!rota who`. */
  isCommand(text: string): boolean {
    return this.commands.isRoot(firstWord(text));
  }

  async handle(event: ChatEvent): Promise<void> {
    if (event.type === "message" && event.message.fromBot) return;
    if (event.type === "command") {
      await this.runCommand(event.command);
    }
    for (const f of this.features) {
      if (!f.onEvent) continue;
      try {
        const pending = f.onEvent(event);
        if (pending) await pending;
      } catch (err) {
        this.services.log.error("feature failed on event", {
          feature: f.name,
          event: event.type,
          error: errorMessage(err),
        });
      }
    }
  }

  /**
   * The platform refused an action for a reason only a person can fix (the bot is not in the room, a
   * permission is missing): each feature may tell someone. Never throws.
   */
  async deliveryProblem(problem: DeliveryProblem): Promise<void> {
    for (const f of this.features) {
      try {
        await f.onDeliveryProblem?.(problem);
      } catch (err) {
        this.services.log.error("feature failed on a delivery problem", {
          feature: f.name,
          error: errorMessage(err),
        });
      }
    }
    await this.tellRequester(problem).catch((err) =>
      this.services.log.warn("delivery problem not told", { error: errorMessage(err) }),
    );
  }

  /**
   * The answer to someone's command was refused (the bot is not in the room, a missing permission):
   * they are told why and what to do, by DM, since the room itself is where it failed. A DM that is
   * itself refused is not followed by another.
   */
  private async tellRequester(problem: DeliveryProblem): Promise<void> {
    const { action } = problem;
    const user = action.requestedBy;
    if (!user || (action.action === "dm" && action.user === user)) return;
    await this.services.emit({
      workspace: action.workspace,
      source: "delivery.problem",
      action: "dm",
      user,
      text: `I could not show you my answer: ${problem.reason}. ${problem.fix}`,
    });
  }

  /**
   * A filled-in form: `answer` is called first, with the problems per field (the platform shows them
   * and the person corrects them) or with nothing (the form is done); then the submission is carried
   * out and its reply shown where the form was asked for, like a command's.
   */
  async submitForm(
    submission: FormSubmission,
    answer: (errors?: FieldErrors) => Promise<void>,
  ): Promise<void> {
    const spec = this.forms.get(submission.kind);
    const checked = spec?.check(submission);
    if (checked && !checked.ok) return answer(checked.errors);
    await answer();
    // A form of a feature since switched off (or of an older version): nothing left to do with it.
    if (!spec || !checked) return;
    const source = `form.${submission.kind}`;
    let reply: CommandReply;
    try {
      reply = await spec.run(submission, checked.value, this.replyReserver(submission, source));
    } catch (err) {
      this.services.log.error("form failed", { form: submission.kind, error: errorMessage(err) });
      reply = { kind: "private", text: apologyFor(err) };
    }
    await this.show(replyAction(submission, reply, source), reply);
  }

  private async runCommand(invocation: CommandInvocation): Promise<void> {
    let root = "outloud";
    let reply: CommandReply;
    try {
      // Only an executor the table chose saves its reply early: its root is the first word.
      const typed = firstWord(invocation.text).toLowerCase();
      const result = await this.commands.dispatch({
        invocation,
        // Replies spell commands the platform's way, whatever the person typed (the playground takes both).
        prefix: this.services.commands.prefix,
        reserveReply: this.replyReserver(invocation, `command.${typed}`),
      });
      root = result.root;
      reply = result.reply;
    } catch (err) {
      this.services.log.error("command failed", { error: errorMessage(err) });
      reply = { kind: "private", text: apologyFor(err) };
    }
    await this.show(replyAction(invocation, reply, `command.${root}`), reply);
  }

  /**
   * Shows a reply, then carries out its follow-ups together. A reply with work to finish is saved now
   * and sent with the text that work gives, once it is done after the commit.
   */
  private async show(action: Action | undefined, reply: CommandReply): Promise<void> {
    const finish = "finish" in reply ? reply.finish : undefined;
    const saved = "saved" in reply ? reply.saved : undefined;
    if (action && (finish || saved)) {
      const reserved = saved ?? (await this.services.reserve(action));
      await (finish ? sendWhenFinished(this.services, reserved, finish) : reserved.send());
    } else if (action) await this.services.emit(action);
    const followUps = "followUps" in reply ? (reply.followUps ?? []) : [];
    await Promise.all(followUps.map((f) => this.services.emit(f)));
  }

  /** CommandContext.reserveReply for replies shown where `origin` was typed or asked for. */
  private replyReserver(
    origin: Pick<CommandInvocation, "workspace" | "room" | "thread" | "user">,
    source: string,
  ): NonNullable<CommandContext["reserveReply"]> {
    return async (reply) => {
      const action = replyAction(origin, reply, source);
      return action && this.services.reserve(action);
    };
  }
}

function firstWord(text: string): string {
  return text.trim().split(/\s+/, 1)[0] ?? "";
}

const SORRY = "Sorry, something went wrong on my side. Please try again in a moment.";
export const CANNOT_SAVE =
  "Sorry, I can't save anything right now (my database is unavailable). Please try again in a few minutes.";

/** What to tell the person whose command failed: that nothing could be saved, when that is why. */
export function apologyFor(err: unknown): string {
  return err instanceof StorageUnavailableError ? CANNOT_SAVE : SORRY;
}

/** Turns a command's reply into the action that shows it: in the thread it was typed in, if any. */
export function replyAction(
  invocation: Pick<CommandInvocation, "workspace" | "room" | "thread" | "user">,
  reply: CommandReply,
  source: string,
): Action | undefined {
  const { room, thread, user } = invocation;
  const base = { workspace: invocation.workspace, source, requestedBy: user };
  switch (reply.kind) {
    case "form": {
      const otherwise = replyAction(invocation, reply.otherwise, source);
      return { ...base, action: "form", room, user, thread, form: reply.form, text: otherwise?.text ?? "" };
    }
    case "silent":
      return undefined;
    case "error":
      return { ...base, action: "notice", room, user, thread, text: reply.problem };
    case "private":
      return { ...base, action: "notice", room, user, thread, text: reply.text, mentions: reply.mentions };
    case "public":
      return thread
        ? { ...base, action: "reply", room, thread, text: reply.text, mentions: reply.mentions }
        : { ...base, action: "post", room, text: reply.text, mentions: reply.mentions };
  }
}
