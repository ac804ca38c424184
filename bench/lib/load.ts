/**
 * An open-loop load generator at a fixed offered rate: request i is due at start + i/rate whatever
 * happened to the earlier ones, as Slack delivers events whether or not we kept up. Latency is
 * measured from when a request was DUE, not when it was sent, so a generator or server falling
 * behind shows up in the figures instead of silently lowering the rate (coordinated omission).
 * Loopback only; every step is bounded in time.
 */
import { Agent, request } from "node:http";
import { percentileOfSorted } from "./stats.js";

export interface LoadRequest {
  /** Where this request goes, when not to the step's `port` (e.g. one of several replicas). */
  port?: number;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface StepResult {
  offeredRate: number;
  sent: number;
  ok: number;
  /** Non-2xx answers, socket errors and timeouts. */
  failed: number;
  /** The failures by HTTP status ("0" for a socket error or a timeout). */
  failedBy: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How far behind schedule the generator itself was at worst (large = generator-bound). */
  maxSendLagMs: number;
}

export interface StepOptions {
  port: number;
  rate: number;
  durationMs: number;
  /** Builds request number i (built before the step starts so building costs nothing in it). */
  build(i: number): LoadRequest;
  /** A request not answered by then counts as failed. */
  timeoutMs?: number;
  /** Called with each request's number and HTTP status (0 for a socket error or a timeout). */
  onAnswer?(i: number, status: number): void;
}

/**
 * Idle sockets are dropped after 4 s, before the servers' own keep-alive timeout (Node's default, 5 s)
 * closes them: a request sent on a socket the server is closing at that moment fails with a reset, and
 * a server whose turn comes after the other's step and settling would lose a request to it.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 512, timeout: 4000 });

/** Offers `rate` requests a second for `durationMs`, then waits (bounded) for the answers. */
export async function runStep(options: StepOptions): Promise<StepResult> {
  const { rate, durationMs, port } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const requests = Array.from({ length: total }, (_, i) => options.build(i));
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const failedBy: Record<string, number> = {};
  let maxSendLagMs = 0;
  const pending: Promise<void>[] = [];

  const start = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / rate <= now) {
        const due = start + (next * 1000) / rate;
        const i = next;
        const r = requests[i]!;
        maxSendLagMs = Math.max(maxSendLagMs, now - due);
        pending.push(
          send(r.port ?? port, r, timeoutMs).then((status) => {
            options.onAnswer?.(i, status);
            if (status >= 200 && status < 300) {
              ok++;
              latencies.push(performance.now() - due);
            } else {
              failed++;
              failedBy[status] = (failedBy[status] ?? 0) + 1;
            }
          }),
        );
        next++;
      }
      if (next >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(5, start + (next * 1000) / rate - performance.now())));
    };
    tick();
  });
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return {
    offeredRate: rate,
    sent: total,
    ok,
    failed,
    failedBy,
    p50Ms: percentileOfSorted(latencies, 50),
    p99Ms: percentileOfSorted(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    maxSendLagMs,
  };
}

/** Resolves with the HTTP status, or 0 for a socket error or a timeout; never rejects. */
function send(port: number, r: LoadRequest, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: r.path,
        agent,
        headers: { ...r.headers, "content-length": Buffer.byteLength(r.body) },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      },
    );
    req.on("timeout", () => {
      req.destroy();
    });
    req.on("error", () => resolve(0));
    req.end(r.body);
  });
}

/** Drops idle keep-alive sockets between servers, so one server's connections never reach the next. */
export function resetConnections(): void {
  agent.destroy();
}
