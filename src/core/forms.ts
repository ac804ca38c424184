/**
 * Forms: a feature may ask a person to fill in a few fields instead of typing a command line (Slack
 * shows it as a modal). Only platforms that can show a form right now say so on the event
 * (`canOpenForm`); everywhere else the feature's ordinary answer is given instead, so a form is
 * always an improvement, never the only way. The filled-in values come back as a submission, which
 * the form's spec checks (problems are shown beside their fields) and then carries out.
 */
import type { CommandContext, CommandReply } from "./commands/command.js";
import type { Room } from "./model.js";

export interface FormField {
  /** Key of the value in the submission. */
  name: string;
  label: string;
  /** Prefilled value. */
  value?: string;
  multiline?: boolean;
  optional?: boolean;
  maxLength?: number;
  /** One line of help under the field. */
  hint?: string;
}

export interface Form {
  /** The spec that takes the submission (see FormSpec.kind), e.g. `decision`. */
  kind: string;
  title: string;
  /** Label of the submit button. */
  submit: string;
  fields: FormField[];
  /** Ids the submission needs back (e.g. the message being recorded). Never message text. */
  context: Record<string, string>;
}

/** A filled-in form, handed back by the platform with where it was asked for. */
export interface FormSubmission {
  kind: string;
  workspace: string;
  room: Room;
  /** Where the answer goes: the thread the form was asked for in, if any. */
  thread?: string;
  user: string;
  values: Record<string, string>;
  context: Record<string, string>;
  at: Date;
}

/** Problems per field name, each a short sentence shown beside its field. */
export type FieldErrors = Record<string, string>;

export type FormCheck<A> = { ok: true; value: A } | { ok: false; errors: FieldErrors };

export interface FormSpec<A = unknown> {
  kind: string;
  /** Pure and quick (Slack wants the field errors within 3 seconds). */
  check(submission: FormSubmission): FormCheck<A>;
  /**
   * Carries the submission out; the reply is shown like a command's, where the form was asked for
   * (and may be saved with what the submission changed, as CommandContext.reserveReply says).
   */
  run(
    submission: FormSubmission,
    value: A,
    reserveReply: NonNullable<CommandContext["reserveReply"]>,
  ): Promise<CommandReply>;
}

/** Declares a form spec while keeping its value type checked between check and run. */
export function formSpec<A>(spec: FormSpec<A>): FormSpec<unknown> {
  return spec as FormSpec<unknown>;
}
