/**
 * 6. Slack HTTP path on PostgreSQL, one replica vs three: the same signed Events API stream and rate
 * ladder as slack-http, into Outloud bot processes sharing one PostgreSQL schema (created and dropped
 * here). The load generator stands in for the load balancer, spreading deliveries round robin over
 * the replicas, and delivers one event in ten twice, to two replicas, as Slack's retries do. Besides
 * the latency figures it checks that every event was acted on exactly once across the replicas: the
 * events the replicas handed to their cores against the events acknowledged, and, per thread, the
 * bot's answers to the events that state a decision, as the fake Slack Web API recorded them.
 */
import {
  adminQuery,
  createSchema,
  POSTGRES_URL,
  type PostgresSchema,
} from "../test/helpers/postgres-schemas.js";
import { type LongRunningWorker, startWorker } from "./lib/child.js";
import {
  climbLadder,
  FIXED_RATE,
  type LadderRun,
  ladderRows,
  P99_LIMIT_MS,
  summariseLadders,
} from "./lib/ladder.js";
import { type LoadRequest, resetConnections, runStep } from "./lib/load.js";
import { spreadDeliveries } from "./lib/replica-spread.js";
import {
  asRetry,
  type BenchEvent,
  DEV_CORPUS,
  MessageEventStream,
  sampleTexts,
} from "./lib/slack-fixtures.js";
import { alternation } from "./lib/stats.js";
import { fmt } from "./lib/table.js";
import type { BenchContext, Benchmark, BenchResult } from "./lib/types.js";

const REPLICAS = 3;
/** One event in ten is delivered a second time, to the next replica, as a Slack retry. */
const RETRY_EVERY = 10;
/**
 * One thread reply in three (one event in fifteen) states a decision. Three, prime to the 20 channels,
 * puts them in every channel in turn: the bot paces its posts per channel, one a second.
 */
const DECISION_EVERY = 3;
/** The bot's private answer to a decision stated in a thread: once per thread (src/core/decisions). */
const SUGGESTION_TEXT = "That sounds like a decision.";

type Side = "baseline" | "subject";

/** Whether each event was acted on once: what was sent, acknowledged and handled, over the whole run. */
interface OnceCheck {
  deliveries: number;
  retries: number;
  eventsSent: number;
  /** Events with at least one delivery answered 2xx. */
  eventsAcknowledged: number;
  /** Events the replicas handed to their cores, all replicas together. */
  eventsHandled: number;
  decisionsSent: number;
  decisionsAcknowledged: number;
  /** Threads whose decision got exactly one answer, none, or more than one. */
  answeredOnce: number;
  unanswered: number;
  answeredTwice: number;
  /** Suggestions in threads where no decision was stated: actions nobody asked for. */
  strays: number;
  /** Each acknowledged event handed to a core once, none twice. */
  handledOnce: boolean;
  /** Each acknowledged decision answered once, none twice, no strays. */
  answersOnce: boolean;
}

/** `cpuMsPerEvent` is all replicas' CPU time together. */
interface SideRun extends LadderRun {
  replicas: number;
  once: OnceCheck;
  /** Each replica's event-loop delay over the whole run. */
  loopDelayMs: { p50: number; p99: number; max: number }[];
  /** Where the run's time went: starting the replicas, the load steps, stopping (finishing in-flight work). */
  seconds: { start: number; steps: number; stop: number };
  /** What the fake Web API saw: calls by method and outcome, posts. */
  apiCalls: Record<string, unknown>;
  /** PostgreSQL's access counts per table over the run: sequential scans on a big table mean a missing index. */
  tables: Record<string, unknown>[];
}

