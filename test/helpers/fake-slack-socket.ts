/**
 * FakeSlackSocketMode: a WebSocket server on 127.0.0.1 speaking Slack's Socket Mode envelope protocol.
 * The real SocketModeClient gets its URL from FakeSlackApi's `apps.connections.open`, connects, receives
 * `hello`, then envelopes `{envelope_id, type, payload, accepts_response_payload, retry_attempt}` that it
 * must acknowledge with `{envelope_id, payload?}`. An envelope not acknowledged in time is delivered
 * again with `retry_attempt` raised, as Slack does.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";

export type EnvelopeType = "events_api" | "slash_commands" | "interactive";

export interface Acknowledgement {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface DeliverOptions {
  /** How long to wait for an acknowledgement before delivering again (default 3000 ms). */
  ackTimeoutMs?: number;
  /** Deliveries in all, the first included (default 4). */
  attempts?: number;
  /** Ignore this many acknowledgements first, as if they were lost on the way: forces redelivery. */
  loseAcks?: number;
}

export class FakeSlackSocketMode {
  private server: WebSocketServer | undefined;
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, (ack: Acknowledgement) => void>();
  /** Every acknowledgement received, in order. */
  readonly acks: Acknowledgement[] = [];
  private connectedWaiters: Array<() => void> = [];

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error("FakeSlackSocketMode is not started");
    return `ws://127.0.0.1:${address.port}/link`;
  }

  get connections(): number {
    return this.sockets.size;
  }

  async start(): Promise<this> {
    this.server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => this.server!.once("listening", () => resolve()));
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("message", (data) => this.onMessage(String(data)));
      socket.send(
        JSON.stringify({
          type: "hello",
          num_connections: this.sockets.size,
          connection_info: { app_id: "AFAKE" },
          debug_info: { host: "fake" },
        }),
      );
      const waiting = this.connectedWaiters.splice(0);
      for (const w of waiting) w();
    });
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Resolves when at least one client is connected. */
  async connected(): Promise<void> {
    if (this.sockets.size > 0) return;
    await new Promise<void>((resolve) => this.connectedWaiters.push(resolve));
  }

  /**
   * Delivers a payload in an envelope and resolves with the acknowledgement, redelivering (with a new
   * envelope id and a higher `retry_attempt`) each time none arrives within the timeout.
   */
  async deliver(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    options: DeliverOptions = {},
  ): Promise<Acknowledgement> {
    const attempts = options.attempts ?? 4;
    let toLose = options.loseAcks ?? 0;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const envelopeId = randomUUID();
      const acked = new Promise<Acknowledgement>((resolve) => this.pending.set(envelopeId, resolve));
      const envelope: Record<string, unknown> = {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
      };
      if (type === "events_api") {
        envelope.retry_attempt = attempt;
        envelope.retry_reason = attempt === 0 ? "" : "timeout";
      }
      this.broadcast(envelope);
      const ack = await Promise.race([acked, sleep(options.ackTimeoutMs ?? 3000).then(() => undefined)]);
      this.pending.delete(envelopeId);
      if (ack && toLose > 0) {
        toLose -= 1;
        continue;
      }
      if (ack) return ack;
    }
    throw new Error(`envelope not acknowledged after ${attempts} deliveries`);
  }

  /** Asks clients to reconnect, as Slack does before rotating a connection. */
  sendDisconnect(reason = "refresh_requested"): void {
    this.broadcast({ type: "disconnect", reason });
  }

  private broadcast(message: Record<string, unknown>): void {
    // Slack sends each envelope over one connection; the first open socket stands in for that choice.
    const socket = [...this.sockets][0];
    if (!socket) throw new Error("no Socket Mode client connected");
    socket.send(JSON.stringify(message));
  }

  private onMessage(text: string): void {
    let ack: Acknowledgement;
    try {
      ack = JSON.parse(text) as Acknowledgement;
    } catch {
      return;
    }
    if (!ack.envelope_id) return;
    this.acks.push(ack);
    this.pending.get(ack.envelope_id)?.(ack);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
