/** The machine a run came from: figures mean little without it. */
import { execFileSync } from "node:child_process";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";

export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started: a busy machine explains noisy figures. */
  loadAverage: number;
  commit: string | undefined;
  /** With --busy: the background load, and the share of a core it got over the run. */
  backgroundLoad?: { description: string; coreShare: number | undefined };
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    commit: gitCommit(),
  };
}

function gitCommit(): string | undefined {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      encoding: "utf8",
    }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return undefined;
  }
}

export function describeMachine(m: MachineInfo): string {
  const load = m.backgroundLoad;
  const share =
    load?.coreShare === undefined ? "" : ` (it got ${Math.round(load.coreShare * 100)}% of a core)`;
  const busy = load ? `, background load: ${load.description}${share}` : "";
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, load ${m.loadAverage} at start${busy}, ${m.date}${m.commit ? `, commit ${m.commit}` : ""}`;
}
