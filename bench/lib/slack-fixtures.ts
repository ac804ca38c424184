/**
 * The bench workspace on the fake Slack API, and the signed Events API requests the HTTP benchmark
 * sends: ordinary channel messages whose texts come from the ubuntu-irc dev corpus, spread over
 * channels and people, so the bot does the work it does on real chat (directory, nudges, database).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { hasDecisionLanguage } from "../../src/core/decisions/text.js";
import { eventCallback, mkMessage, slackHeaders } from "../../test/helpers/fake-slack-requests.js";
import type { LoadRequest } from "./load.js";

export const BENCH_TEAM = "TBENCH";
export const BENCH_TOKEN = "xoxb-bench-token";
// Not a secret: a fixed value shared by the load generator and the servers under test.
export const BENCH_SIGNING_SECRET = "bench-signing-secret";

export function benchUser(i: number): string {
  return `UB${String(i).padStart(5, "0")}`;
}

export function benchChannel(i: number): string {
  return `CB${String(i).padStart(5, "0")}`;
}

/** Where the message texts come from: the ubuntu-irc dev corpus beside the checkout. */
export const DEV_CORPUS = resolve(
  fileURLToPath(new URL("../..", import.meta.url)),
  process.env.OUTLOUD_SHARED_DIR ?? "../shared",
  "corpora/ubuntu-irc/dev.jsonl",
);

/** Message texts from a scenario file (JSON Lines), at most `max` of them. */
export function sampleTexts(file: string, max = 5000): string[] {
  const texts: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (texts.length >= max) break;
    if (!line.trim()) continue;
    const o = JSON.parse(line) as { type?: string; text?: string };
    if (o.type === "message" && o.text) texts.push(o.text);
  }
  return texts;
}

/** One event of the stream, with what the replica benchmark needs to follow it. */
export interface BenchEvent {
  request: LoadRequest;
  eventId: string;
  /** On a thread reply stating a decision: `channel thread_ts`, where the bot's one suggestion is expected. */
  decisionThread?: string;
}

/** What each decision-stating reply says before its corpus text ("we decided" is decision language). */
export const DECISION_PREFIX = "We decided to go with this:";

/**
 * A stream of signed `message` events. Every request has its own event_id and ts (the bot
 * deduplicates by event_id); every fifth message is a reply in the thread of an earlier one, each
 * in a thread of its own. With `decisionEvery`, every such reply whose number is a multiple of it
 * (counting from 1) states a decision, to which the bot answers once per thread with a private suggestion.
 */
export class MessageEventStream {
  private count = 0;
  private lastRoot: { ts: string; channel: string } | undefined;

  constructor(
    private readonly texts: string[],
    private readonly options: { users?: number; channels?: number; decisionEvery?: number } = {},
  ) {}

  /** The next request (built before a load step starts, so building costs nothing in it). */
  next(): LoadRequest {
    return this.nextEvent().request;
  }

  nextEvent(): BenchEvent {
    const n = this.count++;
    const users = this.options.users ?? 50;
    const user = benchUser((n * 7) % users);
    const ts = `${Math.floor(Date.now() / 1000)}.${String(n % 1_000_000).padStart(6, "0")}`;
    const root = n % 5 === 4 ? this.lastRoot : undefined;
    // Threads start in every channel in turn (not only in those whose number is a multiple of 5), so
    // the bot's answers in threads spread over all channels as they would in a workspace.
    const channels = this.options.channels ?? 20;
    const channel = root?.channel ?? benchChannel((n % 5 === 0 ? n / 5 : n) % channels);
    if (n % 5 === 0) this.lastRoot = { ts, channel };
    const every = this.options.decisionEvery;
    const corpusText = this.texts[n % this.texts.length]!;
    const text =
      root && every !== undefined && (n + 1) % (5 * every) === 0
        ? `${DECISION_PREFIX} ${corpusText}`
        : corpusText;
    // Some corpus replies state a decision of their own: they get the same answer.
    const decides = root !== undefined && hasDecisionLanguage(text);
    const message = mkMessage({ user, channel, text, ts, ...(root ? { thread_ts: root.ts } : {}) });
    const eventId = `EvBENCH${n}`;
    const body = JSON.stringify(eventCallback(BENCH_TEAM, message, { event_id: eventId }));
    return {
      request: { path: "/slack/events", body, headers: slackHeaders(BENCH_SIGNING_SECRET, body) },
      eventId,
      ...(decides ? { decisionThread: `${channel} ${root.ts}` } : {}),
    };
  }
}

/** The same request as Slack's retry number `retryNum`, sent to `port`. */
export function asRetry(request: LoadRequest, retryNum: number, port: number): LoadRequest {
  return { ...request, port, headers: slackHeaders(BENCH_SIGNING_SECRET, request.body, { retryNum }) };
}
