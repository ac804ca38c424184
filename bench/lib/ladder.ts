/**
 * The rate ladder of the Slack HTTP benchmarks: the highest offered rate a server sustains, found by
 * doubling from 100 events/s until a rate fails, then bisecting between the last pass and that failure.
 * A step passes when every request is answered 2xx and the ack p99 is under the limit; a rate fails
 * when it fails twice (LADDER_ATTEMPTS). Also how those benchmarks summarise their runs into the table.
 */
import type { StepResult } from "./load.js";
import { median, ratio } from "./stats.js";
import { fmt, fmtRatio } from "./table.js";
import type { Row } from "./types.js";

export const P99_LIMIT_MS = 100;
/** The rate at which p50/p99 are reported. */
export const FIXED_RATE = 200;
/**
 * The warm-up's rate: enough events that V8 has compiled the hot paths of both servers before anything
 * is measured. At 200 events/s for a few seconds the bot's longer path was still half interpreted,
 * and the figures described a bot just started rather than a running one.
 */
const WARM_UP_RATE = 1000;
/**
 * Steps at FIXED_RATE per run, each with the servers' CPU read around it; the figures are their
 * medians, so that one step a neighbour or a long collection disturbed does not decide a run's figure.
 * (Runs of the same server still differ more than their steps: the benchmarks run each side more than once.)
 */
const FIXED_STEPS = 3;
const LADDER = [100, 200, 400, 800, 1600, 3200, 6400];
/**
 * Times a rate is offered before it counts as not sustained, each attempt in a turn of its own (the
 * other side's step between). A 3-s step fails on one stall of the machine: in the runs of
 * 2026-12-07 steps at 800 and 1,600 events/s failed with p99 over 100 ms while the server used half a
 * core, bare Bolt and the bot alike, and a failure that low decided the round's ratio (0.58). A rate
 * above what a server sustains fails every attempt: its backlog grows for the whole step.
 */
const LADDER_ATTEMPTS = 2;
const BISECTIONS = 3;

function sustained(step: StepResult): boolean {
  return step.failed === 0 && step.p99Ms < P99_LIMIT_MS;
}

/** The highest rate for which `passes` held (0 if none did), trying as few rates as the search needs. */
export async function highestSustainedRate(passes: (rate: number) => Promise<boolean>): Promise<number> {
  let pass = 0;
  let fail: number | undefined;
  for (const rate of LADDER) {
    if (await passes(rate)) pass = rate;
    else {
      fail = rate;
      break;
    }
  }
  for (let k = 0; fail !== undefined && k < BISECTIONS; k++) {
    const mid = Math.round((pass + fail) / 2);
    if (await passes(mid)) pass = mid;
    else fail = mid;
  }
  return pass;
}

/** A step of the ladder, and which attempt at its rate it was (see LADDER_ATTEMPTS). */
export type LadderStep = StepResult & { attempt: number };

export interface LadderClimb {
  warmUp: StepResult;
  /** The steps at FIXED_RATE together: p50 and p99 the medians of the steps', counts summed. */
  fixed: StepResult;
  fixedSteps: StepResult[];
  /** Server CPU time per event at FIXED_RATE, after-ack work included (the median of the steps'). */
  cpuMsPerEvent: number;
  cpuMsPerEventSteps: number[];
  highestRate: number;
  ladder: LadderStep[];
  /** How long the servers took to settle after each step (warm-up, fixed rate, ladder), in ms. */
  settleMs: number[];
}

/** CPU ms per second above which a server is taken to be still working off acknowledged events. */
const BUSY_CPU_MS_PER_S = 100;
const SETTLE_POLL_MS = 250;
/** A server still busy by then is measured as it is (the next step's latency shows the backlog). */
const MAX_SETTLE_MS = 15_000;

/** One side of a ladder benchmark: its servers, already listening. */
export interface LadderSide {
  step(rate: number, what: string, durationMs: number): Promise<StepResult>;
  /** The side's servers' CPU time so far, all together. */
  cpuMs(): Promise<number>;
  servers: number;
}

/** One side's measurement (see `climbLadders`). */
export async function climbLadder(
  o: LadderSide & { stepMs: number; warmUpMs: number },
): Promise<LadderClimb> {
  return (await climbLadders([o], o))[0]!;
}

