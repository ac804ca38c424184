/**
 * Streams scenario lines through a LocalPlatform. Lines are handled one at a time as they arrive, so
 * memory does not grow with the length of the file. A malformed line is reported and skipped.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { LocalPlatform } from "./local-platform.js";
import { parseScenarioLine } from "./scenario.js";

export interface ReplayProblem {
  line: number;
  problem: string;
}

export interface ReplaySummary {
  lines: number;
  events: number;
  problems: ReplayProblem[];
}

export interface ReplayOptions {
  onProblem?(problem: ReplayProblem): void;
  /** Called after each line with the count so far (progress display). */
  onProgress?(linesRead: number): void;
  /** Awaited after each event: lets the output apply back-pressure. */
  afterEvent?(): Promise<void>;
}

export async function replayLines(
  lines: AsyncIterable<string> | Iterable<string>,
  platform: LocalPlatform,
  options: ReplayOptions = {},
): Promise<ReplaySummary> {
  const summary: ReplaySummary = { lines: 0, events: 0, problems: [] };
  let last = Number.NEGATIVE_INFINITY;
  const report = (line: number, problem: string) => {
    const p = { line, problem };
    summary.problems.push(p);
    options.onProblem?.(p);
  };
  for await (const raw of lines) {
    summary.lines++;
    options.onProgress?.(summary.lines);
    if (raw.trim() === "") continue;
    const parsed = parseScenarioLine(raw);
    if (!parsed.ok) {
      report(summary.lines, parsed.problem);
      continue;
    }
    const at = Date.parse(parsed.line.at);
    if (at < last) {
      report(summary.lines, `"at" goes back in time (${parsed.line.at} is before the previous line)`);
      continue;
    }
    last = at;
    const applied = platform.apply(parsed.line);
    if (applied) await applied;
    summary.events++;
    if (options.afterEvent) await options.afterEvent();
  }
  return summary;
}

/** The lines of a scenario file, gunzipped when its name ends in `.gz`. */
export function readScenarioFile(path: string): AsyncIterable<string> {
  const raw = createReadStream(path);
  const input = path.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  raw.on("error", (err) => input.emit("error", err));
  return createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}
