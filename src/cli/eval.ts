/**
 * npm run eval -- FILE TRUTH [--config F]
 * Replays a corpus through the real engine (the replay platform, default settings unless --config)
 * and measures the nudges: how many per 1,000 messages and per active person per day, by kind; the
 * most any one person received in a day; and the channel → thread suggestions' precision and recall
 * against the annotated conversations in TRUTH (`{"id","conversation"}` lines). See docs/nudges.md.
 */
import { parseArgs } from "node:util";
import { LocalPlatform } from "../adapters/local/local-platform.js";
import { readScenarioFile, replayLines } from "../adapters/local/replay.js";
import type { ReplayOutput } from "../adapters/local/scenario.js";
import type { Config } from "../config/load.js";
import { createLogger } from "../logging.js";
import { openDatabase } from "../storage/database.js";
import { cliConfig, filesExist, runCli } from "./common.js";
import { Progress } from "./progress.js";

const USAGE = "Usage: npm run eval -- FILE TRUTH [--config F]";
const THREAD_SOURCE = "nudge.channel-to-thread";
/** What makes a conversation one that should have moved to a thread (issue 9). */
const TARGET = { messages: 6, windowMs: 15 * 60_000, maxPeople: 3 };

/** Per annotated conversation: its size, its people, and whether it qualifies as a target. */
interface Conversation {
  messages: number;
  people: Set<string>;
  /** The last few messages (time, author), to find 6 within 15 minutes among ≤ 3 people. */
  recent: { at: number; user: string }[];
  target: boolean;
}

