/**
 * Core forms as Slack modals: `views.open` with the trigger of the person's own request (a slash
 * command or a shortcut, valid for 3 seconds), one plain-text input per field, and where the form
 * was asked for kept in `private_metadata` (ids only, never message text). A `view_submission` is read
 * back into a core FormSubmission; problems go back as Slack's inline field errors.
 */
import type { webApi } from "@slack/bolt";
import type { FormAction } from "../../core/actions.js";
import type { FormSubmission } from "../../core/forms.js";
import type { Logger } from "../../core/logger.js";
import type { Room, RoomKind } from "../../core/model.js";
import type { PendingCommand } from "./command-reply.js";
import { errorCode } from "./directory.js";

export const FORM_CALLBACK = "outloud_form";

// Slack's limits for modals (https://docs.slack.dev/reference/views/modal-views).
const TITLE_LIMIT = 24;
const INPUT_LIMIT = 3000;
const METADATA_LIMIT = 3000;
const ROOM_KINDS: readonly RoomKind[] = ["public", "private", "dm", "group-dm"];

/** What a modal carries in private_metadata: the form's kind, where it was asked for, its context. */
interface FormOrigin {
  kind: string;
  room: { id: string; name: string; kind: RoomKind };
  thread?: string;
  context: Record<string, string>;
}

/** The modal for a form; undefined when Slack cannot show it (a prefilled value beyond its limits). */
export function formView(action: FormAction): webApi.ModalView | undefined {
  const { form } = action;
  const origin: FormOrigin = {
    kind: form.kind,
    room: { id: action.room.id, name: action.room.name, kind: action.room.kind },
    ...(action.thread ? { thread: action.thread } : {}),
    context: form.context,
  };
  const metadata = JSON.stringify(origin);
  if (metadata.length > METADATA_LIMIT) return undefined;
  const blocks: webApi.KnownBlock[] = [];
  for (const field of form.fields) {
    const maxLength = Math.min(field.maxLength ?? INPUT_LIMIT, INPUT_LIMIT);
    // Cutting a prefilled value would lose part of it unseen: better not to show the form at all.
    if (field.value && field.value.length > maxLength) return undefined;
    blocks.push({
      type: "input",
      block_id: field.name,
      optional: field.optional ?? false,
      label: { type: "plain_text", text: field.label },
      ...(field.hint ? { hint: { type: "plain_text", text: field.hint } } : {}),
      element: {
        type: "plain_text_input",
        action_id: field.name,
        multiline: field.multiline ?? false,
        max_length: maxLength,
        ...(field.value ? { initial_value: field.value } : {}),
      },
    });
  }
  return {
    type: "modal",
    callback_id: FORM_CALLBACK,
    title: { type: "plain_text", text: form.title.slice(0, TITLE_LIMIT) },
    submit: { type: "plain_text", text: form.submit.slice(0, TITLE_LIMIT) },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: metadata,
    blocks,
  };
}

/**
 * Opens the form as a modal with the trigger of the request being answered, if that request is the
 * same person's. True when Slack showed it; false when the caller should fall back to the form's text.
 */
export async function openForm(
  client: webApi.WebClient,
  action: FormAction,
  pending: PendingCommand | undefined,
  log: Logger,
): Promise<boolean> {
  const mine = pending && pending.workspace === action.workspace && pending.user === action.user;
  const trigger = mine ? pending.takeTrigger() : undefined;
  const view = formView(action);
  if (!trigger || !view) return false;
  try {
    await client.views.open({ trigger_id: trigger, view });
    return true;
  } catch (err) {
    // An expired trigger (the answer took over 3 seconds) or a view Slack refused.
    log.warn("slack views.open failed", { workspace: action.workspace, error: errorCode(err) });
    return false;
  }
}

/** A submitted modal of ours as a core submission; undefined for anything we did not open. */
export function readSubmission(
  view: {
    private_metadata?: string;
    state?: { values?: Record<string, Record<string, { value?: string | null }>> };
  },
  workspace: string,
  user: string,
  at: Date,
): FormSubmission | undefined {
  const origin = parseOrigin(view.private_metadata);
  if (!origin) return undefined;
  const values: Record<string, string> = {};
  for (const [block, inputs] of Object.entries(view.state?.values ?? {})) {
    const value = inputs[block]?.value;
    if (typeof value === "string") values[block] = value;
  }
  const room: Room = { workspace, ...origin.room };
  return {
    kind: origin.kind,
    workspace,
    room,
    ...(origin.thread ? { thread: origin.thread } : {}),
    user,
    values,
    context: origin.context,
    at,
  };
}

function parseOrigin(metadata: string | undefined): FormOrigin | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata ?? "");
  } catch {
    return undefined;
  }
  const o = parsed as Partial<FormOrigin> | null;
  const room = o?.room;
  if (typeof o?.kind !== "string" || typeof room?.id !== "string" || typeof room.name !== "string")
    return undefined;
  if (!ROOM_KINDS.includes(room.kind)) return undefined;
  const context: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.context ?? {})) if (typeof v === "string") context[k] = v;
  return {
    kind: o.kind,
    room: { id: room.id, name: room.name, kind: room.kind },
    ...(typeof o.thread === "string" ? { thread: o.thread } : {}),
    context,
  };
}
