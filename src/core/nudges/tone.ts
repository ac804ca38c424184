/**
 * The tone detector of the be-kind nudge, also used to tell when a thread turns heated. Pure.
 *
 * Harsh means harshness aimed at people or their work, not negative words: technical chat is full of
 * "error", "fail", "crash", "kill", "dead", "dummy", "mock", "abort", "panic", "zombie", "master/slave",
 * and none of that counts. A message reads harsh when it has
 * - swearing (it reads harsh to everyone in the room, whoever it is aimed at), unless it is at oneself
 *   ("damn, I forgot the changelog", "crap, sorry"): that is a person telling on themselves, not harshness;
 *   swearing near "it" or "that" is not aimed at it ("damn it, I missed that"), only said of it ("this is crap"), or
 * - contempt (an insult or a sneering word: "stupid", "garbage", "ugly", "sucks") with a target in the
 *   same sentence: "you", "your …", a mention, "this code/PR/patch", "whoever wrote this", or
 * - dismissive phrasing that is aimed at the reader by itself ("RTFM", "did you even read", "obviously
 *   you …", "who wrote this garbage"), or
 * - shouting in capitals with a target or a burst of `!!!`.
 *
 * Hand-made lists, weighed against the `obscenity` package on labelled code review (see docs/nudges.md):
 * its leetspeak matching reads "FK" (foreign key), "fsck" and "Google-fu" as the f-word, which is the
 * technical false alarm this detector exists to avoid.
 */

/**
 * When swearing counts without a target: `any` (a team that wants a clean channel; swearing at
 * oneself never counts), `strong` (only the strongest words stand alone) or `aimed` (only swearing
 * at someone or their work: "damn you", "this crap").
 */
export const SWEARING_MODES = ["any", "strong", "aimed"] as const;
export type SwearingMode = (typeof SWEARING_MODES)[number];

export interface ToneSettings {
  swearing: SwearingMode;
}

export const DEFAULT_TONE: ToneSettings = { swearing: "any" };

export interface ToneReading {
  harsh: boolean;
  /** Why, in a few words, for the nudge's one-line reason. */
  reasons: string[];
}

/** Builds a whole-word, case-insensitive pattern from alternatives (already regex source). */
function words(alternatives: readonly string[]): RegExp {
  return new RegExp(`(?<![\\w-])(?:${alternatives.join("|")})(?![\\w-])`, "i");
}

// Strong profanity: read harsh by most people whoever it is aimed at. Stars and a digit stand in
// for letters ("f***ing", "sh1t").
const STRONG_PROFANITY = words([
  "f[u*@#]+c?k\\w*",
  "f\\*{2,}\\w*",
  "fck\\w*",
  "fuk\\w*",
  "motherf\\w*",
  "(?:bull|horse|dip)?sh[i1!*]t\\w*",
  "sh\\*t\\w*",
  "bitch(?!x)\\w*", // BitchX is an IRC client
  "bastard\\w*",
  "ass(?:hole|holes|hat)",
  "arsehole",
  "dickhead",
  "cunt\\w*",
]);

// All swearing, mild included ("damn", "crap", "wtf", "hell").
const PROFANITY = words([
  STRONG_PROFANITY.source,
  "ass",
  "arse",
  "dick",
  "piss(?:ed|ing)?(?: off)?",
  "wtf",
  "stfu",
  "(?:god)?dam(?:n|mit|nit|ned)",
  "crap(?:py|ola)?",
  "screw you",
  // "screw this!" swears; "if you screw that file up" is a verb.
  "screw (?:this|that|it)(?= *(?:[.!?,;:)]|$))",
  "hell",
]);

// Sneering at people or their work: harsh when aimed at the reader, a person, or the work in hand
// ("this is ugly", "your patch sucks").
const CONTEMPT = words([
  "yuc?k",
  "disgusting",
  "horrible",
  "horrid",
  "awful",
  "atrocious",
  "abomination",
  "rubbish",
  "ridiculous",
  "ludicrous",
  "kill (?:it|this|that) with fire",
  // A verb of contempt: its subject is the target ("this API sucks"); "I suck at …" is disarmed below.
  "suck(?:s|ed|y)?(?! (?:out|in|up|down|into)\\b)",
]);

// Insults: harsh when aimed at a person. Words that double as plain technical terms ("a useless
// check", "garbage collected", "a dumb pipe", "lazy loading", "a silly mistake") are left out: next
// to "you" they are still advice ("you can make it lazy"), not an insult.
const INSULT = words([
  "idiot\\w*",
  "moron\\w*",
  "imbecil\\w*",
  "stupid\\w*",
  "dumbass\\w*",
  "retard\\w*",
  "brain[- ]?dead",
  "clueless",
  "incompetent",
  "pathetic",
  "worthless",
  "jerks?",
  "shut up",
]);

