/**
 * `--busy`: a fixed, reproducible "busy machine". One process spins on one core for the whole run at
 * the lowest priority (nice 19), started before the first benchmark and stopped after the last, so
 * baseline and subject of every benchmark share the machine with the same load. At nice 19 it takes
 * whatever CPU nobody else wants: an idle core is kept busy (shared caches, memory bandwidth, a
 * hyperthread sibling), while a process that needs the core still gets nearly all of it, as on a
 * build server or a shared Kubernetes node.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setPriority } from "node:os";

/** Linux's lowest scheduling priority. */
const NICE = 19;

/**
 * The spinner: busy for 100 ms at a time, then checks that its parent is alive, so a bench run that
 * is killed never leaves it behind (it is re-parented, and exits).
 */
const SPIN = `const parent = process.ppid;
for (;;) { const t = Date.now(); while (Date.now() - t < 100); if (process.ppid !== parent) process.exit(0); }`;

export interface BackgroundLoad {
  /** What the load is, for the table's header. */
  description: string;
  /** The share of one core the spinner got so far (0..1); undefined where /proc is not available. */
  coreShare(): number | undefined;
  stop(): void;
}

export function startBackgroundLoad(): BackgroundLoad {
  const child: ChildProcess = spawn(process.execPath, ["-e", SPIN], { stdio: "ignore" });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the background load");
  setPriority(pid, NICE);
  const started = performance.now();
  const stopOnExit = () => child.kill("SIGKILL");
  process.on("exit", stopOnExit);
  return {
    description: `one core spun at nice ${NICE} by the bench (--busy)`,
    coreShare() {
      const seconds = cpuSecondsOf(pid);
      return seconds === undefined ? undefined : seconds / ((performance.now() - started) / 1000);
    },
    stop() {
      process.off("exit", stopOnExit);
      child.kill("SIGKILL");
    },
  };
}

/** User + system CPU seconds of a process, from /proc (Linux); undefined elsewhere. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    // Clock ticks per second: 100 on every Linux this runs on (USER_HZ).
    return ticks / 100;
  } catch {
    return undefined;
  }
}
