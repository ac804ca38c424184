/**
 * Prometheus metrics shared by every adapter (served at GET /metrics). One registry per process; the
 * adapters count events in and actions out, and anyone may register a probe for the export outbox.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

export class OutloudMetrics {
  readonly registry = new Registry();
  readonly eventsIn: Counter<"platform" | "type">;
  readonly actionsOut: Counter<"platform" | "action">;
  readonly nudges: Counter<"kind">;
  readonly errors: Counter<"where">;
  private outboxProbe: () => Promise<number> | number = () => 0;
  private unhelpfulProbe: () => Promise<Map<string, number>> = async () => new Map();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.eventsIn = new Counter({
      name: "outloud_events_in_total",
      help: "Platform events received and handed to the core",
      labelNames: ["platform", "type"],
      registers,
    });
    this.actionsOut = new Counter({
      name: "outloud_actions_out_total",
      help: "Actions carried out on a platform",
      labelNames: ["platform", "action"],
      registers,
    });
    this.nudges = new Counter({
      name: "outloud_nudges_total",
      help: "Nudges sent, by kind",
      labelNames: ["kind"],
      registers,
    });
    this.errors = new Counter({
      name: "outloud_errors_total",
      help: "Errors, by where they happened",
      labelNames: ["where"],
      registers,
    });
    const probe = () => this.outboxProbe();
    new Gauge({
      name: "outloud_export_outbox_depth",
      help: "Decision exports waiting to be delivered",
      registers,
      async collect() {
        this.set(await probe());
      },
    });
    const unhelpful = () => this.unhelpfulProbe();
    new Gauge({
      name: "outloud_nudges_unhelpful",
      help: 'Nudges people marked "not helpful", by kind, over the retention period (no text is kept)',
      labelNames: ["kind"],
      registers,
      async collect() {
        this.reset();
        // A database that does not answer leaves the gauge empty rather than failing /metrics.
        const counts = await unhelpful().catch(() => new Map<string, number>());
        for (const [kind, n] of counts) this.set({ kind }, n);
      },
    });
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: "outloud_" });
  }

  /** Lets the exporter report its queue length (read at every scrape). */
  setOutboxProbe(probe: () => Promise<number> | number): void {
    this.outboxProbe = probe;
  }

  /** Lets the nudges report their "not helpful" counts per kind (read at every scrape). */
  setUnhelpfulProbe(probe: () => Promise<Map<string, number>>): void {
    this.unhelpfulProbe = probe;
  }

  /** Counts an action; actions from nudges (`source` `nudge.<kind>`) also count as a nudge of that kind. */
  countAction(platform: string, action: string, source: string): void {
    this.actionsOut.inc({ platform, action });
    // `nudge.dm-to-channel.share` is a dm-to-channel nudge followed up; the kind is the second word.
    if (source.startsWith("nudge.")) this.nudges.inc({ kind: source.split(".")[1] ?? "unknown" });
  }
}
