/** A one-line progress counter for long runs: shown on a terminal, silent when stderr is piped. */
export class Progress {
  private readonly enabled: boolean;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly unit: string,
  ) {
    this.enabled = Boolean(stream.isTTY);
  }

  update(count: number, total?: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const rate = Math.round(count / Math.max(0.001, (now - this.started) / 1000));
    const of = total ? ` of ${total.toLocaleString("en")}` : "";
    this.stream.write(
      `\r${count.toLocaleString("en")}${of} ${this.unit} (${rate.toLocaleString("en")}/s)   `,
    );
  }

  clear(): void {
    if (this.enabled) this.stream.write("\r\x1b[K");
  }

  done(count: number): void {
    if (!this.enabled) return;
    this.clear();
    const secs = (Date.now() - this.started) / 1000;
    this.stream.write(`${count.toLocaleString("en")} ${this.unit} in ${secs.toFixed(1)} s\n`);
  }
}
