/**
 * Progress on stderr: a redrawn line on a terminal, nothing at all when stderr is piped (CI logs and
 * `npm run bench > out.txt` stay clean; the table on stdout is the output).
 */
export class Status {
  private readonly enabled: boolean;
  private lastDraw = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = Boolean(stream.isTTY);
  }

  /** Replaces the current line (at most every 100 ms unless `force`). */
  show(text: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = (this.stream.columns ?? 100) - 1;
    this.stream.write(`\r\x1b[K${text.slice(0, width)}`);
  }

  /** Prints a line that stays (a finished step), terminal only. */
  log(text: string): void {
    if (!this.enabled) return;
    this.stream.write(`\r\x1b[K${text}\n`);
  }

  clear(): void {
    if (this.enabled) this.stream.write("\r\x1b[K");
  }
}
