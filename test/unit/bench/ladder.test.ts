import { describe, expect, it, vi } from "vitest";
import {
  climbLadder,
  climbLadders,
  highestSustainedRate,
  type LadderClimb,
  type LadderRun,
  type LadderSide,
  summariseLadders,
} from "../../../bench/lib/ladder.js";
import type { StepResult } from "../../../bench/lib/load.js";

/** A step in which every request was answered, `sent` of them at `rate`, with the p99 given. */
function answered(rate: number, sent: number, p99Ms = 5): StepResult {
  return {
    offeredRate: rate,
    sent,
    ok: sent,
    failed: 0,
    failedBy: {},
    p50Ms: 1,
    p99Ms,
    maxMs: 9,
    maxSendLagMs: 1,
  };
}

/** The search against a server that sustains exactly up to `limit`, recording the rates it tried. */
async function search(limit: number): Promise<{ found: number; tried: number[] }> {
  const tried: number[] = [];
  const found = await highestSustainedRate(async (rate) => {
    tried.push(rate);
    return rate <= limit;
  });
  return { found, tried };
}

/** One side's climb at 3-s steps on fake timers (a run takes minutes of them), `side` its one server. */
async function climbOnFakeTimers(side: Pick<LadderSide, "step" | "cpuMs">): Promise<LadderClimb> {
  vi.useFakeTimers();
  try {
    const climbing = climbLadder({ ...side, servers: 1, stepMs: 3000, warmUpMs: 3000 });
    await vi.runAllTimersAsync();
    return await climbing;
  } finally {
    vi.useRealTimers();
  }
}

describe("the rate ladder", () => {
  it("doubles until a rate fails, then bisects three times", async () => {
    const { found, tried } = await search(550);
    expect(tried).toEqual([100, 200, 400, 800, 600, 500, 550]);
    expect(found).toBe(550);
  });

  it("reports the last rate that passed, within an eighth of the bracket", async () => {
    const { found } = await search(130);
    expect(found).toBeLessThanOrEqual(130);
    expect(found).toBeGreaterThan(100);
  });

  it("reports 0 when not even the lowest rate passes, and bisects below it", async () => {
    const { found, tried } = await search(10);
    expect(tried).toEqual([100, 50, 25, 13]);
    expect(found).toBe(0);
  });

  it("stops at the top of the ladder when every rate passes", async () => {
    const { found, tried } = await search(Number.POSITIVE_INFINITY);
    expect(found).toBe(6400);
    expect(tried).toHaveLength(7);
  });
});

describe("a side's measurement at the fixed rate", () => {
  it("takes three steps and reports their medians, so one disturbed step does not move the figures", async () => {
    let cpuMs = 0;
    const fixedCosts = [0.5, 1.5, 0.6]; // CPU ms per event of each fixed-rate step; the second disturbed
    const fixedP99 = [5, 50, 6];
    let fixedSeen = 0;
    const climb = await climbOnFakeTimers({
      async step(rate, what, durationMs) {
        const sent = Math.round((rate * durationMs) / 1000);
        const result = answered(rate, sent);
        if (!what.startsWith("fixed rate"))
          return what.startsWith("ladder") ? { ...result, p99Ms: 500 } : result;
        cpuMs += sent * fixedCosts[fixedSeen]!;
        return { ...result, p99Ms: fixedP99[fixedSeen++]! };
      },
      cpuMs: async () => cpuMs,
    });
    expect(climb.fixedSteps).toHaveLength(3);
    expect(climb.cpuMsPerEvent).toBeCloseTo(0.6);
    expect(climb.fixed.p99Ms).toBe(6);
    expect(climb.fixed.sent).toBe(1800);
    expect(climb.highestRate).toBe(0);
  });
});

