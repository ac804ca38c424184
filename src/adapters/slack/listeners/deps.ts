import type { Engine } from "../../../core/engine.js";
import type { FieldErrors, FormSubmission } from "../../../core/forms.js";
import type { Logger } from "../../../core/logger.js";
import type { ChatEvent } from "../../../core/model.js";
import type { OutloudMetrics } from "../../../runtime/metrics.js";
import type { SlackDirectory } from "../directory.js";
import type { HomeRenderer } from "../home.js";

/** What every listener may use: the engine to hand events to, and the Slack directory for rooms and people. */
export interface ListenerDeps {
  engine: Engine;
  directory: SlackDirectory;
  log: Logger;
  metrics: OutloudMetrics;
  home: HomeRenderer;
  /** Hands an event to the engine, counted and tracked so a shutdown can wait for it. */
  dispatch(event: ChatEvent): Promise<void>;
  /** Hands a filled-in form to the engine, the same way; `answer` acknowledges it (see Engine.submitForm). */
  submitForm(submission: FormSubmission, answer: (errors?: FieldErrors) => Promise<void>): Promise<void>;
  /** Runs work that a shutdown must wait for. */
  track<T>(work: Promise<T>): Promise<T>;
  /** The bot's own user id in a workspace, to ignore its own messages. */
  botUserId(workspace: string): Promise<string | undefined>;
}

/** Slack's workspace id for a request: Bolt's authorised team, else the payload's. */
export function workspaceOf(context: { teamId?: string }, body: unknown): string | undefined {
  const b = body as { team_id?: string; team?: { id?: string } | null; user?: { team_id?: string } };
  return context.teamId ?? b.team_id ?? b.team?.id ?? b.user?.team_id ?? undefined;
}
