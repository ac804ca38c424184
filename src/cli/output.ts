/**
 * Line output that respects back-pressure: lines are batched, and the producer waits for a slow pipe
 * to drain (`waitIfBusy`), so memory does not grow with the output's length.
 */
export class OutputWriter {
  private buffer: string[] = [];

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly batch = 512,
  ) {}

  write(line: string): void {
    this.buffer.push(line);
  }

  /** Writes out a full batch, waiting if the stream is saturated. */
  async waitIfBusy(): Promise<void> {
    if (this.buffer.length >= this.batch) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = `${this.buffer.join("\n")}\n`;
    this.buffer = [];
    if (!this.stream.write(chunk))
      await new Promise<void>((resolve) => this.stream.once("drain", () => resolve()));
  }
}
