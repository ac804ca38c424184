/**
 * 7. Slack Web API calls per unit of work: per 1,000 corpus events through the Slack adapter, per rota
 * announcement (with an `@here` after it) in a 600-member channel, and per App Home open, counted per
 * method by the contract fake. A Slack bot runs out of rate limit (users.info: about 100 a minute)
 * long before it runs out of CPU. Nothing is timed: the counts are the same on a busy machine.
 */
import { runWorker } from "./lib/child.js";
import { fmt } from "./lib/table.js";
import type { BenchContext, Benchmark, BenchResult } from "./lib/types.js";

/** The Slack issue's targets, for a 600-member channel. */
const TARGET_USERS_INFO_ANNOUNCEMENT = 10;
const TARGET_CALLS_PER_HOME_OPEN = 5;
const EVENTS = 2000;
const QUICK_EVENTS = 500;

interface Window {
  byMethod: Record<string, number>;
  total: number;
}

interface CallsRun {
  corpus: Window & { events: number; people: number; rooms: number };
  announcement: { setup: Window; announceAndHere: Window; posted: number };
  home: { first: Window; second: Window };
  bigChannelMembers: number;
}

export const slackCallsBenchmark: Benchmark = {
  name: "slack-calls",
  title: "Slack Web API calls per unit of work, counted per method by the fake",
  async run(ctx: BenchContext): Promise<BenchResult> {
    const events = ctx.quick ? QUICK_EVENTS : EVENTS;
    const run = await runWorker<CallsRun>(
      "slack-calls",
      ["--corpus", ctx.corpus, "--db-dir", ctx.tmpDir, "--events", String(events)],
      {
        nodeFlags: ctx.subjectFlags,
        timeoutMs: 15 * 60_000,
        onMessage: (m) =>
          ctx.status.show(`slack-calls: ${m.scenario} ${fmt(Number(m.done))}/${fmt(Number(m.total))}`),
      },
    );
    const { corpus, announcement, home } = run;
    const perThousand = (n: number) => (n * 1000) / corpus.events;
    const usersInfo = announcement.announceAndHere.byMethod["users.info"] ?? 0;
    const big = fmt(run.bigChannelMembers);
    return {
      name: "slack-calls",
      rows: [
        {
          measure: `Web API calls per 1,000 corpus events (${fmt(corpus.events)} events, ${fmt(corpus.people)} people, ${fmt(corpus.rooms)} channels)`,
          subject: fmt(perThousand(corpus.total), 1),
        },
        { measure: "  of which, per method", subject: methods(corpus.byMethod, perThousand) },
        {
          measure: `users.info for a rota announcement + an @here in a ${big}-member channel (cold start)`,
          subject: fmt(usersInfo),
          target: `≤ ${TARGET_USERS_INFO_ANNOUNCEMENT}`,
          met: usersInfo <= TARGET_USERS_INFO_ANNOUNCEMENT,
        },
        {
          measure: "  all calls for it, per method",
          subject: `${fmt(announcement.announceAndHere.total)}: ${methods(announcement.announceAndHere.byMethod)}`,
        },
        {
          measure: `Web API calls per App Home open, ${big}-member channel with a decision: first after a restart`,
          subject: `${fmt(home.first.total)}: ${methods(home.first.byMethod)}`,
          target: `≤ ${TARGET_CALLS_PER_HOME_OPEN}`,
          met: home.first.total <= TARGET_CALLS_PER_HOME_OPEN,
        },
        {
          measure: "  the next open, by another member",
          subject: `${fmt(home.second.total)}: ${methods(home.second.byMethod)}`,
          target: `≤ ${TARGET_CALLS_PER_HOME_OPEN}`,
          met: home.second.total <= TARGET_CALLS_PER_HOME_OPEN,
        },
      ],
      figures: { ...run },
      notes: [
        `each scenario on a fresh fake, database and adapter; the announcement and App Home counted after a restart of the adapter (empty caches); the rota's setup took ${fmt(announcement.setup.total)} calls (${methods(announcement.setup.byMethod)})`,
      ],
    };
  },
};

/** Methods shown in a cell; every method is in bench/results.json. */
const SHOWN_METHODS = 4;

/** `users.info 12, chat.postMessage 3, …`: the methods by count, most first. */
function methods(byMethod: Record<string, number>, scale: (n: number) => number = (n) => n): string {
  const entries = Object.entries(byMethod).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return "none";
  const digits = scale(1) === 1 ? 0 : 1;
  const shown = entries.slice(0, SHOWN_METHODS).map(([m, n]) => `${m} ${fmt(scale(n), digits)}`);
  const rest = entries.slice(SHOWN_METHODS).reduce((sum, [, n]) => sum + n, 0);
  return rest > 0 ? `${shown.join(", ")}, others ${fmt(scale(rest), digits)}` : shown.join(", ");
}