describe("two sides measured side by side", () => {
  it("offers the fixed rate to both at once, so a slow spell of the machine costs both alike, and takes ladder steps in turns", async () => {
    vi.useFakeTimers();
    try {
      // The machine is twice as slow during the second fixed-rate step, whoever runs then.
      let fixedStarted = 0;
      const slowdown = () => (fixedStarted === 3 || fixedStarted === 4 ? 2 : 1);
      const log: string[] = [];
      const side = (name: string, costMs: number, limit: number) => {
        let cpuMs = 0;
        return {
          async step(rate: number, what: string, durationMs: number): Promise<StepResult> {
            const sent = Math.round((rate * durationMs) / 1000);
            if (what.startsWith("fixed rate")) fixedStarted++;
            const factor = what.startsWith("fixed rate") ? slowdown() : 1;
            log.push(`${name} ${what} start`);
            await new Promise((r) => setTimeout(r, durationMs));
            log.push(`${name} ${what} end`);
            cpuMs += sent * costMs * factor;
            return answered(rate, sent, rate <= limit ? 5 : 500);
          },
          cpuMs: async () => cpuMs,
          servers: 1,
        };
      };
      const climbing = climbLadders([side("A", 0.5, 300), side("B", 0.6, 900)], {
        stepMs: 3000,
        warmUpMs: 3000,
      });
      await vi.runAllTimersAsync();
      const [a, b] = await climbing;
      // Each side's figure is the median of its steps; the slow step doubled both sides' cost alike.
      expect(a!.cpuMsPerEventSteps).toEqual([0.5, 1, 0.5]);
      expect(b!.cpuMsPerEventSteps.map((x) => Math.round(x * 10) / 10)).toEqual([0.6, 1.2, 0.6]);
      expect(b!.cpuMsPerEvent / a!.cpuMsPerEvent).toBeCloseTo(1.2);
      // The fixed-rate steps overlap: both start before either ends.
      const fixed = log.filter((l) => l.includes("fixed rate (1/3)"));
      expect(fixed.slice(0, 2).every((l) => l.endsWith("start"))).toBe(true);
      // Ladder steps never overlap and alternate while both sides are still climbing.
      const ladder = log.filter((l) => l.includes("ladder"));
      for (let i = 0; i < ladder.length; i += 2) {
        expect(ladder[i]!.endsWith("start")).toBe(true);
        expect(ladder[i + 1]).toBe(ladder[i]!.replace("start", "end"));
      }
      const firstTurns = ladder
        .filter((l) => l.endsWith("start"))
        .slice(0, 6)
        .map((l) => l[0]);
      expect(firstTurns).toEqual(["A", "B", "A", "B", "A", "B"]);
      expect(a!.highestRate).toBeLessThanOrEqual(300);
      expect(a!.highestRate).toBeGreaterThan(250);
      expect(b!.highestRate).toBeLessThanOrEqual(900);
      expect(b!.highestRate).toBeGreaterThan(800);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("a ladder on a machine that stalls now and then", () => {
  it("offers a failed rate once more, so one stall does not end the climb, while a rate beyond the server fails both times", async () => {
    const offered: string[] = [];
    const climb = await climbOnFakeTimers({
      async step(rate, what, durationMs) {
        const sent = Math.round((rate * durationMs) / 1000);
        if (what.startsWith("ladder")) offered.push(`${rate}${what === "ladder" ? "" : " again"}`);
        // The server sustains 1,000 events/s; the machine stalls during the first step at 400.
        const stalled = what === "ladder" && rate === 400;
        return answered(rate, sent, stalled || rate > 1000 ? 300 : 5);
      },
      cpuMs: async () => 0,
    });
    expect(climb.highestRate).toBeGreaterThan(800);
    expect(climb.highestRate).toBeLessThanOrEqual(1000);
    expect(offered.slice(0, 5)).toEqual(["100", "200", "400", "400 again", "800"]);
    expect(offered).toContain("1600 again");
    // Each attempt is in the results, numbered.
    expect(climb.ladder.filter((s) => s.offeredRate === 1600).map((s) => s.attempt)).toEqual([1, 2]);
  });
});

describe("the summary of runs measured side by side", () => {
  const run = (side: "baseline" | "subject", round: number, cpu: number, rate: number): LadderRun => {
    const step = answered(200, 600);
    return {
      side,
      round,
      warmUp: step,
      fixed: step,
      fixedSteps: [step],
      cpuMsPerEvent: cpu,
      cpuMsPerEventSteps: [cpu],
      highestRate: rate,
      ladder: [],
      settleMs: [],
    };
  };

  it("compares each subject with the baseline of its own round, not with another round's", () => {
    // The machine was slow in round 1 for both; in two rounds of three the subject costs 1.25x the baseline.
    const runs = [
      run("baseline", 0, 0.8, 4000),
      run("subject", 0, 1.0, 3200),
      run("baseline", 1, 1.2, 3000),
      run("subject", 1, 1.5, 2400),
      run("baseline", 2, 0.7, 4400),
      run("subject", 2, 1.05, 3080),
    ];
    const s = summariseLadders(runs);
    expect(s.ratios.cpu).toBeCloseTo(1.25);
    expect(s.ratios.rate).toBeCloseTo(0.8);
    // The sides' medians come from different rounds: their ratio would pair round 2's subject with round 0's baseline.
    expect(s.cpu).toEqual({ baseline: 0.8, subject: 1.05 });
    expect(s.cpu.subject / s.cpu.baseline).toBeCloseTo(1.3125);
  });

  it("compares the sides' medians when the runs were not paired", () => {
    const s = summariseLadders([
      { ...run("baseline", 0, 0.8, 4000), round: undefined },
      { ...run("subject", 0, 1.2, 3000), round: undefined },
      { ...run("baseline", 0, 1.0, 4000), round: undefined },
    ]);
    expect(s.ratios.cpu).toBeCloseTo(1.2 / 0.9);
  });
});
