/**
 * The durable outbox, tried as an operator would: the real bot process is killed (SIGKILL) while its
 * public answers wait behind Slack's rate limit (a 429 with a long Retry-After), and while one more
 * has reached Slack but its answer has not come back. After a restart on the same data, each answer
 * is in its channel exactly once: the unsent ones sent, the one Slack already had found by its
 * message metadata and not posted again.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { SIGNING_SECRET, seedWorkspace } from "../../helpers/fake-slack-harness.js";
import { mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";
import { type BotProcess, eventually, startBotProcess } from "../../helpers/processes.js";

describe("SIGKILL while answers wait behind a 429", () => {
  let slack: FakeSlackApi | undefined;
  let bot: BotProcess | undefined;
  afterEach(async () => {
    bot?.signal("SIGKILL");
    await bot?.exited;
    await slack?.close();
  });

  it("sends each answer exactly once after the restart", { timeout: 180_000 }, async () => {
    slack = await new FakeSlackApi().start();
    seedWorkspace(slack);
    for (const id of ["CT2", "CT3"])
      slack.addConversation({
        id,
        team: "T1",
        name: id.toLowerCase(),
        kind: "public",
        members: ["UT1A", "UBOTT1"],
      });
    const env = {
      OUTLOUD_DATA_DIR: mkdtempSync(join(tmpdir(), "outloud-crash-resend-")),
      SLACK_BOT_TOKEN: "xoxb-t1",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    };
    bot = await startBotProcess(env);
    const decide = (channel: string, text: string) =>
      postSigned(
        bot!.url,
        SIGNING_SECRET,
        mkSlashCommand({
          team: "T1",
          user: "UT1A",
          channel,
          command: "/decision",
          text,
          responseUrl: slack!.responseUrl(),
        }),
      );
    const confirmations = () =>
      slack!.succeeded("chat.postMessage").filter((c) => String(c.args.text).startsWith("Recorded decision"));

    // The first answer reaches Slack, which is slow to say so; the next meets a 429 asking for a
    // minute's wait. Each command has been answered ("working on it") when the process dies.
    slack.failNext("chat.postMessage", { delayMs: 4000 });
    slack.failNext("chat.postMessage", { status: 429, retryAfter: 60 });
    await decide("CT1", "Slack has this one before the crash.");
    await eventually(() => slack!.calls.some((c) => c.method === "chat.postMessage"));
    for (const [channel, text] of [
      ["CT1", "Waiting one."],
      ["CT2", "Waiting two."],
      ["CT3", "Waiting three."],
    ] as const)
      await decide(channel, text);
    // After the first 429 the bot holds every post of the workspace for the minute Slack asked.
    await eventually(() => slack!.calls.some((c) => c.method === "chat.postMessage" && c.status === 429));
    bot.signal("SIGKILL");
    await bot.exited;
    // The slow one lands after the crash; the waiting ones never left.
    await eventually(() => confirmations().length === 1, 10_000);

    bot = await startBotProcess(env);
    await eventually(
      () => confirmations().length >= 4,
      60_000,
      () => bot!.output(),
    );
    // Enough time for a second copy of anything to show up.
    await new Promise((r) => setTimeout(r, 3000));
    const texts = confirmations().map((c) => String(c.args.text));
    for (const said of [
      "Slack has this one before the crash.",
      "Waiting one.",
      "Waiting two.",
      "Waiting three.",
    ])
      expect(
        texts.filter((t) => t.includes(said)),
        said,
      ).toHaveLength(1);
    // The resend of the answer that may have gone out looked first, by its metadata.
    expect(slack.calls.some((c) => c.method === "conversations.history" && c.args.include_all_metadata)).toBe(
      true,
    );
  });
});