export interface EvalReport {
  messages: number;
  personDays: number;
  byKind: Map<string, number>;
  maxPerPersonDay: { count: number; user?: string; day?: string };
  thread: { suggestions: number; judged: number; right: number; targets: number; recalled: number };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : err}\n${USAGE}\n`);
    return 2;
  }
  const [file, truthFile] = args.positionals;
  if (!file || !truthFile || args.positionals.length > 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (!filesExist([file, truthFile])) return 2;
  const loaded = cliConfig(args.values.config);
  if (!loaded) return 2;
  const progress = new Progress(process.stderr, "lines");
  const conversationOf = await readTruth(truthFile);
  if (typeof conversationOf === "string") {
    process.stderr.write(`${conversationOf}\n`);
    return 2;
  }
  const report = await evaluate(file, conversationOf, loaded.config, progress);
  process.stdout.write(formatReport(file, report, loaded.config.settings.nudges.dailyCap));
  return 0;
}

/** The truth file's message → conversation map, or a one-line problem naming the bad line. */
async function readTruth(path: string): Promise<Map<string, string> | string> {
  const map = new Map<string, string>();
  let n = 0;
  for await (const line of readScenarioFile(path)) {
    n++;
    if (!line.trim()) continue;
    let o: { id?: unknown; conversation?: unknown } | undefined;
    try {
      o = JSON.parse(line);
    } catch {
      o = undefined;
    }
    if (typeof o?.id !== "string" || typeof o.conversation !== "string")
      return `${path}:${n}: not a truth line: expected {"id": "...", "conversation": "..."}`;
    map.set(o.id, o.conversation);
  }
  return map;
}

async function evaluate(
  file: string,
  conversationOf: Map<string, string>,
  config: Config,
  progress: Progress,
): Promise<EvalReport> {
  const db = await openDatabase({ url: ":memory:" });
  const outputs: ReplayOutput[] = [];
  const platform = new LocalPlatform({
    app: { config, db, log: createLogger("warn") },
    onAction: (o) => {
      if (o.source.startsWith("nudge.") && !o.source.endsWith(".share")) outputs.push(o);
    },
  });
  const conversations = new Map<string, Conversation>();
  const personDays = new Set<string>();
  let messages = 0;
  // Taps the lines on their way into the replay: counts messages and builds the annotation's view.
  async function* tap(lines: AsyncIterable<string>): AsyncIterable<string> {
    for await (const line of lines) {
      try {
        const o = JSON.parse(line) as { type?: string; id?: string; user?: string; at?: string };
        if (o.type === "message" && o.user && o.at) {
          messages++;
          personDays.add(`${o.user}\u0000${o.at.slice(0, 10)}`);
          const c = o.id ? conversationOf.get(o.id) : undefined;
          if (c) observeConversation(conversations, c, o.user, Date.parse(o.at));
        }
      } catch {
        // The replay reports malformed lines itself.
      }
      yield line;
    }
  }
  try {
    const summary = await replayLines(tap(readScenarioFile(file)), platform, {
      onProgress: (n) => progress.update(n),
    });
    progress.done(summary.lines);
    await platform.stop();
  } finally {
    await db.close();
  }
  return summarise(outputs, conversations, conversationOf, messages, personDays.size);
}

function observeConversation(
  conversations: Map<string, Conversation>,
  id: string,
  user: string,
  at: number,
): void {
  let c = conversations.get(id);
  if (!c) {
    c = { messages: 0, people: new Set(), recent: [], target: false };
    conversations.set(id, c);
  }
  c.messages++;
  c.people.add(user);
  c.recent.push({ at, user });
  if (c.recent.length > TARGET.messages) c.recent.shift();
  if (!c.target && c.recent.length === TARGET.messages) {
    const span = c.recent[c.recent.length - 1]!.at - c.recent[0]!.at;
    const people = new Set(c.recent.map((r) => r.user)).size;
    c.target = span <= TARGET.windowMs && people >= 2 && people <= TARGET.maxPeople;
  }
}

/** Who a nudge reached: the person a notice is for, or the people a post mentions. */
function recipients(o: ReplayOutput): string[] {
  if (o.action === "notice" || o.action === "dm") return o.user ? [o.user] : [];
  return o.mentions ?? [];
}

export function summarise(
  outputs: ReplayOutput[],
  conversations: Map<string, Conversation>,
  conversationOf: Map<string, string>,
  messages: number,
  personDays: number,
): EvalReport {
  const byKind = new Map<string, number>();
  const perPersonDay = new Map<string, number>();
  const thread = { suggestions: 0, judged: 0, right: 0, targets: 0, recalled: 0 };
  const recalled = new Set<string>();
  for (const o of outputs) {
    const kind = o.source.replace(/^nudge\./, "");
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    for (const user of recipients(o)) {
      const key = `${user}\u0000${o.at.slice(0, 10)}`;
      perPersonDay.set(key, (perPersonDay.get(key) ?? 0) + 1);
    }
    if (o.source !== THREAD_SOURCE) continue;
    thread.suggestions++;
    const id = o.about ? conversationOf.get(o.about) : undefined;
    const c = id ? conversations.get(id) : undefined;
    if (!id || !c) continue;
    thread.judged++;
    // Right: everyone it mentions takes part in the triggering message's conversation, which has ≥ 6 messages.
    if (c.messages >= TARGET.messages && (o.mentions ?? []).every((m) => c.people.has(m))) {
      thread.right++;
      recalled.add(id);
    }
  }
  for (const [id, c] of conversations) {
    if (!c.target) continue;
    thread.targets++;
    if (recalled.has(id)) thread.recalled++;
  }
  let max: EvalReport["maxPerPersonDay"] = { count: 0 };
  for (const [key, count] of perPersonDay) {
    if (count > max.count) {
      const [user, day] = key.split("\u0000");
      max = { count, user, day };
    }
  }
  return { messages, personDays, byKind, maxPerPersonDay: max, thread };
}

export function formatReport(file: string, r: EvalReport, cap: number): string {
  const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
  const lines = [
    `Nudges on ${file}: ${r.messages.toLocaleString("en")} messages, ${r.personDays.toLocaleString("en")} active person-days`,
    "",
    "| nudge | count | per 1,000 messages | per active person per day |",
    "|---|---:|---:|---:|",
  ];
  let total = 0;
  for (const kind of [...r.byKind.keys()].sort()) {
    const n = r.byKind.get(kind)!;
    total += n;
    lines.push(`| ${kind} | ${n} | ${fmt((n * 1000) / r.messages, 2)} | ${fmt(n / r.personDays, 4)} |`);
  }
  lines.push(
    `| **all** | ${total} | ${fmt((total * 1000) / r.messages, 2)} | ${fmt(total / r.personDays, 4)} |`,
  );
  lines.push("");
  const m = r.maxPerPersonDay;
  lines.push(
    `Most nudges one person received in a day: ${m.count}${m.user ? ` (${m.user}, ${m.day})` : ""}; daily cap ${cap}` +
      (m.count > cap ? "  ABOVE THE CAP" : ""),
  );
  const t = r.thread;
  lines.push(
    `channel-to-thread: ${t.suggestions} suggestions, ${t.judged} about annotated messages; ` +
      `precision ${fmt(t.right / t.judged, 3)} (${t.right}/${t.judged}); ` +
      `recall ${fmt(t.recalled / t.targets, 3)} (${t.recalled}/${t.targets} conversations of ≥ 6 messages in 15 min among ≤ 3 people)`,
  );
  return `${lines.join("\n")}\n`;
}

function parse() {
  return parseArgs({ allowPositionals: true, options: { config: { type: "string" } } });
}

runCli("eval", main);
