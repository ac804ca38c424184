/**
 * Webhook: POSTs the decision as JSON to a configured URL, signed with HMAC-SHA256.
 *
 * Headers (documented in docs/decisions.md):
 *   X-Outloud-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with WEBHOOK_SECRET>
 *   X-Outloud-Event:     decision.recorded | decision.updated | decision.undone
 *   X-Outloud-Delivery:  <workspace>/<id>/<status>/<n>  (n counts the decision's deliveries: unique
 *                        per event, the same on every retry of one event)
 * Receivers should upsert by `decision.id` (and may drop repeated delivery ids): a retry then
 * updates their copy and never creates a second one.
 */
import { createHmac } from "node:crypto";
import { z } from "zod";
import type { DocumentExporter, ExportReceipt } from "../core/decisions/exporter.js";
import type { DecisionRecord } from "../core/decisions/model.js";
import { HttpError, roomMatches, roomsSetting } from "./common.js";

export const webhookSettings = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("POST each decision as signed JSON (signed with WEBHOOK_SECRET)."),
    url: z.string().default("").describe("Where to POST, e.g. https://hooks.example.org/decisions."),
    rooms: roomsSetting,
  })
  .describe("Signed JSON webhook.");

export type WebhookSettings = z.infer<typeof webhookSettings>;

export const SIGNATURE_HEADER = "X-Outloud-Signature";

export class WebhookExporter implements DocumentExporter {
  readonly target = "webhook";

  constructor(
    private readonly settings: WebhookSettings,
    private readonly secret: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    if (!/^https?:\/\//.test(settings.url))
      throw new Error("decisions.export.webhook.url must be an http(s) URL");
  }

  accepts(decision: Pick<DecisionRecord, "room">): boolean {
    return roomMatches(this.settings.rooms, decision);
  }

  async export(decision: DecisionRecord, previous?: ExportReceipt): Promise<ExportReceipt> {
    const last = previous ? parseDelivery(previous.ref) : undefined;
    // This state was delivered and acknowledged already.
    if (previous && last?.status === decision.status) return previous;
    // A new event, even one returning to an earlier state (accepted again after an undo), gets a new
    // id: receivers that drop repeated ids must not drop it.
    const delivery = `${decision.workspace}/${decision.id}/${decision.status}/${(last?.n ?? 0) + 1}`;
    const event = decision.status === "accepted" && !previous ? "decision.recorded" : "decision.updated";
    await this.post(event, delivery, payload(decision));
    return { ref: delivery, location: new URL(this.settings.url).origin };
  }

  /** `decision.undone`: the decision no longer stands. A decision is undone once, so its id is unique. */
  async withdraw(decision: DecisionRecord): Promise<void> {
    await this.post("decision.undone", `${decision.workspace}/${decision.id}/undone`, {
      ...payload(decision),
      status: "undone",
    });
  }

  private async post(event: string, delivery: string, decision: ReturnType<typeof payload> | object) {
    const body = JSON.stringify({ event, decision });
    const t = Math.floor(this.clock().getTime() / 1000);
    const response = await fetch(this.settings.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Outloud",
        [SIGNATURE_HEADER]: signature(this.secret, t, body),
        "X-Outloud-Event": event,
        "X-Outloud-Delivery": delivery,
      },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok)
      throw new HttpError(
        response.status,
        "the webhook refused the decision",
        (await response.text()).slice(0, 200),
      );
    await response.body?.cancel();
  }
}

/** The status and number of a delivery id; ids from before numbering (`…/<status>`) count as the first. */
function parseDelivery(ref: string): { status: string; n: number } | undefined {
  const m = /\/(accepted|superseded)(?:\/(\d+))?$/.exec(ref);
  return m ? { status: m[1]!, n: Number(m[2] ?? 1) } : undefined;
}

/** `t=<t>,v1=<hex>`: HMAC-SHA256 over `<t>.<body>`, so a captured request cannot be replayed with a new time. */
export function signature(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

/** The JSON a receiver gets: the decision, with ISO dates. */
export function payload(d: DecisionRecord) {
  return {
    workspace: d.workspace,
    id: d.id,
    number: d.number,
    title: d.title,
    text: d.text,
    status: d.status,
    author: d.author,
    room: d.room,
    thread: d.thread ?? null,
    link: d.link ?? null,
    participants: d.participants,
    at: d.at.toISOString(),
    supersedes: d.supersedes ?? null,
    supersededBy: d.supersededBy ?? null,
  };
}
