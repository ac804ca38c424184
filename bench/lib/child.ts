/**
 * Runs one measurement in its own Node process, so that subject and baseline never share a heap, a
 * JIT or a page cache for the database. The worker talks back over the IPC channel (see
 * bench/workers/ipc.ts): progress messages while it runs, then exactly one result.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface WorkerMessage {
  kind: string;
  [key: string]: unknown;
}

export interface RunWorkerOptions {
  /** Extra node flags, e.g. `--expose-gc` or `--cpu-prof`. */
  nodeFlags?: string[];
  env?: Record<string, string>;
  /** Called with each progress message. */
  onMessage?(message: WorkerMessage): void;
  /** Kill the worker if it has not reported by then (a benchmark must never hang the run). */
  timeoutMs?: number;
}

const WORKERS = fileURLToPath(new URL("../workers/", import.meta.url));

/** Forks `bench/workers/<name>.ts` with `args` and resolves with its result message. */
export function runWorker<T>(name: string, args: string[], options: RunWorkerOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(`${WORKERS}${name}.ts`, args, {
      execArgv: ["--import", "tsx", ...(options.nodeFlags ?? [])],
      env: { ...process.env, LOG_LEVEL: "warn", ...options.env },
      // Worker stderr is passed through: a crash should be visible, not swallowed.
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    let result: T | undefined;
    const timer = setTimeout(
      () => {
        child.kill("SIGKILL");
        reject(new Error(`bench worker ${name} timed out after ${options.timeoutMs} ms`));
      },
      options.timeoutMs ?? 10 * 60_000,
    );
    child.on("message", (m: WorkerMessage) => {
      if (m.kind === "result") result = m as unknown as T;
      else options.onMessage?.(m);
    });
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (result !== undefined && code === 0) resolve(result);
      else reject(new Error(`bench worker ${name} ${args.join(" ")} exited with ${signal ?? code}`));
    });
  });
}

export interface LongRunningWorker {
  /** The worker's "ready" message (e.g. the port it listens on). */
  ready: WorkerMessage;
  /** Asks the worker to finish (SIGTERM) and resolves with its result message. */
  stop<T>(): Promise<T>;
  /** Sends `{kind}` and resolves with the worker's next message of that kind. */
  ask(kind: string): Promise<WorkerMessage>;
}

/** Forks a server-like worker and resolves once it has sent `{kind: "ready"}`. */
export function startWorker(
  name: string,
  args: string[],
  options: RunWorkerOptions = {},
): Promise<LongRunningWorker> {
  return new Promise((resolve, reject) => {
    const child = fork(`${WORKERS}${name}.ts`, args, {
      execArgv: ["--import", "tsx", ...(options.nodeFlags ?? [])],
      env: { ...process.env, LOG_LEVEL: "warn", ...options.env },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    let result: unknown;
    const answers = new Map<string, (m: WorkerMessage) => void>();
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bench worker ${name} was not ready after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on("message", (m: WorkerMessage) => {
      if (m.kind === "ready") {
        clearTimeout(timer);
        resolve({
          ready: m,
          stop: async <T>() => {
            child.kill("SIGTERM");
            const code = await exited;
            if (code !== 0 || result === undefined)
              throw new Error(`bench worker ${name} exited with ${code}`);
            return result as T;
          },
          ask: (kind) =>
            new Promise((answered) => {
              answers.set(kind, answered);
              child.send({ kind });
            }),
        });
      } else if (m.kind === "result") result = m;
      else if (answers.has(m.kind)) {
        answers.get(m.kind)!(m);
        answers.delete(m.kind);
      } else options.onMessage?.(m);
    });
    child.on("error", reject);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bench worker ${name} exited with ${code} before it was ready`));
    });
  });
}
