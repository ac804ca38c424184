/**
 * The two servers of the Slack HTTP benchmark, each in its own process on 127.0.0.1:
 *   --mode bare  a bare Bolt App (HTTPReceiver, request signing, a single bot token) with a no-op
 *                `message` listener: the least any Bolt app does per event;
 *   --mode bot   Outloud's Slack platform (startSlackPlatform: dedup by event_id in the database, directory,
 *                every feature through createEngine) on a SQLite file or a PostgreSQL URL (one replica
 *                of several, when they share the URL).
 * Both talk to the same fake Slack Web API (--api-url). Sends `{kind: "ready", port}`; SIGTERM stops it
 * and reports the event-loop delay and, for the bot, how many events it handed to the core.
 *
 *   slack-server.ts --mode bare|bot --api-url URL [--db FILE|postgres://…]
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { App, LogLevel } from "@slack/bolt";
import { startSlackPlatform } from "../../src/adapters/slack/start.js";
import { BENCH_SIGNING_SECRET, BENCH_TOKEN } from "../lib/slack-fixtures.js";
import { openBenchApp } from "./app.js";
import { answerCpuQueries, finish, option, send } from "./ipc.js";

async function main(): Promise<void> {
  const mode = option("mode");
  // How long the event loop was blocked: an ack can be no faster than the loop gets back to it.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const apiUrl = option("api-url")!;
  let port: number;
  let stop: () => Promise<void>;
  // Events past deduplication, handed to the core: across replicas, each event must count once.
  let eventsHandled = async () => 0;
  if (mode === "bare") {
    const app = new App({
      token: BENCH_TOKEN,
      signingSecret: BENCH_SIGNING_SECRET,
      clientOptions: { slackApiUrl: apiUrl },
      logLevel: LogLevel.ERROR,
    });
    app.event("message", async () => {});
    const server = (await app.start({ port: 0, host: "127.0.0.1" })) as import("node:http").Server;
    const address = server.address();
    port = typeof address === "object" && address ? address.port : 0;
    stop = () => app.stop() as Promise<void>;
  } else if (mode === "bot") {
    const app = await openBenchApp(option("db")!);
    // As startSlack does for SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET, but bound to loopback on a free port.
    const adapter = await startSlackPlatform({
      app,
      botToken: BENCH_TOKEN,
      signingSecret: BENCH_SIGNING_SECRET,
      slackApiUrl: apiUrl,
      port: 0,
      host: "127.0.0.1",
    });
    port = adapter.port!;
    eventsHandled = async () =>
      (await adapter.metrics.eventsIn.get()).values.reduce((sum, v) => sum + v.value, 0);
    stop = async () => {
      await adapter.stop();
      await app.db.close();
    };
  } else {
    throw new Error(`--mode must be bare or bot, got ${mode}`);
  }
  process.on("SIGTERM", () => {
    void stop().then(
      async () =>
        finish({
          mode,
          eventsHandled: await eventsHandled(),
          loopDelayMs: {
            p50: loopDelay.percentile(50) / 1e6,
            p99: loopDelay.percentile(99) / 1e6,
            max: loopDelay.max / 1e6,
          },
        }),
      (err) => {
        process.stderr.write(`slack-server: stop failed: ${err instanceof Error ? err.message : err}\n`);
        process.exit(1);
      },
    );
  });
  loopDelay.enable();
  answerCpuQueries();
  await send({ kind: "ready", port });
}

main().catch((err) => {
  process.stderr.write(`slack-server: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
