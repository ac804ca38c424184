/**
 * Pure readings of a message's text shared by several nudges: is it only a greeting, is it a work
 * question (not small talk).
 */

const GREETINGS = [
  "hi",
  "hii",
  "hiya",
  "hello",
  "hallo",
  "hey",
  "heya",
  "hey there",
  "hi there",
  "hello there",
  "yo",
  "howdy",
  "good morning",
  "morning",
  "good afternoon",
  "good evening",
  "greetings",
  "hola",
  "bonjour",
  "ciao",
  "hej",
  "moin",
  "salut",
  "sup",
  "hello again",
  "hi again",
  "hey again",
  "ping",
  "are you there",
  "you there",
  "got a minute",
  "got a sec",
  "quick question",
  "have a minute",
  "do you have a minute",
  "do you have a sec",
];

/**
 * True when a message is nothing but a greeting: "hi", "hello there!", "hey 👋", "Hi @bob".
 * Anything with a question or request after the greeting is not.
 */
export function isOnlyGreeting(text: string): boolean {
  const cleaned = text
    .toLowerCase()
    .replace(/<@[^>]+>|@\S+/g, " ") // mentions of the person greeted
    .replace(/\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}]|\u200d|\uFE0F/gu, " ")
    .replace(/:[a-z0-9_+-]+:/g, " ") // :wave:
    .replace(/[!.,?~…]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (cleaned === "") return text.trim() !== "" && /[\p{Extended_Pictographic}]/u.test(text);
  // "hi bob" / "hey team": a greeting followed by one name-like word still has no question in it.
  const words = cleaned.split(" ");
  for (const g of GREETINGS) {
    if (cleaned === g) return true;
    if (cleaned.startsWith(`${g} `) && words.length <= g.split(" ").length + 1 && !/\?/.test(text)) {
      const rest = cleaned.slice(g.length + 1);
      if (!WORK_WORDS.test(rest) && !QUESTION_START.test(rest)) return true;
    }
  }
  return false;
}

const QUESTION_START =
  /^(how|what|why|where|when|which|who|whom|whose|can|could|would|will|should|do|does|did|is|are|was|were|has|have|any|anyone|is there|may|shall)\b/i;
const REQUEST =
  /\b(can you|could you|would you|please|pls|plz|any idea|anyone know|do you know|help me|need help|how do i|how can i|how to|is there a way|wondering)\b/i;
const WORK_WORDS =
  /\b(deploy\w*|release\w*|build\w*|bug\w*|error\w*|issue\w*|ticket\w*|pr|pull request|merge\w*|branch\w*|review\w*|test\w*|prod\w*|staging|server\w*|database|db|api|config\w*|customer\w*|client\w*|spec\w*|design\w*|doc\w*|deadline\w*|sprint\w*|roadmap|budget|invoice\w*|contract\w*|meeting\w*|project\w*|feature\w*|crash\w*|fail\w*|broken|fix\w*|install\w*|upgrade\w*|migrat\w*|repo\w*|pipeline|ci|access|permission\w*|password\w*|account\w*|report\w*|data|query|log\w*|incident\w*|outage|estimate\w*|plan\w*|task\w*|code|script\w*|library|package\w*|version\w*|workflow|process|policy|onboard\w*)\b/i;
const SMALL_TALK =
  /\b(lunch|dinner|coffee|beer|drinks?|weekend|holiday|vacation|birthday|movie|film|game|football|soccer|weather|kids?|family|party|how are you|how's it going|hows it going|how was your|lol|haha|thanks|thank you|congrats|congratulations)\b/i;

/**
 * True when a DM reads like a work question others could answer or learn from: a question or a
 * request, about work, and not small talk. Conservative: a missed question costs less than a nudge
 * about lunch plans.
 */
export function isWorkQuestion(text: string): boolean {
  const t = text.trim();
  const words = t.split(/\s+/).filter(Boolean);
  if (words.length < 5) return false;
  const asks = /\?/.test(t) || QUESTION_START.test(t) || REQUEST.test(t);
  if (!asks) return false;
  if (!WORK_WORDS.test(t)) return false;
  // Small talk wins when it is the subject, unless the work words clearly dominate.
  if (SMALL_TALK.test(t) && (t.match(new RegExp(WORK_WORDS, "gi"))?.length ?? 0) < 2) return false;
  return true;
}
