/** The shape every benchmark shares, so run.ts can select, run, tabulate and record them alike. */
import type { Status } from "./status.js";

export interface BenchContext {
  /** Fewer rounds and a slice of the corpus, for development. */
  quick: boolean;
  /** The replay corpus (ubuntu-irc train.jsonl.gz). */
  corpus: string;
  /** A fresh directory for this benchmark's databases; removed afterwards. */
  tmpDir: string;
  /** One-line progress on a terminal, silent when piped. */
  status: Status;
  /** Node flags for the subject's process: `--cpu-prof …` with --profile, else none. */
  subjectFlags: string[];
}

/** One line of the printed table. Numbers are already rounded for reading. */
export interface Row {
  measure: string;
  baseline?: string;
  subject: string;
  ratio?: string;
  target?: string;
  /** true met, false missed, undefined when there is no target on this line. */
  met?: boolean;
}

export interface BenchResult {
  name: string;
  rows: Row[];
  /** Every raw figure (per round, per step) for results.json. */
  figures: Record<string, unknown>;
  /** Caveats worth reading beside the figures (e.g. a part not measured and why). */
  notes: string[];
}

export interface Benchmark {
  /** Selector on the command line: `npm run bench -- engine memory`. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}
