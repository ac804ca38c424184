/**
 * What `npm run report` reads: a Slack export (`.zip`), an Element room export (JSON with a
 * `messages` list), or a replay scenario (JSON lines, optionally gzipped). Each becomes scenario lines.
 */
import { open } from "node:fs/promises";
import { readScenarioFile } from "../adapters/local/replay.js";
import { parseScenarioLine, type ScenarioLine } from "../adapters/local/scenario.js";
import { readElementExport } from "./matrix-export.js";
import { type ExportProgress, readSlackExport } from "./slack-export.js";

export type InputKind = "slack-export" | "element-export" | "scenario";

/** Tells the kind from the file's first bytes: a ZIP's signature, or a JSON document rather than lines. */
export async function inputKind(path: string): Promise<InputKind> {
  const file = await open(path, "r");
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return "slack-export";
    const text = head.toString("utf8").trimStart();
    // A scenario's first line is a whole object with "type"; Element's export opens with "room_name".
    if (text.startsWith("{") && /^\{\s*"room_name"/.test(text)) return "element-export";
    if (text.startsWith("{") && !text.split("\n", 1)[0]!.trim().endsWith("}")) return "element-export";
    return "scenario";
  } finally {
    await file.close();
  }
}

export interface InputEvents extends ExportProgress {
  /** Scenario lines read so far (scenarios and Element exports). */
  onLines?(count: number): void;
}

export async function* readInput(
  path: string,
  kind: InputKind,
  events: InputEvents = {},
): AsyncIterable<ScenarioLine> {
  if (kind === "slack-export") {
    yield* readSlackExport(path, events);
    return;
  }
  if (kind === "element-export") {
    const lines = await readElementExport(path);
    let n = 0;
    for (const line of lines) {
      events.onLines?.(++n);
      yield line;
    }
    return;
  }
  let n = 0;
  let last = Number.NEGATIVE_INFINITY;
  for await (const raw of readScenarioFile(path)) {
    events.onLines?.(++n);
    if (!raw.trim()) continue;
    const parsed = parseScenarioLine(raw);
    if (!parsed.ok) {
      events.onProblem?.(`${path}:${n}: ${parsed.problem} (line skipped)`);
      continue;
    }
    const at = Date.parse(parsed.line.at);
    if (at < last) {
      events.onProblem?.(`${path}:${n}: "at" goes back in time (line skipped)`);
      continue;
    }
    last = at;
    yield parsed.line;
  }
}