// Who an insult is aimed at: the reader or another person (a mention counts too).
const PERSON = words([
  "you",
  "your",
  "yours",
  "yourself",
  "you're",
  "youre",
  "you've",
  "you'd",
  "ya",
  "u",
  "ur",
  "y'all",
  "he",
  "she",
  "him",
  "her",
  "whoever",
  "who wrote",
  "who (?:the hell )?thought",
  "guys",
  "people",
  "folks",
  "(?:the )?author",
]);
const MENTION = /(?:^|\s)@[\w.|-]+|<@[\w|.-]+>/;

// Words that point at the work in hand ("this", "it"): a target of contempt anywhere near it ("this
// naming sucks"), but of swearing only when the oath is said of it (see SWEARING_AT_WORK).
const POINTER = words(["this", "that", "these", "those", "it", "it's", "its", "that's"]);

// The work itself, or how it looks: a target near any harsh word ("the code is crap", "looks like shit").
const WORK = words([
  "looks",
  "seems",
  "code",
  "patch",
  "pr",
  "change",
  "commit",
  "design",
  "implementation",
  "approach",
  "api",
  "function",
  "method",
  "class",
  "test",
  "name",
]);

// Phrasing that talks down to the reader whatever the words around it.
const DISMISSIVE = words([
  "rtfm",
  "lmgtfy",
  "read the (?:f\\w*ing|damn|bloody) (?:manual|docs|documentation)",
  "did you (?:even|actually|ever) (?:read|look|test|try|bother|check|run|think|compile)",
  "do you (?:even|actually) (?:read|know|understand|test|care)",
  "have you (?:even|actually) (?:read|looked|tested|tried|bothered)",
  "(?:obviously|clearly) you (?:don't|didn't|do not|did not|can't|haven't|never)",
  "(?:as )?i (?:already|just) (?:said|told you)",
  "how many times (?:do|have|must|should) (?:i|we) (?:have to )?(?:say|tell|explain|repeat)",
  "for the (?:last|hundredth|\\d+th) time",
  "who (?:the hell )?wrote this",
  "what were you thinking",
  "are you (?:kidding|serious|joking|insane|crazy|blind)",
  "use your (?:brain|head|eyes)",
  "learn to read",
  "go read",
  "grow up",
  "nobody cares",
  "not my problem",
  "do your (?:own )?homework",
  "you (?:clearly|obviously) (?:don't|do not|didn't|have no)",
  "you have no (?:idea|clue)",
  "(?:i )?hate you",
  "(?:screw|f\\*+k?|fuck|damn) (?:you|yourself|off)",
  "piss off",
]);

// Softeners that turn a contempt word into a kind or self-deprecating remark.
const DISARMED = words([
  "not (?:a |so |that |too |at all )?(?:stupid|dumb|silly|ugly|useless|terrible|horrible|awful|lame)",
  "no (?:such thing as a )?(?:stupid|dumb|silly) questions?",
  "(?:stupid|dumb|silly) (?:question|me|mistake of mine)",
  "(?:stupid|dumb|silly) of me",
  "my (?:bad|fault|mistake)",
  "(?:stupid|dumb|silly) (?:people|guys|folks) (?:like|as) me",
  "i (?:\\w+ )?suck",
  // Praise: "mplayer kicks ass" is a compliment.
  "(?:kick(?:s|ed|ing)?|kicked) (?:some )?ass",
  "badass",
  // The oath may be starred out: "f*****g amazing", "f**king brilliant".
  "(?:damn|damned|bloody|fuckin[g']?|f[u*][*ck]*(?:in[g']?|g)) (?:good|great|cool|nice|fine|right|well|fast|sure|straight|awesome|beautiful|impressive|amazing|brilliant|excellent|fantastic|wonderful|incredible|superb)",
  "(?:hell|fuck|fuckin|fucking|damn) (?:yeah|yes|yea)",
  // Technical idioms: "dependency hell" names a problem, not a person.
  "(?:dependency|callback|dll|jar|merge|rebase|config(?:uration)?|version|import|package|npm|yaml) hell",
]);

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