export const slackReplicasBenchmark: Benchmark = {
  name: "slack-replicas",
  title: `Slack Events API on PostgreSQL: one replica vs ${REPLICAS} behind round robin, every event once`,
  async run(ctx: BenchContext): Promise<BenchResult> {
    // One round each (1 replica, then 3): three processes start per run, and the whole `npm run bench`
    // has 15 minutes. Run it alone again for a second opinion.
    const rounds = 1;
    const stepMs = ctx.quick ? 1000 : 2000;
    // Longer than a step: each replica's code must be compiled and its caches filled with a third of the events.
    const warmUpMs = ctx.quick ? 2000 : 4000;
    const texts = sampleTexts(DEV_CORPUS);
    const runs: SideRun[] = [];
    const order = alternation(rounds);
    for (const [i, side] of order.entries()) {
      const replicas = side === "subject" ? REPLICAS : 1;
      const label = `slack-replicas: ${replicas} replica${replicas > 1 ? "s" : ""} (${i + 1}/${order.length})`;
      const run = await measureReplicas(ctx, side, replicas, { stepMs, warmUpMs }, texts, label);
      runs.push(run);
      ctx.status.log(
        `${label}: highest ${fmt(run.highestRate)}/s; at ${FIXED_RATE}/s p50 ${fmt(run.fixed.p50Ms, 1)} ms, p99 ${fmt(run.fixed.p99Ms, 1)} ms; ` +
          `${fmt(run.once.eventsHandled)} events handled of ${fmt(run.once.eventsAcknowledged)} acknowledged; ` +
          `decisions answered once ${fmt(run.once.answeredOnce)}, never ${fmt(run.once.unanswered)}, twice ${fmt(run.once.answeredTwice)}`,
      );
    }
    const summary = summariseLadders(runs);
    const sum = (side: Side, f: (o: OnceCheck) => number) =>
      runs.filter((r) => r.side === side).reduce((n, r) => n + f(r.once), 0);
    const all = (f: (o: OnceCheck) => boolean) => runs.every((r) => f(r.once));
    const handled = (side: Side) =>
      [
        sum(side, (o) => o.eventsAcknowledged),
        sum(side, (o) => o.eventsHandled),
        sum(side, (o) => o.eventsSent),
      ]
        .map((n) => fmt(n))
        .join(" ≤ ");
    const decisions = (side: Side) =>
      `${fmt(sum(side, (o) => o.answeredOnce))} / ${fmt(sum(side, (o) => o.unanswered))} / ${fmt(sum(side, (o) => o.answeredTwice))}`;
    const lost = runs.reduce((n, r) => n + r.fixed.failed, 0);
    const first = runs[0]!.once;
    return {
      name: "slack-replicas",
      rows: [
        ...ladderRows(summary, {
          rate: `highest events/s with ack p99 < ${P99_LIMIT_MS} ms, 1 vs ${REPLICAS} replicas on PostgreSQL`,
          cpu: `CPU ms per event at ${FIXED_RATE} events/s, all replicas together (PostgreSQL not included)`,
        }),
        {
          measure: "events acknowledged ≤ handed to a core ≤ sent: each at most once, retries dropped",
          baseline: handled("baseline"),
          subject: handled("subject"),
          target: "holds",
          met: all((o) => o.handledOnce),
        },
        {
          measure: "decisions stated in threads: answered once / never / more than once",
          baseline: decisions("baseline"),
          subject: decisions("subject"),
          target: "all / 0 / 0",
          met: all((o) => o.answersOnce),
        },
      ],
      figures: {
        rounds,
        stepMs,
        warmUpMs,
        replicas: REPLICAS,
        retryEvery: RETRY_EVERY,
        highestRate: summary.rate,
        p50AtFixedMs: summary.p50,
        p99AtFixedMs: summary.p99,
        cpuMsPerEvent: summary.cpu,
        runs,
      },
      notes: [
        `rates count deliveries: one event in ${RETRY_EVERY} is delivered twice (${fmt(first.retries)} retries in ${fmt(first.deliveries)} deliveries in the first run); all ${REPLICAS} replicas, PostgreSQL and the load generator share this machine's CPUs`,
        ...(lost > 0 ? [`${lost} request(s) at ${FIXED_RATE}/s were not acknowledged with 2xx`] : []),
      ],
    };
  },
};

async function measureReplicas(
  ctx: BenchContext,
  side: Side,
  count: number,
  durations: { stepMs: number; warmUpMs: number },
  texts: string[],
  label: string,
): Promise<SideRun> {
  let schema: PostgresSchema;
  try {
    schema = await createSchema();
  } catch (err) {
    throw new Error(
      `PostgreSQL at ${new URL(POSTGRES_URL).host} is needed (set TEST_DATABASE_URL to use another): ${err instanceof Error ? err.message : err}`,
    );
  }
  let fake: LongRunningWorker | undefined;
  let replicas: LongRunningWorker[] = [];
  try {
    fake = await startWorker("fake-slack", ["--count-in-threads", SUGGESTION_TEXT]);
    const apiUrl = String(fake.ready.apiUrl);
    ctx.status.show(`${label}: starting`, true);
    const t0 = Date.now();
    // All at once on a fresh schema, as a rollout does: they race to migrate it.
    replicas = await startAll(count, () =>
      startWorker("slack-server", ["--mode", "bot", "--api-url", apiUrl, "--db", schema.url], {
        nodeFlags: side === "subject" ? ctx.subjectFlags : [],
      }),
    );
    const ports = replicas.map((r) => Number(r.ready.port));
    const t1 = Date.now();
    const traffic = new ReplicatedTraffic(
      new MessageEventStream(texts, { decisionEvery: DECISION_EVERY }),
      ports,
    );
    const climb = await climbLadder({
      step: (rate, what, durationMs) => {
        ctx.status.show(`${label}: ${what} at ${fmt(rate)} events/s`, true);
        const plan = traffic.plan();
        return runStep({ port: ports[0]!, rate, durationMs, build: plan.build, onAnswer: plan.answered });
      },
      cpuMs: async () =>
        (await Promise.all(replicas.map((r) => r.ask("cpu")))).reduce((n, m) => n + Number(m.ms), 0),
      servers: count,
      ...durations,
    });
    resetConnections();
    ctx.status.show(`${label}: stopping (finishing the work in flight)`, true);
    const t2 = Date.now();
    // A stopped replica has finished everything it acknowledged: nothing can still be on its way.
    const stopped = await Promise.all(
      replicas.map((r) => r.stop<{ eventsHandled: number; loopDelayMs: SideRun["loopDelayMs"][number] }>()),
    );
    replicas = [];
    const seconds = { start: (t1 - t0) / 1000, steps: (t2 - t1) / 1000, stop: (Date.now() - t2) / 1000 };
    const { inThreads, ...apiCalls } = await fake.stop<{ inThreads: Record<string, number> }>();
    fake = undefined;
    const once = traffic.check(
      stopped.reduce((n, s) => n + s.eventsHandled, 0),
      inThreads,
    );
    const { rows: tables } = await adminQuery(
      `select relname as table, seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup
       from pg_stat_user_tables where schemaname = '${schema.name}' order by relname`,
    );
    return {
      side,
      replicas: count,
      ...climb,
      once,
      loopDelayMs: stopped.map((s) => s.loopDelayMs),
      seconds,
      apiCalls,
      tables,
    };
  } finally {
    resetConnections();
    await Promise.allSettled(replicas.map((r) => r.stop()));
    await fake?.stop().catch(() => undefined);
    await schema.drop().catch(() => undefined);
  }
}

