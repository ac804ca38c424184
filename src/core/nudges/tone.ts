/**
 * The tone detector of the be-kind nudge, also used to tell when a thread turns heated. Pure: a
 * sentiment lexicon (AFINN, through the `sentiment` package) plus rules for what the lexicon misses:
 * shouting in capitals, `!!!`/`???`, and insults aimed at a person.
 */
import Sentiment from "sentiment";

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

const analyzer = new Sentiment();

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
  const letters = text.replace(/https?:\/\/\S+/g, "").replace(/[^A-Za-z]/g, "");
  if (letters.length < 12) return false;
  const upper = letters.replace(/[^A-Z]/g, "").length;
  const words = text.split(/\s+/).filter((w) => /[A-Z]{2,}/.test(w));
  return upper / letters.length >= 0.8 && words.length >= 3;
}

export function readTone(text: string, settings: ToneSettings = DEFAULT_TONE): ToneReading {
  const reasons: string[] = [];
  const { score } = analyzer.analyze(text);
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