const UNWELCOME_HINT = /welcome|allowed|tolerated|acceptable|banned|forbidden|offensive|rude/i;
// Two or more words in a list, then what the room thinks of them.
const UNWELCOME_LIST =
  /(?:[\w'*-]+(?:\s*,\s*(?:(?:or|and|nor)\s+)?|\s+(?:or|and|nor)\s+))+[\w'*-]+\s+(?:is|are)\s+(?:(?:\w+\s+)?(?:not|never)\s+(?:welcome|allowed|tolerated|acceptable|ok(?:ay)?)|(?:most\s+)?(?:unwelcome|banned|forbidden|offensive)|considered\s+(?:rude|offensive))/gi;

/**
 * What a reader sees as words: code (backticks, quoted lines, pasted logs) and links are not the
 * author speaking, so they are dropped before reading the tone.
 */
function prose(text: string): string {
  // Each pattern only where its first character occurs: most messages have no code, link or namespace.
  let spoken = text;
  if (spoken.includes("`")) spoken = spoken.replace(/```[\s\S]*?```/g, " ").replace(/`[^`\n]*`/g, " ");
  if (/[>$#/]/.test(spoken)) spoken = spoken.replace(/^\s*(?:>|\$|#|\/\/).*$/gm, " ");
  if (spoken.includes("://")) spoken = spoken.replace(/https?:\/\/\S+/g, " ");
  // A short quotation is a word mentioned, not used: 'forums push people to "RTFM"'.
  if (spoken.includes('"')) spoken = spoken.replace(/"[^"\n]{1,24}"/g, " ");
  // Words listed as unwelcome are mentioned, not used: "noob, jfgi, stfu, or rtfm are not welcome here".
  if (UNWELCOME_HINT.test(spoken)) spoken = spoken.replace(UNWELCOME_LIST, " ");
  if (spoken.includes("::")) spoken = spoken.replace(/\b\w+::\w*/g, " "); // C++ namespaces: WebKit's `WTF::String` is not an exclamation
  return spoken;
}

/** Mentioned names replaced by a neutral word: `@someone`, `<@someone>` and `someone:` still read as aimed. */
function withoutNames(text: string, names: readonly string[]): string {
  let out = text;
  for (const name of names) if (name.length >= 2) out = replaceWord(out, name, "someone");
  return out;
}

/**
 * Every `word` in `text` not inside a longer word (no \w either side) replaced by `by`, left to right as
 * a global regular expression would: 40% of chat messages mention someone, and building a RegExp for
 * each was a tenth of the tone check's time.
 */
function replaceWord(text: string, word: string, by: string): string {
  let at = text.indexOf(word);
  if (at < 0) return text;
  let out = "";
  let from = 0;
  while (at >= 0) {
    const end = at + word.length;
    if (!isWordChar(text.charCodeAt(at - 1)) && !isWordChar(text.charCodeAt(end))) {
      out += text.slice(from, at) + by;
      from = end;
      at = text.indexOf(word, end);
    } else at = text.indexOf(word, at + 1);
  }
  return from === 0 ? text : out + text.slice(from);
}

/** `\w` without the u flag: ASCII letters, digits and `_` (NaN, past either end, is not). */
function isWordChar(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
  );
}

/** Sentences, so that a target and a contempt word must stand together to count. */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?;])\s+|\n+|\s+-\s+/).filter((s) => s.trim() !== "");
}

// An insult counts only next to its target: "you idiot", "your stupid patch", "@bob is useless",
// "stupid people". Anywhere in the sentence is not enough ("you don't need this useless list").
const INSULT_AIMED = new RegExp(
  `(?:${PERSON.source}|${MENTION.source})(?:\\W+[\\w']+){0,3}?\\W+(?:${INSULT.source})|(?:${INSULT.source})\\W+(?:[\\w']+\\W+)?(?:people|guys|folks|person|developers?|reviewers?)\\b`,
  "i",
);

/** `harsh` with a target at most `gap` words before or after it, in either order. */
function near(target: RegExp, harsh: RegExp, gap: number): RegExp {
  const t = target.source;
  const h = harsh.source;
  const between = `(?:\\W+[\\w'*]+){0,${gap}}?\\W+`;
  return new RegExp(`(?:${t})${between}(?:${h})|(?:${h})${between}(?:${t})`, "i");
}

const AT_SOMEONE = new RegExp(`${PERSON.source}|${MENTION.source}|${WORK.source}`, "i");
// An oath is at the thing pointed at only when said of it: "this crap", "this is crap", "it's fucking
// broken", "fuck this", "wtf is this", "why the hell does it …". Near it is not at it: "damn it",
// "damnit, it won't boot", "damn, I missed that" swear at one's luck.
const SAID_OF =
  "(?:\\s+(?:is|was|are|were|be|looks?|seems?|sounds?|like|gets?|getting|just|really|so|such|pretty|quite|very|totally|utterly|absolutely|complete|total|plain|a|an|the|one|big|bit|kinda))*\\s+";
const ASKED_OF = "\\s+(?:is|was|are|were|does|did|do|has|have)\\s+";
const SWEARING_AT_WORK =
  `(?:${POINTER.source})${SAID_OF}(?:${PROFANITY.source})` +
  `|(?:${PROFANITY.source})(?:${ASKED_OF}|\\s+)(?:this|that|these|those)(?![\\w-])` +
  `|(?:the (?:hell|fuck|heck)|wtf)${ASKED_OF}(?:${POINTER.source})`;
const PROFANITY_AIMED = new RegExp(`${near(AT_SOMEONE, PROFANITY, 2).source}|${SWEARING_AT_WORK}`, "i");
// Contempt is a judgement of whatever it stands near: "this naming sucks", "it's pretty horrible".
const CONTEMPT_AIMED = near(new RegExp(`${AT_SOMEONE.source}|${POINTER.source}`, "i"), CONTEMPT, 3);

const DISARMED_ALL = new RegExp(DISARMED.source, "gi");

function disarmed(sentence: string): string {
  return sentence.replace(DISARMED_ALL, " ");
}

function contemptAimed(sentence: string): boolean {
  const cleaned = disarmed(sentence);
  return INSULT_AIMED.test(cleaned) || CONTEMPT_AIMED.test(cleaned);
}

/**
 * The aimed patterns each need a harsh word, and a sentence is a piece of the prose whose softeners
 * are blanked only between non-word characters (no new word can appear): prose without any harsh
 * word has no aimed one either, and most messages stop at this one cheap test.
 */
const ANY_HARSH_WORD = new RegExp(`${PROFANITY.source}|${CONTEMPT.source}|${INSULT.source}`, "i");

// The speaker owning up: "damn, I forgot", "crap, sorry", "my laptop crashed again, shit".
const SPEAKER = words([
  "i",
  "i'm",
  "im",
  "i've",
  "ive",
  "i'd",
  "i'll",
  "me",
  "my",
  "myself",
  "sorry",
  "oops",
  "d'oh",
]);
const SOMEONE_ELSE = new RegExp(`${PERSON.source}|${MENTION.source}`, "i");

/**
 * Swearing at oneself or one's own luck: the sentence speaks of the speaker and of nobody else.
 * Not a hint's business: nobody is hurt by "damn, I meant to fix that".
 */
function atOneself(sentence: string): boolean {
  return SPEAKER.test(sentence) && !SOMEONE_ELSE.test(sentence);
}

/** Swearing that counts without a target in this mode (never at oneself). */
function swearsAlone(sentence: string, alone: RegExp | undefined): boolean {
  return alone?.test(disarmed(sentence)) === true && !atOneself(sentence);
}

// A burst needs "!": "???" alone is a question, however many.
const BURST = /!{2,}|\?!|!\?/;
// A request in capitals is caps lock, not shouting: "CAN YOU HELP ME …", "DO YOU SPEAK SPANISH?".
// "WHY DID YOU …" still shouts.
const ASKS =
  /^\W*(?:[\w.|-]+[:,]\s*)?(?:can|could|would|will|do|does|is|are|any ?(?:one|body)|some ?(?:one|body)|how|where|which|please|pl[sz])\b|\bhelp me\b|\bneed help\b/i;

/**
 * Reads a message's tone. `names` are people it mentions: their names are not the author's words
 * (IRC has people called "shite" and "fucko").
 */
export function readTone(
  text: string,
  settings: ToneSettings = DEFAULT_TONE,
  names: readonly string[] = [],
): ToneReading {
  const reasons: string[] = [];
  const spoken = withoutNames(prose(text), names);
  if (ANY_HARSH_WORD.test(spoken)) {
    const parts = sentences(spoken);
    const alone = { any: PROFANITY, strong: STRONG_PROFANITY, aimed: undefined }[settings.swearing];
    if (parts.some((p) => swearsAlone(p, alone) || PROFANITY_AIMED.test(disarmed(p))))
      reasons.push("swearing");
    if (parts.some(contemptAimed)) reasons.push("a word that can hurt");
  }
  if (DISMISSIVE.test(spoken)) reasons.push("a dismissive phrase");
  if (isShouting(spoken) && (BURST.test(spoken) || (PERSON.test(spoken) && !ASKS.test(spoken))))
    reasons.push("all capitals");
  return { harsh: reasons.length > 0, reasons };
}