/** Starts `count` workers at once; if any fails, stops the others and throws. */
async function startAll(
  count: number,
  start: () => Promise<LongRunningWorker>,
): Promise<LongRunningWorker[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, start));
  const failed = started.find((s) => s.status === "rejected");
  if (!failed) return started.map((s) => (s as PromiseFulfilledResult<LongRunningWorker>).value);
  await Promise.allSettled(
    started.flatMap((s) => (s.status === "fulfilled" ? [s.value.stop().catch(() => undefined)] : [])),
  );
  throw failed.reason;
}

/**
 * The event stream as the replicas get it: deliveries spread round robin, some delivered twice
 * (see replica-spread.ts), and a record of which events were sent and which were acknowledged.
 */
class ReplicatedTraffic {
  private readonly deliveries;
  private readonly events: BenchEvent[] = [];
  private readonly acknowledged = new Set<number>();
  private deliveryCount = 0;
  private retryCount = 0;

  constructor(
    private readonly stream: MessageEventStream,
    private readonly ports: number[],
  ) {
    this.deliveries = spreadDeliveries(ports.length, RETRY_EVERY);
  }

  /** One load step: its requests (runStep builds them in order before it starts) and where their answers go. */
  plan(): { build(i: number): LoadRequest; answered(i: number, status: number): void } {
    const eventOf: number[] = [];
    return {
      build: () => {
        const d = this.deliveries.next().value;
        if (d.event === this.events.length) this.events.push(this.stream.nextEvent());
        const port = this.ports[d.replica]!;
        const first = this.events[d.event]!.request;
        eventOf.push(d.event);
        this.deliveryCount++;
        if (d.retryNum > 0) this.retryCount++;
        return d.retryNum > 0 ? asRetry(first, d.retryNum, port) : { ...first, port };
      },
      answered: (i, status) => {
        if (status >= 200 && status < 300) this.acknowledged.add(eventOf[i]!);
      },
    };
  }

  /**
   * Every acknowledged event handed to a core once (an event whose every delivery timed out may
   * still have been handled, so up to all events sent), and every decision answered exactly once.
   */
  check(eventsHandled: number, answersInThreads: Record<string, number>): OnceCheck {
    const decisions = this.events.flatMap((e, n) =>
      e.decisionThread ? [{ n, thread: e.decisionThread }] : [],
    );
    const acknowledgedDecisions = decisions.filter((d) => this.acknowledged.has(d.n));
    const answers = (thread: string) => answersInThreads[thread] ?? 0;
    const unanswered = acknowledgedDecisions.filter((d) => answers(d.thread) === 0).length;
    const answeredTwice = decisions.filter((d) => answers(d.thread) > 1).length;
    const decisionThreads = new Set(decisions.map((d) => d.thread));
    // An answer in a thread no decision was sent to would be an action nobody asked for.
    const strays = Object.keys(answersInThreads).filter((t) => !decisionThreads.has(t)).length;

    return {
      deliveries: this.deliveryCount,
      retries: this.retryCount,
      eventsSent: this.events.length,
      eventsAcknowledged: this.acknowledged.size,
      eventsHandled,
      decisionsSent: decisions.length,
      decisionsAcknowledged: acknowledgedDecisions.length,
      answeredOnce: decisions.filter((d) => answers(d.thread) === 1).length,
      unanswered,
      answeredTwice,
      strays,
      handledOnce: eventsHandled >= this.acknowledged.size && eventsHandled <= this.events.length,
      answersOnce: unanswered === 0 && answeredTwice === 0 && strays === 0,
    };
  }
}
