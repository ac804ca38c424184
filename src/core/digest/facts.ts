/** What is kept of a message for the digests and the report: flags read off its text, never the text. */
import { hasDecisionLanguage } from "../decisions/text.js";
import type { ChatMessage } from "../model.js";
import { readsAsQuestion } from "../rota/question.js";
import type { MessageFacts } from "./store.js";

// Links of the usual video-call services, Slack huddles and Element Call included.
const CALL_LINK =
  /https?:\/\/(?:[\w-]+\.)*(?:zoom\.us\/j\/|meet\.google\.com\/|teams\.microsoft\.com\/l\/meetup-join|meet\.jit\.si\/|whereby\.com\/|app\.slack\.com\/huddle\/|call\.element\.io\/)/i;

export function hasCallLink(text: string): boolean {
  return CALL_LINK.test(text);
}

export function messageFacts(m: ChatMessage): MessageFacts {
  const direct = m.room.kind === "dm" || m.room.kind === "group-dm";
  return {
    workspace: m.workspace,
    room: { id: m.room.id, name: m.room.name, kind: m.room.kind },
    id: m.id,
    user: m.user,
    at: m.at,
    ...(m.thread ? { thread: m.thread } : {}),
    // From a direct conversation only that it happened is kept: no one it named, nothing read off it.
    mentions: direct ? [] : m.mentions,
    broadcast: !direct && m.broadcast !== undefined,
    question: !direct && readsAsQuestion(m.text),
    decisionLanguage: !direct && hasDecisionLanguage(m.text),
    callLink: !direct && hasCallLink(m.text),
  };
}
