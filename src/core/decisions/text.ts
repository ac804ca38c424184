/**
 * Pure text helpers for decisions: the title rule, file-name slugs and the decision-language detector
 * behind the private `/decision` suggestion.
 */

export const TITLE_MAX = 80;
/** The longest decision text recorded: a decision is its gist, with a link to the rest. */
export const TEXT_MAX = 4000;

/** Why `text` (trimmed) cannot be recorded as a decision's text, if it cannot. */
export function decisionTextProblem(text: string): string | undefined {
  if (text.length < 3) return "say what was decided";
  if (text.length > TEXT_MAX)
    return `that is longer than ${TEXT_MAX} characters; record the gist and link the rest`;
  return undefined;
}

/** The first sentence of `text`, on one line, at most 80 characters (cut at a word, with an ellipsis). */
export function titleOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  // A sentence ends at . ! ? followed by a space or the end; "v1.2" and "e.g." mid-word do not end it.
  const end = /[.!?](?=\s|$)/.exec(flat);
  let title = end ? flat.slice(0, end.index) : flat;
  title = title.replace(/[.!?;:,\s]+$/, "");
  if (title.length <= TITLE_MAX) return title || flat.slice(0, TITLE_MAX);
  const cut = title.slice(0, TITLE_MAX - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > 40 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, "")}…`;
}

/**
 * The message's own words, for a title: without the quote it starts with (`> …` lines, as clients write
 * a reply's fallback or a quote) and without a sender prefix such as `**Alice:**` (quotes and bridged
 * messages name who said it that way). Falls back to the whole text when nothing else is left.
 */
export function ownWords(text: string): string {
  const lines = text.split("\n");
  let i = 0;
  while (i < lines.length && lines[i]?.startsWith(">")) i++;
  const words = lines
    .slice(i)
    .join("\n")
    .trim()
    .replace(/^\*\*[^*\n]{1,64}?(?::\*\*|\*\*:)\s*/, "");
  return words || text.trim();
}

/**
 * A safe file-name fragment: lower-case ASCII letters, digits and single dashes, at most 60
 * characters. Never contains a dot, slash or backslash, so it cannot escape the directory.
 */
export function slugOf(text: string, max = 60): string {
  const ascii = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
  const slug = ascii.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  const cut = slug.slice(0, max).replace(/-+$/, "");
  return cut || "decision";
}

// Phrases that usually mean a decision was just taken in a conversation.
const DECISION_LANGUAGE = [
  /\bwe(?:'ve| have)? decided\b/i,
  /\blet'?s go with\b/i,
  /\bagreed\s*:/i,
  /\bfinal decision\b/i,
];

/** True when a message states a decision in words ("we decided", "let's go with", "agreed:", "final decision"). */
export function hasDecisionLanguage(text: string): boolean {
  // "Have we decided yet?" asks rather than states: sentences ending in "?" do not count.
  const sentences = text.split(/(?<=[.!?])\s+|\n+/).filter((s) => !s.trim().endsWith("?"));
  return sentences.some((s) => DECISION_LANGUAGE.some((re) => re.test(s)));
}
