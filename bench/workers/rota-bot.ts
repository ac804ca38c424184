/**
 * The bot with many rotas already in its database, for the fan-out and start-up benchmarks.
 *
 *   rota-bot.ts --db FILE [--rotas N --seed-only] [--due-after-ms MS] [--api-url URL]
 *
 * --seed-only: seeds N rotas (rooms CB00000…, three members each, every day, UTC, at 09:00) through
 * the real RotaStore and exits. Otherwise starts the Slack adapter against the fake Web API on
 * 127.0.0.1 and sends `{kind: "ready", readyMs, dueAt}`: milliseconds from opening the database to
 * taking events (migrations checked, every rota re-armed). With --due-after-ms, every rota is first
 * re-timed to the first whole UTC minute at least that far away (dueAt), so they all fall due together
 * without waiting for 09:00. SIGTERM stops it.
 */
import { startSlackPlatform } from "../../src/adapters/slack/start.js";
import { SqlRotaStore } from "../../src/storage/rota-store.js";
import {
  BENCH_SIGNING_SECRET,
  BENCH_TEAM,
  BENCH_TOKEN,
  benchChannel,
  benchUser,
} from "../lib/slack-fixtures.js";
import { openBenchApp } from "./app.js";
import { answerCpuQueries, finish, option, send } from "./ipc.js";

const MEMBERS_PER_ROTA = 3;
const USERS = 50;

async function main(): Promise<void> {
  const dbFile = option("db")!;
  if (process.argv.includes("--seed-only")) {
    const rotas = Number(option("rotas", "0"));
    await seed(dbFile, rotas);
    return finish({ seeded: rotas });
  }
  const dueAfterMs = option("due-after-ms");
  const dueAt = dueAfterMs ? await retime(dbFile, Number(dueAfterMs)) : undefined;

  const started = performance.now();
  const app = await openBenchApp(dbFile);
  const adapter = await startSlackPlatform({
    app,
    botToken: BENCH_TOKEN,
    signingSecret: BENCH_SIGNING_SECRET,
    slackApiUrl: option("api-url")!,
    port: 0,
    host: "127.0.0.1",
  });
  const readyMs = performance.now() - started;
  answerCpuQueries();
  process.on("SIGTERM", () => {
    void adapter
      .stop()
      .then(() => app.db.close())
      .then(() => finish({ readyMs }));
  });
  await send({ kind: "ready", readyMs, dueAt });
}

async function seed(dbFile: string, count: number): Promise<void> {
  const app = await openBenchApp(dbFile);
  const store = new SqlRotaStore(app.db.db);
  // Set up an hour ago: a rota created after today's time would (rightly) not count as missed.
  const updatedAt = new Date(Date.now() - 3_600_000);
  for (let i = 0; i < count; i++) {
    const room = benchChannel(i);
    await store.saveRota({
      workspace: BENCH_TEAM,
      room,
      roomName: `bench-${i}`,
      roomKind: "public",
      time: "09:00",
      zone: "UTC",
      days: [1, 2, 3, 4, 5, 6, 7],
      holidays: null,
      paused: false,
      lateAnnouncement: "none",
      updatedAt,
    });
    const members = Array.from({ length: MEMBERS_PER_ROTA }, (_, k) => benchUser((i + k * 17) % USERS));
    await store.setMembers(BENCH_TEAM, room, members);
  }
  await app.db.close();
}

/** Moves every rota to the first whole UTC minute at least `afterMs` from now; returns that time. */
async function retime(dbFile: string, afterMs: number): Promise<number> {
  const dueAt = Math.ceil((Date.now() + afterMs) / 60_000) * 60_000;
  const time = new Date(dueAt).toISOString().slice(11, 16);
  const app = await openBenchApp(dbFile);
  const store = new SqlRotaStore(app.db.db);
  for (const rota of await store.listRotas()) await store.saveRota({ ...rota, time });
  await app.db.close();
  return dueAt;
}

main().catch((err) => {
  process.stderr.write(`rota-bot: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
