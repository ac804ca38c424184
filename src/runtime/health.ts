/**
 * GET /healthz (the process is up), /readyz (database reachable, platforms connected, scheduler alive)
 * and /metrics (Prometheus). The routes plug into Bolt's HTTP receiver in Slack HTTP mode, or run on
 * their own small server (Socket Mode, Matrix) via `startHealthServer`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { OutloudMetrics } from "./metrics.js";

/** One readiness check: a name and whether it currently holds. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean> | boolean;
}

export interface HealthRoute {
  path: string;
  method: string;
  handler(req: IncomingMessage, res: ServerResponse): void;
}

export function healthRoutes(deps: { metrics: OutloudMetrics; checks: ReadinessCheck[] }): HealthRoute[] {
  return [
    {
      path: "/healthz",
      method: "GET",
      handler: (_req, res) => send(res, 200, "application/json", JSON.stringify({ status: "ok" })),
    },
    {
      path: "/readyz",
      method: "GET",
      handler: (_req, res) => {
        void readiness(deps.checks).then((result) =>
          send(res, result.ready ? 200 : 503, "application/json", JSON.stringify(result)),
        );
      },
    },
    {
      path: "/metrics",
      method: "GET",
      handler: (_req, res) => {
        deps.metrics.registry
          .metrics()
          .then((text) => send(res, 200, deps.metrics.registry.contentType, text))
          .catch(() => send(res, 500, "text/plain", "metrics unavailable\n"));
      },
    },
  ];
}

export async function readiness(
  checks: ReadinessCheck[],
): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  const results: Record<string, boolean> = {};
  for (const c of checks) {
    try {
      results[c.name] = await c.check();
    } catch {
      results[c.name] = false;
    }
  }
  return { ready: Object.values(results).every(Boolean), checks: results };
}

export interface RunningHealthServer {
  port: number;
  close(): Promise<void>;
}

/** Serves the health routes alone, e.g. on HEALTH_PORT when no Slack HTTP receiver is running. */
export async function startHealthServer(
  routes: HealthRoute[],
  port: number,
  host?: string,
): Promise<RunningHealthServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = routes.find((r) => r.path === path && r.method === req.method);
    if (route) route.handler(req, res);
    else send(res, 404, "text/plain", "not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type }).end(body);
}