/**
 * The measurement of one or more sides at once, paired in time so that whatever else the machine is
 * doing falls on every side alike: a warm-up at WARM_UP_RATE for each side in turn; steps at
 * FIXED_RATE offered to every side at once, each side's CPU time read around them; then each side's
 * ladder, the sides taking turns step by step. After each step the servers settle: at least a second,
 * then until their CPU use falls to an idle level, so that work acknowledged but not yet done (the
 * bot's after-ack processing) is not charged to the next step. Runs of separate processes a minute
 * apart differed by a quarter on a shared machine; steps taken side by side differ far less.
 */
export async function climbLadders(
  sides: readonly LadderSide[],
  o: { stepMs: number; warmUpMs: number },
): Promise<LadderClimb[]> {
  const settleMs: number[][] = sides.map(() => []);
  const allCpuMs = async () => (await Promise.all(sides.map((s) => s.cpuMs()))).reduce((n, c) => n + c, 0);
  const allServers = sides.reduce((n, s) => n + s.servers, 0);
  const settled = async () => {
    const ms = await settle(allCpuMs, allServers);
    for (const list of settleMs) list.push(ms);
  };
  const warmUps: StepResult[] = [];
  for (const side of sides) {
    warmUps.push(await side.step(WARM_UP_RATE, "warm-up", o.warmUpMs));
    await settled();
  }
  const fixedSteps: StepResult[][] = sides.map(() => []);
  const cpuMsPerEventSteps: number[][] = sides.map(() => []);
  for (let k = 1; k <= FIXED_STEPS; k++) {
    const cpuBefore = await Promise.all(sides.map((s) => s.cpuMs()));
    const results = await Promise.all(
      sides.map((s) => s.step(FIXED_RATE, `fixed rate (${k}/${FIXED_STEPS})`, o.stepMs)),
    );
    await settled();
    const cpuAfter = await Promise.all(sides.map((s) => s.cpuMs()));
    for (const [i, r] of results.entries()) {
      cpuMsPerEventSteps[i]!.push((cpuAfter[i]! - cpuBefore[i]!) / r.sent);
      fixedSteps[i]!.push(r);
    }
  }
  const ladders: LadderStep[][] = sides.map(() => []);
  const turn = takingTurns();
  const highestRates = await Promise.all(
    sides.map((side, i) =>
      highestSustainedRate(async (rate) => {
        for (let attempt = 1; attempt <= LADDER_ATTEMPTS; attempt++) {
          const r = await turn(async () => {
            const r = await side.step(rate, attempt === 1 ? "ladder" : "ladder (again)", o.stepMs);
            await settled();
            return r;
          });
          ladders[i]!.push({ ...r, attempt });
          if (sustained(r)) return true;
        }
        return false;
      }),
    ),
  );
  return sides.map((_, i) => ({
    warmUp: warmUps[i]!,
    fixed: together(fixedSteps[i]!),
    fixedSteps: fixedSteps[i]!,
    cpuMsPerEvent: median(cpuMsPerEventSteps[i]!),
    cpuMsPerEventSteps: cpuMsPerEventSteps[i]!,
    highestRate: highestRates[i]!,
    ladder: ladders[i]!,
    settleMs: settleMs[i]!,
  }));
}

/** Runs the tasks given to it one at a time, in the order given: callers waiting on it take turns. */
function takingTurns(): <T>(task: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = last.then(task);
    last = run.catch(() => undefined);
    return run;
  };
}

/** Steps at one rate as one: counts summed, p50 and p99 the medians of the steps', the worst maxima. */
function together(steps: StepResult[]): StepResult {
  const sum = (f: (r: StepResult) => number) => steps.reduce((n, r) => n + f(r), 0);
  return {
    offeredRate: steps[0]!.offeredRate,
    sent: sum((r) => r.sent),
    ok: sum((r) => r.ok),
    failed: sum((r) => r.failed),
    failedBy: steps.reduce<Record<string, number>>((by, r) => {
      for (const [status, n] of Object.entries(r.failedBy)) by[status] = (by[status] ?? 0) + n;
      return by;
    }, {}),
    p50Ms: median(steps.map((r) => r.p50Ms)),
    p99Ms: median(steps.map((r) => r.p99Ms)),
    maxMs: Math.max(...steps.map((r) => r.maxMs)),
    maxSendLagMs: Math.max(...steps.map((r) => r.maxSendLagMs)),
  };
}

