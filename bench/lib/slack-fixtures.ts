/**
 * The bench workspace on the fake Slack API, and the signed Events API requests the HTTP benchmark
 * sends: ordinary channel messages whose texts come from the ubuntu-irc dev corpus, spread over
 * channels and people, so the bot does the work it does on real chat (directory, nudges, database).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { eventCallback, mkMessage, slackSignature } from "../../test/helpers/fake-slack-requests.js";
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
  "../shared/corpora/ubuntu-irc/dev.jsonl",
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

/**
 * A stream of signed `message` events. Every request has its own event_id and ts (the bot
 * deduplicates by event_id); every fifth message is a reply in the thread of an earlier one.
 */
export class MessageEventStream {
  private count = 0;
  private lastRoot: { ts: string; channel: string } | undefined;

  constructor(
    private readonly texts: string[],
    private readonly users = 50,
    private readonly channels = 20,
  ) {}

  /** The next request (built before a load step starts, so building costs nothing in it). */
  next(): LoadRequest {
    const n = this.count++;
    const user = benchUser((n * 7) % this.users);
    const ts = `${Math.floor(Date.now() / 1000)}.${String(n % 1_000_000).padStart(6, "0")}`;
    const root = n % 5 === 4 ? this.lastRoot : undefined;
    const channel = root?.channel ?? benchChannel(n % this.channels);
    if (n % 5 === 0) this.lastRoot = { ts, channel };
    const text = this.texts[n % this.texts.length]!;
    const message = mkMessage({ user, channel, text, ts, ...(root ? { thread_ts: root.ts } : {}) });
    const body = JSON.stringify(eventCallback(BENCH_TEAM, message, { event_id: `EvBENCH${n}` }));
    const timestamp = Math.floor(Date.now() / 1000);
    return {
      path: "/slack/events",
      body,
      headers: {
        "content-type": "application/json",
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": slackSignature(BENCH_SIGNING_SECRET, timestamp, body),
      },
    };
  }
}
