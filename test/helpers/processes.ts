/** Runs one of our entry points as a real process, the way a user or CI would. */
import { spawn } from "node:child_process";
import { createServer } from "node:net";

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// As `npm start` runs the bot: node with tsx as a loader. The tsx command itself relays SIGTERM and
// SIGKILLs the process when it does not answer within 30 ms, which a busy machine misses.
const NODE_WITH_TSX = [process.execPath, "--import", "tsx"] as const;

export function runEntry(
  entry: string,
  args: string[] = [],
  options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const [node, ...loader] = NODE_WITH_TSX;
    const child = spawn(node, [...loader, entry, ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        LOG_LEVEL: "warn",
        ...options.env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A TCP port free on 127.0.0.1 right now (for settings that refuse port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface BotProcess {
  /** The npm (or node) process's id: what a process manager would signal. */
  pid: number;
  /** http://127.0.0.1:PORT, where the bot serves Slack's requests and /readyz. */
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string | null>;
  signal(signal: NodeJS.Signals): void;
}

/**
 * Starts the bot as an operator would: `npm start` (with `via: "npm"`), or `node --import tsx
 * src/main.ts`, with `env` on top of a bare environment; resolves once /readyz on PORT answers.
 */
export async function startBotProcess(
  env: Record<string, string>,
  options: { via?: "npm" | "node"; timeoutMs?: number } = {},
): Promise<BotProcess> {
  const port = env.PORT ?? String(await freePort());
  const [node, ...loader] = NODE_WITH_TSX;
  const [command, args] =
    options.via === "npm" ? ["npm", ["start", "--silent"]] : [node, [...loader, "src/main.ts"]];
  const child = spawn(command, args, {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      PORT: port,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.on("close", (code, signal) => resolve(code ?? signal)),
  );
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + (options.timeoutMs ?? 60_000);
  while (!(await fetch(`${url}/readyz`).catch(() => undefined))) {
    if (ended || Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`the bot did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    url,
    output: () => output,
    exited,
    signal: (signal) => child.kill(signal),
  };
}

/** Polls `check` every 50 ms until it holds; fails after `timeoutMs` with `context()` in the message. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  context: () => string = () => "",
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting\n${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
