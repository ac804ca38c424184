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
