/**
 * How a command is spelled where the person reads about it: `/rota resume` on Slack and in the
 * playground, `!rota resume` on Matrix. The runtime makes one per platform; every text of the core
 * that names a command asks it, so a hint is always something the reader can type right there.
 */
export class CommandSpelling {
  constructor(
    /** `/`, or the configured Matrix prefix (`!` by default). */
    readonly prefix: string,
  ) {}

  /** `spell("rota resume")` → `/rota resume` (or `!rota resume`). */
  spell(words: string): string {
    return `${this.prefix}${words}`;
  }
}
