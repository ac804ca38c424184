/**
 * The contract fake of the Slack Web API (test/helpers/fake-slack-api.ts) in a process of its own, so
 * the work of answering the bot's calls is never charged to the bot or to the load generator.
 *
 *   fake-slack.ts --team T --token xoxb-… [--users N] [--channels N]
 *                 [--per-channel-ms MS --workspace-posts N --workspace-window-ms MS --retry-after S]
 *                 [--count-in-threads TEXT]
 *
 * Sends `{kind: "ready", apiUrl}`; on SIGTERM sends a summary of the calls it saw and exits. With
 * --count-in-threads, the summary also counts the posts and private notices that contain TEXT, per
 * `channel thread_ts`: how the replica benchmark sees which events were acted on, and how often.
 */
import { FakeSlackApi } from "../../test/helpers/fake-slack-api.js";
import { BENCH_TEAM, BENCH_TOKEN, benchChannel, benchUser } from "../lib/slack-fixtures.js";
import { answerCpuQueries, finish, option, send } from "./ipc.js";

async function main(): Promise<void> {
  const team = option("team", BENCH_TEAM)!;
  const token = option("token", BENCH_TOKEN)!;
  const users = Number(option("users", "50"));
  const channels = Number(option("channels", "20"));
  const fake = await new FakeSlackApi().start();
  // The benchmarks measure the bot against the posting limits they set, not the per-method tiers.
  fake.tierLimits = false;
  const workspace = fake.addWorkspace({ team, botToken: token });
  const members = Array.from({ length: users }, (_, i) => benchUser(i));
  for (const id of members) fake.addUser({ id, team, name: id.toLowerCase(), tz: "Europe/Berlin" });
  // The bot is in every channel, as after an invite: it may post there.
  const inChannel = [...members, workspace.botUserId!];
  for (let i = 0; i < channels; i++)
    fake.addConversation({
      id: benchChannel(i),
      team,
      name: `bench-${i}`,
      kind: "public",
      members: inChannel,
    });
  fake.limits = {
    perChannelIntervalMs: Number(option("per-channel-ms", "0")),
    workspacePosts: Number(option("workspace-posts", "0")),
    workspaceWindowMs: Number(option("workspace-window-ms", "60000")),
    retryAfterSeconds: Number(option("retry-after", "1")),
  };

  const counted = option("count-in-threads");
  const summary = () => ({
    ...summarise(fake),
    ...(counted ? { inThreads: countInThreads(fake, counted) } : {}),
  });
  answerCpuQueries();
  process.on("message", (m: { kind?: string }) => {
    if (m.kind === "stats") void send({ kind: "stats", ...summary() });
  });
  process.on("SIGTERM", () => {
    void finish(summary());
  });
  await send({ kind: "ready", apiUrl: fake.apiUrl });
}

/** What the fake saw: calls by method and outcome, and the successful posts (room vs DM). */
function summarise(fake: FakeSlackApi): Record<string, unknown> {
  const byMethod: Record<string, { ok: number; rateLimited: number; failed: number }> = {};
  for (const c of fake.calls) {
    byMethod[c.method] ??= { ok: 0, rateLimited: 0, failed: 0 };
    const m = byMethod[c.method]!;
    if (c.status === 429) m.rateLimited++;
    else if (c.status === 200 && !c.error) m.ok++;
    else m.failed++;
  }
  const posts = fake.succeeded("chat.postMessage");
  const perRoom = new Map<string, number>();
  let directPosts = 0;
  for (const p of posts) {
    const channel = String(p.args.channel);
    if (channel.startsWith("D")) directPosts++;
    else perRoom.set(channel, (perRoom.get(channel) ?? 0) + 1);
  }
  return {
    byMethod,
    rateLimited: fake.calls.filter((c) => c.status === 429).length,
    posts: posts.length,
    roomsPosted: perRoom.size,
    roomPosts: posts.length - directPosts,
    directPosts,
    mostPostsInOneRoom: Math.max(0, ...perRoom.values()),
    firstPostAt: posts[0]?.at,
    lastPostAt: posts[posts.length - 1]?.at,
    perSecond: perSecond(fake, posts[0]?.at),
    otherCallsPerSecond: otherCallsPerSecond(fake, posts[0]?.at),
    channelGapMs: channelGaps(posts),
  };
}

/** The other methods' calls in each second from the first post: whether the posts waited for the work behind them. */
function otherCallsPerSecond(fake: FakeSlackApi, from: number | undefined): Record<string, number[]> {
  const counts: Record<string, number[]> = {};
  if (from === undefined) return counts;
  for (const c of fake.calls) {
    if (c.method === "chat.postMessage" || c.at < from) continue;
    const second = Math.floor((c.at - from) / 1000);
    counts[c.method] ??= [];
    const b = counts[c.method]!;
    while (b.length <= second) b.push(0);
    b[second]!++;
  }
  return counts;
}

/** Time between successive successful posts in one channel: the part of the channel limit a poster leaves unused. */
function channelGaps(posts: Array<{ args: Record<string, unknown>; at: number }>): {
  gaps: number;
  medianMs?: number;
  p90Ms?: number;
} {
  const last = new Map<string, number>();
  const gaps: number[] = [];
  for (const p of posts) {
    const channel = String(p.args.channel);
    const before = last.get(channel);
    if (before !== undefined) gaps.push(p.at - before);
    last.set(channel, p.at);
  }
  gaps.sort((a, b) => a - b);
  if (gaps.length === 0) return { gaps: 0 };
  return {
    gaps: gaps.length,
    medianMs: gaps[Math.floor(gaps.length / 2)],
    p90Ms: gaps[Math.floor(gaps.length * 0.9)],
  };
}

function countInThreads(fake: FakeSlackApi, text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of fake.calls) {
    if (c.status !== 200 || c.error || !String(c.args.text ?? "").includes(text)) continue;
    if (c.method !== "chat.postMessage" && c.method !== "chat.postEphemeral") continue;
    const key = `${c.args.channel} ${c.args.thread_ts ?? ""}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Room posts, DMs and 429s in each second from the first post: where a fan-out lost time. */
function perSecond(fake: FakeSlackApi, from: number | undefined): Array<[number, number, number]> {
  if (from === undefined) return [];
  const buckets: Array<[number, number, number]> = [];
  for (const c of fake.calls) {
    if (c.method !== "chat.postMessage" || c.at < from) continue;
    const second = Math.floor((c.at - from) / 1000);
    while (buckets.length <= second) buckets.push([0, 0, 0]);
    const b = buckets[second]!;
    if (c.status === 429) b[2]++;
    else if (c.status === 200 && !c.error) b[String(c.args.channel).startsWith("D") ? 1 : 0]++;
  }
  return buckets;
}

main().catch((err) => {
  process.stderr.write(`fake-slack: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
