/**
 * npm run eval -- FILE [TRUTH] [--tone-truth F] [--config F]
 * Replays a corpus through the real engine (the replay platform, default settings unless --config)
 * and measures every nudge: how many per 1,000 messages and per active person per day, and the most
 * one person got in a day, by kind; the channel → thread suggestions' precision and recall against
 * the annotated conversations in TRUTH (`{"id","conversation"}` lines); the be-kind hints' precision,
 * recall and false alarms against `--tone-truth` (`{"id","harsh"}` lines). See docs/nudges.md.
 */
import { parseArgs } from "node:util";
import { LocalPlatform } from "../adapters/local/local-platform.js";
import { readScenarioFile, replayLines } from "../adapters/local/replay.js";
import type { ReplayOutput } from "../adapters/local/scenario.js";
import type { Config } from "../config/load.js";
import { NUDGE_KINDS } from "../core/nudges/index.js";
import { createLogger } from "../logging.js";
import { openDatabase } from "../storage/database.js";
import { cliConfig, filesExist, parsedOrUsage, runCli } from "./common.js";
import { Progress } from "./progress.js";

const USAGE =
  "Usage: npm run eval -- FILE TRUTH [--tone-truth F] [--config F]\n" +
  "       npm run eval -- FILE --tone-truth F [--config F]   (a corpus without conversation annotation)";
const TONE_SOURCE = "nudge.be-kind";
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

interface PersonDay {
  count: number;
  user?: string;
  day?: string;
}

export interface EvalReport {
  messages: number;
  personDays: number;
  byKind: Map<string, { count: number; worst: PersonDay }>;
  maxPerPersonDay: PersonDay;
  /** Absent when the corpus came without a conversation annotation. */
  thread?: { suggestions: number; judged: number; right: number; targets: number; recalled: number };
  /** Absent without `--tone-truth`. */
  tone?: { harsh: number; civil: number; flagged: number; right: number; unknown: number };
}

/** A truth file that is not what it should be: a short message for the user, no stack trace. */
class TruthFileError extends Error {}

