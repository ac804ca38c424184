/**
 * Does a message read as a question to the team? Pure, so unit tests pin it down. Deliberately simple:
 * a false positive costs one mention of today's responder after the wait; a miss means no reminder.
 */

// Openers that make a question even without a question mark ("anyone know how to rotate the keys").
// Words that also start statements ("have a nice weekend", "will be late", "do not deploy") are left out.
const OPENERS =
  /^(who|what|when|where|why|how|which|can|could|would|should|is|are|does|do(?! not\b)|did|any(one|body)|any idea|is there|quick question)\b/i;

/** True when `text` asks something, or mentions the team's handle (`@payments-responder`). */
export function readsAsQuestion(text: string, teamHandle?: string): boolean {
  const trimmed = text.trim();
  if (teamHandle && new RegExp(`(^|\\s)@${escapeRegExp(teamHandle)}(?![\\w.-])`, "i").test(trimmed))
    return true;
  // A question mark ending a sentence, not inside a URL's query string.
  const withoutUrls = trimmed.replace(/https?:\/\/\S+/g, "");
  if (/\?(\s|$|[)"'!.,:;])/.test(`${withoutUrls} `)) return true;
  const firstSentence = withoutUrls.replace(/^(hi|hey|hello|hola|morning|good morning)[\s,!.]+/i, "");
  return OPENERS.test(firstSentence) && firstSentence.split(/\s+/).length >= 3;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
