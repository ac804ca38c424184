/**
 * Splits a command line into words. Double quotes group words ("release train"); adapters have
 * already turned platform mentions into `@id` words, so a mention is one word.
 */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (const m of line.matchAll(re)) {
    words.push(m[1] ?? m[2] ?? "");
  }
  return words;
}

/** `@alice` → `alice`; anything else → undefined. */
export function mentionName(word: string): string | undefined {
  return word.startsWith("@") && word.length > 1 ? word.slice(1) : undefined;
}
