/**
 * The Slack Web API calls the bot makes for a unit of work, counted per method by the contract fake
 * (test/helpers/fake-slack-api.ts). Rate limits, not CPU, are what a Slack bot runs out of first. One
 * process holds the fake and the adapter (nothing here is timed); each scenario gets a fresh fake,
 * adapter and SQLite file, and is counted from a cold start of the adapter, the worst case.
 *
 *   slack-calls.ts --corpus FILE --db-dir DIR [--events N]
 *
 * Scenarios:
 *   corpus        the first N messages of the corpus as signed Events API `message` events (people
 *                 and rooms as in the corpus, nick mentions as `<@U…>`), one after another;
 *   announcement  `/rota announce` in a 600-member channel, then an `@here` message there, after a
 *                 restart of the adapter (the rota set up before it);
 *   home          App Home opened by a member of a 600-member channel with a decision in it, after a
 *                 restart; then opened by a second member.
 * Sends `{kind: "result", scenarios}` with the calls per method of each counted window.
 */
import { join } from "node:path";
import { readScenarioFile } from "../../src/adapters/local/replay.js";
import { startSlackPlatform } from "../../src/adapters/slack/start.js";
import type { AppContext } from "../../src/app.js";
import type { PlatformRuntime } from "../../src/runtime/runtime.js";
import { FakeSlackApi } from "../../test/helpers/fake-slack-api.js";
import {
  eventCallback,
  mkMessage,
  mkSlashCommand,
  postSigned,
} from "../../test/helpers/fake-slack-requests.js";
import {
  BENCH_SIGNING_SECRET,
  BENCH_TEAM,
  BENCH_TOKEN,
  benchChannel,
  benchUser,
} from "../lib/slack-fixtures.js";
import { openBenchApp } from "./app.js";
import { finish, option, send } from "./ipc.js";

/** The channel size of the Slack issue's targets. */
const BIG_CHANNEL_MEMBERS = 600;
const BIG_CHANNEL = "CBIG00001";
/** No new call for this long: the work an event started is taken to be done. */
const QUIET_MS = 1000;
const MAX_WAIT_MS = 60_000;

export interface CountedWindow {
  /** Calls per Web API method (answered or not). */
  byMethod: Record<string, number>;
  total: number;
}

interface Running {
  fake: FakeSlackApi;
  app: AppContext;
  adapter: PlatformRuntime;
  url: string;
}

async function main(): Promise<void> {
  const corpus = option("corpus")!;
  const dir = option("db-dir")!;
  const events = Number(option("events", "2000"));
  const corpusRun = await corpusScenario(corpus, join(dir, "corpus.sqlite"), events);
  const announcement = await announcementScenario(join(dir, "announcement.sqlite"));
  const home = await homeScenario(join(dir, "home.sqlite"));
  await finish({ corpus: corpusRun, announcement, home, bigChannelMembers: BIG_CHANNEL_MEMBERS });
}

/** The corpus's first `limit` messages through the adapter, one after another. */
async function corpusScenario(corpus: string, db: string, limit: number) {
  const lines: Array<{
    id: string;
    user: string;
    room: string;
    text: string;
    thread?: string;
    mentions?: string[];
  }> = [];
  for await (const raw of readScenarioFile(corpus)) {
    if (lines.length >= limit) break;
    const line = JSON.parse(raw) as { type: string } & (typeof lines)[number];
    if (line.type === "message") lines.push(line);
  }
  const users = new Map<string, string>();
  const rooms = new Map<string, { id: string; members: Set<string> }>();
  for (const l of lines) {
    if (!users.has(l.user)) users.set(l.user, benchUser(users.size));
    const room = rooms.get(l.room) ?? { id: benchChannel(rooms.size), members: new Set<string>() };
    rooms.set(l.room, room);
    room.members.add(users.get(l.user)!);
  }
  const fake = await startFake((f, botUserId) => {
    for (const [nick, id] of users) f.addUser({ id, team: BENCH_TEAM, name: nick, tz: "Europe/Berlin" });
    for (const [name, room] of rooms)
      f.addConversation({
        id: room.id,
        team: BENCH_TEAM,
        name: name.slice(1, 80),
        kind: "public",
        members: [...room.members, botUserId],
      });
  });
  const run = await startBot(fake, db);
  try {
    const from = fake.calls.length;
    const tsOf = new Map<string, string>();
    let n = 0;
    for (const l of lines) {
      const ts = `${Math.floor(Date.now() / 1000)}.${String(n++).padStart(6, "0")}`;
      tsOf.set(l.id, ts);
      let text = l.text;
      // Slack spells a mention as the person's id in angle brackets.
      for (const nick of l.mentions ?? []) {
        const id = users.get(nick);
        if (id) text = text.replace(nick, `<@${id}>`);
      }
      const thread = l.thread ? tsOf.get(l.thread) : undefined;
      const message = mkMessage({
        user: users.get(l.user)!,
        channel: rooms.get(l.room)!.id,
        text,
        ts,
        ...(thread ? { thread_ts: thread } : {}),
      });
      await expectOk(postSigned(run.url, BENCH_SIGNING_SECRET, eventCallback(BENCH_TEAM, message)));
      if (n % 100 === 0) await send({ kind: "progress", scenario: "corpus", done: n, total: lines.length });
    }
    await quiet(fake);
    return { events: lines.length, people: users.size, rooms: rooms.size, ...counted(fake, from) };
  } finally {
    await stopBot(run);
    await fake.close();
  }
}

