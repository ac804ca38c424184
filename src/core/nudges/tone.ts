/**
 * The tone detector of the be-kind nudge, also used to tell when a thread turns heated. Pure: a
 * sentiment lexicon (AFINN-165 with emoji, the data of the `sentiment` package) plus rules for what
 * the lexicon misses: shouting in capitals, `!!!`/`???`, and insults aimed at a person.
 */
import { createRequire } from "node:module";

export interface ToneSettings {
  /** A message reads harsh when its lexicon score is at or below this (AFINN sum; -3 ≈ clearly negative). */
  harshScore: number;
}

export const DEFAULT_TONE: ToneSettings = { harshScore: -5 };

export interface ToneReading {
  harsh: boolean;
  /** Why, in a few words, for the nudge's one-line reason. */
  reasons: string[];
}

// The `sentiment` package's own data, scored here the way its analyzer scores it (same tokens, same
// negation rule) without the analyzer's per-call arrays and objects: this runs on every message.
const require = createRequire(import.meta.url);
const LEXICON = new Map<string, number>(
  Object.entries({
    ...(require("sentiment/languages/en/labels.json") as Record<string, number>),
    ...(require("sentiment/build/emoji.json") as Record<string, number>),
  }),
);
const NEGATORS = new Set(Object.keys(require("sentiment/languages/en/negators.json") as object));
const SEPARATORS = /[\n.,/#!?$%^&*;:{}=_`"~()]/g;

/** The AFINN sum of a text's words; a word right after a negator ("not", "don't") counts reversed. */
export function lexiconScore(text: string): number {
  const tokens = text.toLowerCase().replace(SEPARATORS, " ").replace(/\s\s+/g, " ").trim().split(" ");
  let score = 0;
  for (let i = 0; i < tokens.length; i++) {
    const value = LEXICON.get(tokens[i]!);
    if (value === undefined) continue;
    score += i > 0 && NEGATORS.has(tokens[i - 1]!) ? -value : value;
  }
  return score;
}

// Insults aimed at someone: checked as whole words. Short on purpose: a false alarm is worse than a miss.
const INSULTS = [
  "idiot",
  "idiots",
  "idiotic",
  "moron",
  "morons",
  "stupid",
  "dumb",
  "dumbass",
  "useless",
  "incompetent",
  "pathetic",
  "clueless",
  "retard",
  "retarded",
  "shut up",
  "stfu",
  "wtf",
  "bullshit",
  "crap",
  "garbage",
  "rubbish",
  "ridiculous",
  "lazy",
];
const INSULT_RE = new RegExp(`\\b(${INSULTS.map((w) => w.replace(" ", "\\s+")).join("|")})\\b`, "i");
const YOU_RE = /\b(you|your|you're|youre|u|ur)\b/i;

/** True when most of a message's letters are capitals and it has enough of them to be shouting. */
export function isShouting(text: string): boolean {
  // Shouting needs at least 10 capitals (80% of at least 12 letters): most messages stop here.
  if (capitals(text) < 10) return false;
  const letters = text.replace(/https?:\/\/\S+/g, "").replace(/[^A-Za-z]/g, "");
  if (letters.length < 12) return false;
  const upper = letters.replace(/[^A-Z]/g, "").length;
  const words = text.split(/\s+/).filter((w) => /[A-Z]{2,}/.test(w));
  return upper / letters.length >= 0.8 && words.length >= 3;
}

function capitals(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) n++;
  }
  return n;
}

export function readTone(text: string, settings: ToneSettings = DEFAULT_TONE): ToneReading {
  const reasons: string[] = [];
  const score = lexiconScore(text);
  const insult = INSULT_RE.exec(text);
  const shouting = isShouting(text);
  const marks = /!{3,}|\?{3,}|[!?]{4,}/.test(text);
  // An insult counts when aimed at someone ("you", or a strongly negative message overall).
  if (insult && (YOU_RE.test(text) || score <= settings.harshScore)) reasons.push("a word that can hurt");
  if (shouting && (marks || score < 0)) reasons.push("all capitals");
  if (marks && score <= -2) reasons.push("a burst of !!! or ???");
  if (score <= settings.harshScore) reasons.push("strongly negative words");
  return { harsh: reasons.length > 0, reasons };
}