async function main(): Promise<number> {
  const args = parsedOrUsage(parse, USAGE);
  if (!args) return 2;
  const [file, truthFile] = args.positionals;
  const toneFile = args.values["tone-truth"];
  if (!file || (!truthFile && !toneFile) || args.positionals.length > 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (!filesExist([file, ...(truthFile ? [truthFile] : []), ...(toneFile ? [toneFile] : [])])) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const loaded = cliConfig(args.values.config);
  if (!loaded) return 2;
  let conversationOf: Map<string, string> | undefined;
  let harshOf: Map<string, boolean> | undefined;
  try {
    if (truthFile) conversationOf = await readTruth(truthFile, "conversation", (v) => typeof v === "string");
    if (toneFile) harshOf = await readTruth(toneFile, "harsh", (v) => typeof v === "boolean");
  } catch (err) {
    if (!(err instanceof TruthFileError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  const progress = new Progress(process.stderr, "lines");
  const report = await evaluate(file, conversationOf, harshOf, loaded.config, progress);
  process.stdout.write(formatReport(file, report, loaded.config.settings.nudges.dailyCap));
  return 0;
}

/** Reads `{"id", <field>}` lines; a line that is not one names its file and number. */
async function readTruth<K extends string, V>(
  path: string,
  field: K,
  valid: (value: unknown) => boolean,
): Promise<Map<string, V>> {
  const map = new Map<string, V>();
  let n = 0;
  for await (const line of readScenarioFile(path)) {
    n++;
    if (!line.trim()) continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      o = undefined;
    }
    const record = o as Record<string, unknown> | undefined;
    if (!record || typeof record !== "object" || typeof record.id !== "string" || !valid(record[field]))
      throw new TruthFileError(`${path}:${n}: expected a JSON line {"id": "...", "${field}": ...}`);
    map.set(record.id, record[field] as V);
  }
  return map;
}

async function evaluate(
  file: string,
  conversationOf: Map<string, string> | undefined,
  harshOf: Map<string, boolean> | undefined,
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
          const c = o.id ? conversationOf?.get(o.id) : undefined;
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
  return summarise(outputs, conversations, conversationOf, messages, personDays.size, harshOf);
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
  conversationOf: Map<string, string> | undefined,
  messages: number,
  personDays: number,
  harshOf?: Map<string, boolean>,
): EvalReport {
  const byKind = new Map<string, { count: number; worst: PersonDay }>(
    NUDGE_KINDS.map((kind) => [kind, { count: 0, worst: { count: 0 } }]),
  );
  const perPersonDay = new Map<string, number>();
  const perKindPersonDay = new Map<string, number>();
  const thread = { suggestions: 0, judged: 0, right: 0, targets: 0, recalled: 0 };
  const recalled = new Set<string>();
  const flagged = new Set<string>();
  for (const o of outputs) {
    const kind = o.source.replace(/^nudge\./, "");
    const entry = byKind.get(kind) ?? { count: 0, worst: { count: 0 } };
    entry.count++;
    byKind.set(kind, entry);
    for (const user of recipients(o)) {
      const day = o.at.slice(0, 10);
      const key = `${user}\u0000${day}`;
      perPersonDay.set(key, (perPersonDay.get(key) ?? 0) + 1);
      const kindKey = `${kind}\u0000${key}`;
      const n = (perKindPersonDay.get(kindKey) ?? 0) + 1;
      perKindPersonDay.set(kindKey, n);
      if (n > entry.worst.count) entry.worst = { count: n, user, day };
    }
    if (o.source === TONE_SOURCE && o.about) flagged.add(o.about);
    if (o.source !== THREAD_SOURCE || !conversationOf) continue;
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
  let max: PersonDay = { count: 0 };
  for (const [key, count] of perPersonDay) {
    if (count > max.count) {
      const [user, day] = key.split("\u0000");
      max = { count, user, day };
    }
  }
  return {
    messages,
    personDays,
    byKind,
    maxPerPersonDay: max,
    thread: conversationOf ? thread : undefined,
    tone: harshOf ? scoreTone(flagged, harshOf) : undefined,
  };
}

/** The be-kind hints against the tone labels, as tone_eval.py scores them (one hint per message). */
function scoreTone(flagged: Set<string>, harshOf: Map<string, boolean>): NonNullable<EvalReport["tone"]> {
  let harsh = 0;
  for (const h of harshOf.values()) if (h) harsh++;
  let judged = 0;
  let right = 0;
  for (const id of flagged) {
    const h = harshOf.get(id);
    if (h === undefined) continue;
    judged++;
    if (h) right++;
  }
  return { harsh, civil: harshOf.size - harsh, flagged: judged, right, unknown: flagged.size - judged };
}

export function formatReport(file: string, r: EvalReport, cap: number): string {
  const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
  const who = (p: PersonDay) => (p.user ? ` (${p.user}, ${p.day})` : "");
  const lines = [
    `Nudges on ${file}: ${r.messages.toLocaleString("en")} messages, ${r.personDays.toLocaleString("en")} active person-days`,
    "",
    "| nudge | count | per 1,000 messages | per active person per day | most to one person in a day |",
    "|---|---:|---:|---:|---:|",
  ];
  let total = 0;
  for (const kind of [...r.byKind.keys()].sort()) {
    const { count: n, worst } = r.byKind.get(kind)!;
    total += n;
    lines.push(
      `| ${kind} | ${n} | ${fmt((n * 1000) / r.messages, 2)} | ${fmt(n / r.personDays, 4)} | ${worst.count} |`,
    );
  }
  lines.push(
    `| **all** | ${total} | ${fmt((total * 1000) / r.messages, 2)} | ${fmt(total / r.personDays, 4)} | ${r.maxPerPersonDay.count} |`,
  );
  lines.push("");
  const m = r.maxPerPersonDay;
  lines.push(
    `Most nudges one person received in a day: ${m.count}${who(m)}; daily cap ${cap}` +
      (m.count > cap ? "  ABOVE THE CAP" : ""),
  );
  const t = r.thread;
  if (t)
    lines.push(
      `channel-to-thread: ${t.suggestions} suggestions, ${t.judged} about annotated messages; ` +
        `precision ${fmt(t.right / t.judged, 3)} (${t.right}/${t.judged}); ` +
        `recall ${fmt(t.recalled / t.targets, 3)} (${t.recalled}/${t.targets} conversations of ≥ 6 messages in 15 min among ≤ 3 people)`,
    );
  const tone = r.tone;
  if (tone) {
    const wrong = tone.flagged - tone.right;
    lines.push(
      `be-kind: ${tone.flagged} labelled messages hinted (${tone.harsh} harsh, ${tone.civil} civil); ` +
        `precision ${fmt(tone.right / tone.flagged, 3)} (${tone.right}/${tone.flagged}); ` +
        `recall ${fmt(tone.right / tone.harsh, 3)} (${tone.right}/${tone.harsh}); ` +
        `false alarms ${fmt((wrong * 1000) / tone.civil, 2)} per 1,000 civil messages (${wrong})` +
        (tone.unknown ? `; ${tone.unknown} hints about unlabelled messages not scored` : ""),
    );
  }
  return `${lines.join("\n")}\n`;
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { config: { type: "string" }, "tone-truth": { type: "string" } },
  });
}

runCli("eval", main);
