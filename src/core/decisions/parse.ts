/**
 * The `/decision` grammar, as pure parsers (unit-tested) used by the command table entries in commands.ts:
 *   /decision <text> · list [#room] [since 2026-10-01] · search <words> · show D-12
 *   supersede D-12 <new text> · export D-12 · undo D-12
 */
import { ok, type Parsed, problem } from "../commands/command.js";
import { parseDecisionId } from "./model.js";

export interface ListArgs {
  /** `#team`, `~ops` or a room id, as typed. */
  room?: string;
  since?: Date;
}

export function parseList(words: readonly string[]): Parsed<ListArgs> {
  const args: ListArgs = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.toLowerCase() === "since") {
      const date = parseDate(words[i + 1]);
      if (!date) return problem("since needs a date like 2026-10-01");
      args.since = date;
      i++;
    } else if (/^[#~][^\s#~]+$/.test(word) && !args.room) {
      args.room = word;
    } else {
      return problem(`unexpected "${word}"`);
    }
  }
  return ok(args);
}

/** `2026-10-01` → midnight UTC of that day; anything else → undefined. */
export function parseDate(word: string | undefined): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(word ?? "");
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // Date.UTC rolls 2026-02-30 over into March: a real date survives the round trip.
  return date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]) ? date : undefined;
}

export function parseOneId(words: readonly string[]): Parsed<{ number: number }> {
  if (words.length === 0) return problem("which decision? Give its id, like D-12");
  const number = parseDecisionId(words[0]!);
  if (number === undefined) return problem(`"${words[0]}" is not a decision id like D-12`);
  if (words.length > 1) return problem(`unexpected "${words.slice(1).join(" ")}"`);
  return ok({ number });
}

export function parseSupersede(words: readonly string[]): Parsed<{ number: number }> {
  const id = parseOneId(words.slice(0, 1));
  if (!id.ok) return id;
  if (words.length < 2) return problem("say what the new decision is, after its id");
  return ok(id.value);
}

export function parseWords(words: readonly string[]): Parsed<{ words: string }> {
  return words.length === 0 ? problem("search for what? Give a few words") : ok({ words: words.join(" ") });
}

/** The text after the first `n` words of a command line, spacing and quotes kept as typed. */
export function textAfterWords(line: string, n: number): string {
  let rest = line.trim();
  for (let i = 0; i < n; i++) rest = rest.replace(/^\S+\s*/, "");
  return rest.trim();
}
