/**
 * 4. Announcement fan-out: 1,000 rooms whose rotas fall due in the same minute, the bot on Slack
 * against the fake Web API enforcing one post per second per channel and a workspace-wide limit
 * (answering 429 with Retry-After). Measures the time from the due minute to the last successful post
 * against the lower bound those limits allow for the same number of posts, the 429s, and losses.
 */
import { join } from "node:path";
import { type LongRunningWorker, runWorker, startWorker } from "./lib/child.js";
import { fmt, fmtRatio } from "./lib/table.js";
import type { BenchContext, Benchmark, BenchResult } from "./lib/types.js";

const ROOMS = 1000;
const QUICK_ROOMS = 200;
/** Slack: about one post per second per channel. */
const PER_CHANNEL_MS = 1000;
/** A workspace-wide limit low enough to bind: 100 posts in any 1 s window. */
const WORKSPACE_POSTS = 100;
const WORKSPACE_WINDOW_MS = 1000;
const RETRY_AFTER_S = 1;
const TARGET_RATIO = 1.2;
/** Time the bot has to re-time the rotas and start before the due minute (then up to 60 s more). */
const LEAD_MS = 12_000;

interface FakeStats {
  rateLimited: number;
  posts: number;
  roomsPosted: number;
  roomPosts: number;
  directPosts: number;
  mostPostsInOneRoom: number;
  firstPostAt?: number;
  lastPostAt?: number;
  byMethod: unknown;
}

/** The least time `posts` posts can take under the limits (the first may go at once). */
export function fanoutLowerBoundMs(posts: number, mostInOneChannel: number): number {
  const workspace = Math.floor(Math.max(0, posts - 1) / WORKSPACE_POSTS) * WORKSPACE_WINDOW_MS;
  const channel = Math.max(0, mostInOneChannel - 1) * PER_CHANNEL_MS;
  return Math.max(workspace, channel);
}

export const fanoutBenchmark: Benchmark = {
  name: "fanout",
  title: "Rota announcements in 1,000 rooms due in the same minute, under Slack's rate limits",
  async run(ctx: BenchContext): Promise<BenchResult> {
    const rooms = ctx.quick ? QUICK_ROOMS : ROOMS;
    const db = join(ctx.tmpDir, "fanout.sqlite");
    ctx.status.show(`fanout: seeding ${fmt(rooms)} rotas`, true);
    await runWorker("rota-bot", ["--db", db, "--rotas", String(rooms), "--seed-only"]);

    const fake = await startWorker("fake-slack", [
      ...["--channels", String(rooms), "--per-channel-ms", String(PER_CHANNEL_MS)],
      ...["--workspace-posts", String(WORKSPACE_POSTS), "--workspace-window-ms", String(WORKSPACE_WINDOW_MS)],
      ...["--retry-after", String(RETRY_AFTER_S)],
    ]);
    let bot: LongRunningWorker | undefined;
    let stats: FakeStats;
    let dueAt: number;
    // The bot's CPU time from ready to the end: nearly all of it is the fan-out itself.
    let botCpuMs: number;
    let fakeCpuMs: number;
    try {
      bot = await startWorker(
        "rota-bot",
        ["--db", db, "--api-url", String(fake.ready.apiUrl), "--due-after-ms", String(LEAD_MS)],
        // Its 429 warnings are the point of the benchmark (the table counts them), not news.
        { nodeFlags: ctx.subjectFlags, env: { LOG_LEVEL: "error" } },
      );
      dueAt = Number(bot.ready.dueAt);
      if (Date.now() >= dueAt)
        throw new Error("the bot was not ready before the rotas fell due; machine too busy?");
      const cpuAtReady = Number((await bot.ask("cpu")).ms);
      const fakeCpuAtReady = Number((await fake.ask("cpu")).ms);
      // Each announcement is a room post and a private hand-over DM: 2 posts a room.
      const expected = 2 * rooms;
      const deadline = dueAt + 5 * fanoutLowerBoundMs(expected, 1) + 60_000;
      for (;;) {
        stats = (await fake.ask("stats")) as unknown as FakeStats;
        const wait = dueAt - Date.now();
        ctx.status.show(
          wait > 0
            ? `fanout: announcements due in ${Math.ceil(wait / 1000)} s`
            : `fanout: ${fmt(stats.roomsPosted)}/${fmt(rooms)} rooms announced, ${fmt(stats.rateLimited)} × 429`,
        );
        if (stats.posts >= expected || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      // A little longer: a duplicate would arrive now.
      await new Promise((r) => setTimeout(r, 2000));
      stats = (await fake.ask("stats")) as unknown as FakeStats;
      botCpuMs = Number((await bot.ask("cpu")).ms) - cpuAtReady;
      fakeCpuMs = Number((await fake.ask("cpu")).ms) - fakeCpuAtReady;
      await bot.stop();
      bot = undefined;
    } finally {
      await bot?.stop().catch(() => undefined);
      await fake.stop().catch(() => undefined);
    }
    const lowerBound = fanoutLowerBoundMs(stats.posts, stats.mostPostsInOneRoom);
    const tookMs = stats.lastPostAt !== undefined ? stats.lastPostAt - dueAt : Number.NaN;
    const r = tookMs / lowerBound;
    const lost = rooms - stats.roomsPosted;
    ctx.status.log(
      `fanout: ${fmt(stats.posts)} posts in ${fmt(tookMs / 1000, 1)} s (lower bound ${fmt(lowerBound / 1000, 1)} s)`,
    );
    return {
      name: "fanout",
      rows: [
        // The bot's CPU from ready to the end: nearly all of it the fan-out (no baseline to compare).
        { measure: "bot CPU ms per announcement (user + system)", subject: fmt(botCpuMs / rooms, 1) },
        {
          measure: `time to deliver all ${fmt(stats.posts)} posts (${fmt(rooms)} announcements + hand-over DMs) vs lower bound`,
          baseline: `${fmt(lowerBound / 1000, 1)} s`,
          subject: `${fmt(tookMs / 1000, 1)} s`,
          ratio: fmtRatio(r),
          target: `≤ ${TARGET_RATIO}×`,
          met: r <= TARGET_RATIO,
        },
        { measure: "429 answers received", subject: fmt(stats.rateLimited) },
        {
          measure: "announcements lost / posted twice",
          subject: `${fmt(lost)} / ${fmt(stats.roomPosts - stats.roomsPosted)}`,
          target: "0 / 0",
          met: lost === 0 && stats.roomPosts === stats.roomsPosted,
        },
      ],
      figures: {
        rooms,
        dueAt: new Date(dueAt).toISOString(),
        limits: { PER_CHANNEL_MS, WORKSPACE_POSTS, WORKSPACE_WINDOW_MS, RETRY_AFTER_S },
        lowerBoundMs: lowerBound,
        tookMs,
        ratio: r,
        botCpuMs,
        fakeCpuMs,
        firstPostAfterDueMs: stats.firstPostAt !== undefined ? stats.firstPostAt - dueAt : null,
        stats,
      },
      notes: [
        `limits: ${PER_CHANNEL_MS} ms between posts in a channel, ${WORKSPACE_POSTS} posts per ${WORKSPACE_WINDOW_MS} ms per workspace, Retry-After ${RETRY_AFTER_S} s`,
      ],
    };
  },
};
