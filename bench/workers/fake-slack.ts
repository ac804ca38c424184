/**
 * The contract fake of the Slack Web API (test/helpers/fake-slack-api.ts) in a process of its own, so
 * the work of answering the bot's calls is never charged to the bot or to the load generator.
 *
 *   fake-slack.ts --team T --token xoxb-… [--users N] [--channels N]
 *                 [--per-channel-ms MS --workspace-posts N --workspace-window-ms MS --retry-after S]
 *
 * Sends `{kind: "ready", apiUrl}`; on SIGTERM sends a summary of the calls it saw and exits.
 */
import { FakeSlackApi } from "../../test/helpers/fake-slack-api.js";
import { BENCH_TEAM, BENCH_TOKEN, benchChannel, benchUser } from "../lib/slack-fixtures.js";
import { finish, option, send } from "./ipc.js";

async function main(): Promise<void> {
  const team = option("team", BENCH_TEAM)!;
  const token = option("token", BENCH_TOKEN)!;
  const users = Number(option("users", "50"));
  const channels = Number(option("channels", "20"));
  const fake = await new FakeSlackApi().start();
  fake.addWorkspace({ team, botToken: token });
  const members = Array.from({ length: users }, (_, i) => benchUser(i));
  for (const id of members) fake.addUser({ id, team, name: id.toLowerCase(), tz: "Europe/Berlin" });
  for (let i = 0; i < channels; i++)
    fake.addConversation({ id: benchChannel(i), team, name: `bench-${i}`, kind: "public", members });
  fake.limits = {
    perChannelIntervalMs: Number(option("per-channel-ms", "0")),
    workspacePosts: Number(option("workspace-posts", "0")),
    workspaceWindowMs: Number(option("workspace-window-ms", "60000")),
    retryAfterSeconds: Number(option("retry-after", "1")),
  };

  process.on("SIGTERM", () => {
    void finish(summarise(fake));
  });
  await send({ kind: "ready", apiUrl: fake.apiUrl });
}

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
  const perChannel = new Map<string, number>();
  for (const p of posts)
    perChannel.set(String(p.args.channel), (perChannel.get(String(p.args.channel)) ?? 0) + 1);
  return {
    byMethod,
    posts: posts.length,
    postChannels: perChannel.size,
    channelsPostedTwice: [...perChannel.values()].filter((n) => n > 1).length,
    firstPostAt: posts[0]?.at,
    lastPostAt: posts[posts.length - 1]?.at,
    firstCallAt: fake.calls[0]?.at,
  };
}

main().catch((err) => {
  process.stderr.write(`fake-slack: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
