/**
 * What the core asks a platform to do. Adapters turn each action into API calls; the replay CLI
 * prints them as JSON lines. `source` names the feature that acted, `about` the message that caused it.
 */
import type { Form } from "./forms.js";
import type { Room } from "./model.js";

interface ActionBase {
  workspace: string;
  /** Feature that acted, e.g. `command.rota`, `rota.announce`, `nudge.thread`, `decision.export`. */
  source: string;
  /** Id of the message that caused this action, if any. */
  about?: string;
  text: string;
  /** Users the text mentions; adapters render them as real mentions. */
  mentions?: string[];
  /** The person whose command or form this answers: told how to fix it if the platform refuses it. */
  requestedBy?: string;
}

export type Action =
  /** A message in a room, outside any thread. */
  | (ActionBase & { action: "post"; room: Room })
  /** A reply in the thread rooted at `thread`. */
  | (ActionBase & { action: "reply"; room: Room; thread: string })
  /** A private notice seen by `user` only (Slack ephemeral; Matrix: the bot's DM with the user). */
  | (ActionBase & { action: "notice"; room: Room; user: string; thread?: string })
  /** A direct message from the bot to `user`. */
  | (ActionBase & { action: "dm"; user: string })
  /** Set the room's topic to `text`. */
  | (ActionBase & { action: "topic"; room: Room })
  /** Set the members of the user group `text` (a handle such as `payments-responder`) to `mentions`. */
  | (ActionBase & { action: "group"; room: Room; mentions: string[] })
  /**
   * Ask `user` to fill in `form` (Slack: a modal). Sent only where the event said a form can be shown;
   * `text` is what to tell the person instead if it cannot be shown after all (see formFallback).
   */
  | (ActionBase & { action: "form"; room: Room; user: string; thread?: string; form: Form });

export type ActionKind = Action["action"];
export type FormAction = Extract<Action, { action: "form" }>;

/** What a platform that cannot show a form does instead: tells the person its `text`, privately. */
export function formFallback(action: FormAction): Extract<Action, { action: "notice" }> {
  const { form: _form, ...rest } = action;
  return { ...rest, action: "notice" };
}
