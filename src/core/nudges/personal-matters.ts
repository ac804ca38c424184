/**
 * Matters that belong in a DM: the "ask it in the open" nudge must never suggest publishing them.
 * Pure. Each class is matched by phrases that name the personal matter itself, not by words that
 * double as technical terms ("health check", "parent commit", "leave the flag on", "payment api",
 * "query performance", "primary key"): a refused nudge costs little, a published secret a lot.
 */

export const PERSONAL_MATTERS = [
  "health",
  "family",
  "leave",
  "feelings",
  "pay",
  "performance",
  "hr",
  "credential",
] as const;
export type PersonalMatter = (typeof PERSONAL_MATTERS)[number];

function phrases(alternatives: readonly string[]): RegExp {
  return new RegExp(`(?<![\\w-])(?:${alternatives.join("|")})(?![\\w-])`, "i");
}

const MATTERS: Record<PersonalMatter, RegExp> = {
  health: phrases([
    "doctor'?s?",
    "dentist'?s?",
    "hospital\\w*",
    "clinic",
    "surgery",
    "therap(?:y|ist)",
    "medicat\\w*",
    "medical",
    "diagnos\\w+",
    "sick",
    "ill",
    "illness",
    "unwell",
    "injur\\w+",
    "pregnan\\w+",
    "covid",
    "flu",
    "migraine",
    "burn(?:ed|t)? ?out",
    "mental health",
    "my health",
    "health (?:issue|problem|insurance|reasons?)",
  ]),
  family: phrases([
    "my (?:wife|husband|partner|kids?|son|daughter|mom|mum|dad|mother|father|parents|baby|family|brother|sister|grand\\w+)",
    "family (?:emergency|reasons|matters?|issue)",
    "childcare",
    "day ?care",
    "babysitt\\w*",
    "funeral",
    "divorce",
    "passed away",
  ]),
  leave: phrases([
    "(?:annual|sick|parental|maternity|paternity|unpaid|compassionate|bereavement|medical) leave",
    "on leave",
    "leave (?:request|days?)",
    "days? off",
    "time off",
    "pto",
    "cover for me",
    "take (?:the|a|tomorrow|today|monday|tuesday|wednesday|thursday|friday|next \\w+) (?:day |afternoon |morning )?off",
    "(?:be )?out of (?:the )?office",
    "personal day",
  ]),
  feelings: phrases([
    "are you (?:ok|okay|alright|all right)",
    "you (?:seemed|seem|looked|look|sounded|sound) (?:upset|sad|down|angry|stressed|off|tired|frustrated)",
    "upset",
    "stressed(?: out)?",
    "anxious",
    "anxiety",
    "overwhelmed",
    "depress\\w+",
    "lonely",
    "crying",
    "hurt(?:s)? my feelings",
    "(?:i'?m|i am|i feel|feeling) (?:sad|down|low|awful|terrible|miserable|lost|hopeless|burnt out)",
    "worried about you",
  ]),
  pay: phrases([
    "salar(?:y|ies)",
    "pay ?(?:rise|raise|slip|check|cut|grade|band)s?",
    "(?:a|my|your) raise",
    "bonus(?:es)?",
    "compensation",
    "paycheque",
    "wages?",
    "stock options",
    "my equity",
    "expenses? claim",
  ]),
  performance: phrases([
    "performance (?:review|improvement|evaluation|appraisal|rating|plan|conversation|issue)s?",
    "(?:my|his|her|their|your) performance",
    "perf review",
    "underperform\\w*",
    "(?:get|got|getting|be|been|being) (?:fired|let go|sacked)",
    "lay ?offs?",
    "laid off",
    "probation",
    "(?:my|a|your|his|her|their) promotion",
    "promoted to (?:senior|lead|staff|principal|manager)",
  ]),
  hr: phrases([
    "human resources",
    "harass\\w*",
    "discriminat\\w*",
    "bull(?:y|ied|ying)",
    "grievance",
    "disciplinary",
    "resign\\w*",
    "(?:quit|quitting) (?:my|the) job",
    "notice period",
  ]),
  credential: phrases([
    "pass(?:word|wd|phrase|code)s?",
    "pwd",
    "credentials?",
    "creds",
    "secrets?",
    "(?:api|secret|private|access|ssh|gpg|pgp|signing|encryption|license|licence|deploy|master) keys?",
    "(?:auth|access|bearer|api|refresh|session|personal access|github|slack|bot) tokens?",
    "token",
    "login details",
    "2fa|mfa|otp|one-time (?:code|password)",
    "pin code",
  ]),
};

// Things that look like a credential whatever the words around them.
const CREDENTIAL_SHAPES = [
  /\bxox[abposr]-[\w-]{10,}/, // Slack tokens
  /\bgh[pousr]_[A-Za-z0-9]{20,}/, // GitHub tokens
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key ids
  /\bsk-[A-Za-z0-9_-]{20,}/, // API secret keys in the common `sk-` form
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b(?:syt|mct)_[A-Za-z0-9_]{20,}/, // Matrix access tokens
  /:\/\/[^\s/:@]+:[^\s/@]+@/, // a URL with user:password@
];

// Talking to HR, with HR in capitals: "hr" in lower case is also an hour.
const TO_HR =
  /\b(?:[Tt]alk|[Ss]peak|[Gg]o|[Ww]ent|[Rr]eport\w*|[Cc]omplain\w*|[Ee]scalat\w*)(?: this| it)? to HR\b|\bHR (?:complaint|case|issue|meeting|investigation)/;

// A performance improvement plan, in capitals: `pip` in lower case installs Python packages.
const ON_A_PIP = /\b(?:on|a|the|my|his|her) PIP\b/;

/** The personal or secret matter a message is about, if any. */
export function personalMatterOf(text: string): PersonalMatter | undefined {
  if (CREDENTIAL_SHAPES.some((shape) => shape.test(text))) return "credential";
  if (TO_HR.test(text)) return "hr";
  if (ON_A_PIP.test(text)) return "performance";
  return PERSONAL_MATTERS.find((matter) => MATTERS[matter].test(text));
}
