/** The worker side of bench/lib/child.ts: messages to the parent over the IPC channel. */

export function send(message: { kind: string; [key: string]: unknown }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      // Run by hand (not forked): print instead, so a worker can be tried on its own.
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
      return;
    }
    process.send(message, undefined, {}, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

/** Reports the result and exits once the message is out. */
export async function finish(result: Record<string, unknown>): Promise<never> {
  await send({ kind: "result", ...result });
  process.exit(0);
}

/** Throttled progress: at most a few messages a second, whatever the caller's loop rate. */
export function progressReporter(total?: number): (done: number) => void {
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (now - last < 250) return;
    last = now;
    void send({ kind: "progress", done, total });
  };
}

/** `--name value` options of a worker's argv. */
export function option(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Answers the parent's `{kind: "cpu"}` with this process's CPU time so far, in milliseconds. */
export function answerCpuQueries(): void {
  process.on("message", (m: { kind?: string }) => {
    if (m.kind !== "cpu") return;
    const { user, system } = process.cpuUsage();
    void send({ kind: "cpu", ms: (user + system) / 1000 });
  });
}