/** A rota announcement and an `@here` in a 600-member channel, from a cold start. */
async function announcementScenario(db: string) {
  const fake = await startFake(seedBigChannel);
  let run = await startBot(fake, db);
  const setupFrom = fake.calls.length;
  const members = [benchUser(1), benchUser(2), benchUser(3)];
  await expectOk(
    command(
      run,
      benchUser(1),
      "/rota",
      `setup ${members.map((u) => `<@${u}|${u.toLowerCase()}>`).join(" ")} at 09:00`,
    ),
  );
  await quiet(fake);
  const setup = counted(fake, setupFrom);
  await stopBot(run);
  run = await startBot(fake, db);
  try {
    const from = fake.calls.length;
    await expectOk(command(run, benchUser(1), "/rota", "announce"));
    await quiet(fake);
    const message = mkMessage({
      user: benchUser(5),
      channel: BIG_CHANNEL,
      text: "<!here> deploy starts in 5 minutes",
    });
    await expectOk(postSigned(run.url, BENCH_SIGNING_SECRET, eventCallback(BENCH_TEAM, message)));
    await quiet(fake);
    return { setup, announceAndHere: counted(fake, from), posted: fake.succeeded("chat.postMessage").length };
  } finally {
    await stopBot(run);
    await fake.close();
  }
}

/** App Home opened after a restart by a member of a 600-member channel with a decision, then by another. */
async function homeScenario(db: string) {
  const fake = await startFake(seedBigChannel);
  let run = await startBot(fake, db);
  await expectOk(command(run, benchUser(1), "/decision", "We ship on Fridays only after the checklist."));
  await quiet(fake);
  await stopBot(run);
  run = await startBot(fake, db);
  try {
    const open = async (user: string) => {
      const from = fake.calls.length;
      const published = fake.succeeded("views.publish").length;
      await expectOk(
        postSigned(
          run.url,
          BENCH_SIGNING_SECRET,
          eventCallback(BENCH_TEAM, { type: "app_home_opened", user, channel: "DHOME", tab: "home" }),
        ),
      );
      await quiet(fake);
      if (fake.succeeded("views.publish").length <= published) throw new Error("App Home was not published");
      return counted(fake, from);
    };
    const first = await open(benchUser(2));
    const second = await open(benchUser(3));
    return { first, second };
  } finally {
    await stopBot(run);
    await fake.close();
  }
}

function seedBigChannel(fake: FakeSlackApi, botUserId: string): void {
  const members = Array.from({ length: BIG_CHANNEL_MEMBERS }, (_, i) => benchUser(i));
  for (const id of members)
    fake.addUser({ id, team: BENCH_TEAM, name: id.toLowerCase(), tz: "Europe/Berlin" });
  fake.addConversation({
    id: BIG_CHANNEL,
    team: BENCH_TEAM,
    name: "everyone",
    kind: "public",
    members: [...members, botUserId],
  });
}

async function startFake(seed: (fake: FakeSlackApi, botUserId: string) => void): Promise<FakeSlackApi> {
  const fake = await new FakeSlackApi().start();
  // What the bot asks for, not its retries: Slack's per-method tiers would add 429s and waits.
  fake.tierLimits = false;
  const workspace = fake.addWorkspace({ team: BENCH_TEAM, botToken: BENCH_TOKEN });
  seed(fake, workspace.botUserId!);
  return fake;
}

async function startBot(fake: FakeSlackApi, db: string): Promise<Running> {
  const app = await openBenchApp(db);
  const adapter = await startSlackPlatform({
    app,
    botToken: BENCH_TOKEN,
    signingSecret: BENCH_SIGNING_SECRET,
    slackApiUrl: fake.apiUrl,
    port: 0,
    host: "127.0.0.1",
  });
  return { fake, app, adapter, url: `http://127.0.0.1:${adapter.port}` };
}

async function stopBot(run: Running): Promise<void> {
  await run.adapter.stop();
  await run.app.db.close();
}

function command(run: Running, user: string, name: string, text: string) {
  return postSigned(
    run.url,
    BENCH_SIGNING_SECRET,
    mkSlashCommand({
      team: BENCH_TEAM,
      user,
      channel: BIG_CHANNEL,
      channelName: "everyone",
      command: name,
      text,
      responseUrl: run.fake.responseUrl(),
    }),
  );
}

async function expectOk(response: Promise<{ status: number }>): Promise<void> {
  const { status } = await response;
  if (status !== 200) throw new Error(`the adapter answered ${status}`);
}

/** Resolves once the fake has seen no call for QUIET_MS (the work started is done). */
async function quiet(fake: FakeSlackApi): Promise<void> {
  const started = Date.now();
  let seen = fake.calls.length;
  let since = Date.now();
  while (Date.now() - since < QUIET_MS) {
    if (Date.now() - started > MAX_WAIT_MS)
      throw new Error(`Web API calls still going after ${MAX_WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
    if (fake.calls.length !== seen) {
      seen = fake.calls.length;
      since = Date.now();
    }
  }
}

/** The calls since `from`, per method. */
function counted(fake: FakeSlackApi, from: number): CountedWindow {
  const byMethod: Record<string, number> = {};
  const calls = fake.calls.slice(from);
  for (const c of calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
  return { byMethod, total: calls.length };
}

main().catch((err) => {
  process.stderr.write(`slack-calls: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