async function settle(cpuMs: () => Promise<number>, servers: number): Promise<number> {
  const start = performance.now();
  await sleep(1000);
  let last = await cpuMs();
  while (performance.now() - start < MAX_SETTLE_MS) {
    await sleep(SETTLE_POLL_MS);
    const now = await cpuMs();
    if (((now - last) * 1000) / SETTLE_POLL_MS < BUSY_CPU_MS_PER_S * servers) break;
    last = now;
  }
  return Math.round(performance.now() - start);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** What each side's run of a ladder benchmark yields. */
export interface LadderRun extends LadderClimb {
  side: "baseline" | "subject";
  /** Runs measured side by side (`climbLadders`) share a round. */
  round?: number;
}

type Paired = { baseline: number; subject: number };

export interface LadderSummary {
  rate: Paired;
  p50: Paired;
  p99: Paired;
  cpu: Paired;
  /**
   * subject / baseline. For runs measured side by side, the median of the rounds' own ratios: each
   * compares two servers that shared the machine's minute, which a ratio of the sides' medians
   * would undo by pairing one round's subject with another's baseline.
   */
  ratios: { rate: number; p50: number; p99: number; cpu: number };
}

/** Medians of each side's runs, and the ratios (see `LadderSummary.ratios`). */
export function summariseLadders(runs: readonly LadderRun[]): LadderSummary {
  const both = (f: (r: LadderRun) => number): Paired => ({
    baseline: median(runs.filter((r) => r.side === "baseline").map(f)),
    subject: median(runs.filter((r) => r.side === "subject").map(f)),
  });
  const rounds = [...new Set(runs.map((r) => r.round))];
  const paired = rounds.every(
    (round) =>
      round !== undefined &&
      runs.filter((r) => r.round === round && r.side === "baseline").length === 1 &&
      runs.filter((r) => r.round === round && r.side === "subject").length === 1,
  );
  const ratioOf = (f: (r: LadderRun) => number, sides: Paired): number => {
    if (!paired) return ratio(sides.subject, sides.baseline);
    return median(
      rounds.map((round) => {
        const of = (side: LadderRun["side"]) => f(runs.find((r) => r.round === round && r.side === side)!);
        return ratio(of("subject"), of("baseline"));
      }),
    );
  };
  const figure = {
    rate: (r: LadderRun) => r.highestRate,
    p50: (r: LadderRun) => r.fixed.p50Ms,
    p99: (r: LadderRun) => r.fixed.p99Ms,
    cpu: (r: LadderRun) => r.cpuMsPerEvent,
  };
  const rate = both(figure.rate);
  const p50 = both(figure.p50);
  const p99 = both(figure.p99);
  const cpu = both(figure.cpu);
  return {
    rate,
    p50,
    p99,
    cpu,
    ratios: {
      rate: ratioOf(figure.rate, rate),
      p50: ratioOf(figure.p50, p50),
      p99: ratioOf(figure.p99, p99),
      cpu: ratioOf(figure.cpu, cpu),
    },
  };
}

/**
 * The table rows of a ladder benchmark: CPU per event first (the headline: it moves least with other
 * load), then the highest rate, and p50 and p99 at the fixed rate.
 */
export function ladderRows(
  s: LadderSummary,
  measures: { rate: string; cpu: string },
  targets: { rateRatio?: number; p99Ratio?: number; cpuRatio?: number } = {},
): Row[] {
  const { rate: rateRatio, p99: p99Ratio, cpu: cpuRatio } = s.ratios;
  const ms = (n: number) => `${fmt(n, 1)} ms`;
  return [
    {
      measure: measures.cpu,
      baseline: fmt(s.cpu.baseline, 2),
      subject: fmt(s.cpu.subject, 2),
      ratio: fmtRatio(cpuRatio),
      ...(targets.cpuRatio !== undefined
        ? { target: `≤ ${targets.cpuRatio}×`, met: cpuRatio <= targets.cpuRatio }
        : {}),
    },
    {
      measure: measures.rate,
      baseline: fmt(s.rate.baseline),
      subject: fmt(s.rate.subject),
      ratio: fmtRatio(rateRatio),
      ...(targets.rateRatio !== undefined
        ? { target: `≥ ${targets.rateRatio}×`, met: rateRatio >= targets.rateRatio }
        : {}),
    },
    {
      measure: `ack p50 at ${FIXED_RATE} events/s`,
      baseline: ms(s.p50.baseline),
      subject: ms(s.p50.subject),
      ratio: fmtRatio(s.ratios.p50),
    },
    {
      measure: `ack p99 at ${FIXED_RATE} events/s`,
      baseline: ms(s.p99.baseline),
      subject: ms(s.p99.subject),
      ratio: fmtRatio(p99Ratio),
      ...(targets.p99Ratio !== undefined
        ? { target: `≤ ${targets.p99Ratio}×`, met: p99Ratio <= targets.p99Ratio }
        : {}),
    },
  ];
}
