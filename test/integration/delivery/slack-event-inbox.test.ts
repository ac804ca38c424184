/**
 * Slack sends an Events API event once: after its acknowledgement, a crash while the bot handles it
 * must not lose it. The real bot process is killed (SIGKILL) while three events wait to be handled,
 * the first behind a 429 on `users.info` asking for a minute: a question in the team channel, the
 * answer in its thread, and a :decision: reaction on that answer. After a restart on the same data,
 * the decision is recorded and confirmed in the thread exactly once. A direct message that arrived
 * meanwhile was never written down, text or event. And an event killed in its first milliseconds,
 * the moment Slack has its acknowledgement and before the inbox has it, is handled after the restart
 * (the event journal). One killed after its handling ended, before the end was written down, is
 * handled again after the restart and finds done what it did.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/storage/database.js";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { SIGNING_SECRET, seedWorkspace, slackBotEnv } from "../../helpers/fake-slack-harness.js";
import {
  eventCallback,
  mkMessage,
  mkReaction,
  nextTs,
  postSigned,
} from "../../helpers/fake-slack-requests.js";
import { type BotProcess, eventually, startBotProcess } from "../../helpers/processes.js";

/** The events each journal file of the data directory has taken in and not seen end. */
function openInJournals(dataDir: string): string[] {
  const open = new Set<string>();
  for (const entry of readdirSync(join(dataDir, "slack-journal"), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    for (const text of readFileSync(join(entry.parentPath, entry.name), "utf8").split("\n").filter(Boolean)) {
      const line = JSON.parse(text) as { k: string; e: string };
      if (line.k === "r") open.add(line.e);
      else open.delete(line.e);
    }
  }
  return [...open];
}

/**
 * What `count` says once it is at least 1 and a sweep or two more have run, so that anything handled a
 * second time would have shown.
 */
async function countAfterSweeps(count: () => number, bot: BotProcess): Promise<number> {
  await eventually(
    () => count() >= 1,
    60_000,
    () => bot.output(),
  );
  await new Promise((resolve) => setTimeout(resolve, 6000));
  return count();
}

/** What the database holds of the events being handled, and the decisions recorded. */
async function stored(dataDir: string): Promise<{ kept: string[]; decisions: string[] }> {
  const db = await openDatabase({ url: join(dataDir, "outloud.sqlite"), migrate: false });
  try {
    const kept = await db.db.selectFrom("event_inbox").select("payload").execute();
    const decisions = await db.db.selectFrom("decisions").select("text").execute();
    return { kept: kept.map((r) => r.payload), decisions: decisions.map((r) => r.text) };
  } finally {
    await db.close();
  }
}

describe("Slack: SIGKILL while acknowledged events are being handled", () => {
  let slack: FakeSlackApi | undefined;
  let bot: BotProcess | undefined;
  afterEach(async () => {
    bot?.signal("SIGKILL");
    await bot?.exited;
    await slack?.close();
  });

  it(
    "handles them after the restart, once, and never keeps a direct message",
    { timeout: 180_000 },
    async () => {
      slack = await new FakeSlackApi().start();
      seedWorkspace(slack);
      slack.addConversation({ id: "DT1B", team: "T1", kind: "im", members: ["UT1B", "UBOTT1"] });
      const dataDir = mkdtempSync(join(tmpdir(), "outloud-event-inbox-"));
      const env = slackBotEnv(slack, { OUTLOUD_DATA_DIR: dataDir });
      bot = await startBotProcess(env);
      const send = async (event: Record<string, unknown>) => {
        const res = await postSigned(bot!.url, SIGNING_SECRET, eventCallback("T1", event));
        expect(res.status).toBe(200);
      };
      const confirmations = () =>
        slack!
          .succeeded("chat.postMessage")
          .filter((c) => c.args.thread_ts === root && /D-\d+/.test(String(c.args.text)));

      // The first look-up of the question's author meets a 429 asking for a minute: the question, and
      // the answer and reaction behind it in the same channel, are acknowledged but not yet handled.
      slack.failNext("users.info", { status: 429, retryAfter: 60 });
      const root = nextTs();
      const reply = nextTs();
      await send(
        mkMessage({ user: "UT1A", channel: "CT1", ts: root, text: "Which queue should billing use?" }),
      );
      await send(
        mkMessage({
          user: "UT1B",
          channel: "CT1",
          ts: reply,
          thread_ts: root,
          text: "Let's go with SQS, it is what ops already runs.",
        }),
      );
      await send(mkReaction({ user: "UT1A", channel: "CT1", ts: reply, reaction: "decision" }));
      await eventually(() => slack!.calls.some((c) => c.method === "users.info" && c.status === 429));
      // Sent once the question holds the 429: a DM's own look-up must not be the one that meets it
      // (the question would then be handled at once, and only the two behind it kept).
      await send(
        mkMessage({
          user: "UT1B",
          channel: "DT1B",
          channel_type: "im",
          text: "the staging password is hunter2",
        }),
      );
      let kept: string[] = [];
      await eventually(
        async () => {
          kept = (await stored(dataDir)).kept;
          return kept.length === 3;
        },
        // A bound, not a timing: on a loaded 2-core machine the batch after the 429 may come late.
        30_000,
        () => `${bot!.output()}\nkept: ${kept.length}`,
      );
      expect(kept.join("\n")).not.toContain("hunter2");
      // Nor in the journal of the events being handled.
      const journals = readdirSync(join(dataDir, "slack-journal"), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name));
      expect(journals.length).toBeGreaterThan(0);
      for (const path of journals) expect(readFileSync(path, "utf8")).not.toContain("hunter2");
      bot.signal("SIGKILL");
      await bot.exited;
      expect(confirmations()).toEqual([]);

      bot = await startBotProcess(env);
      await eventually(
        async () => {
          const now = await stored(dataDir);
          return confirmations().length >= 1 && now.kept.length === 0;
        },
        60_000,
        () => bot!.output(),
      );
      // A sweep or two more: nothing is handled a second time.
      await new Promise((resolve) => setTimeout(resolve, 6000));
      expect(confirmations()).toHaveLength(1);
      const { decisions, kept: left } = await stored(dataDir);
      expect(decisions.filter((text) => text.includes("SQS"))).toHaveLength(1);
      expect(left).toEqual([]);
    },
  );

  it(
    "handles an event after the restart when the process died the moment Slack had its acknowledgement",
    { timeout: 120_000 },
    async () => {
      slack = await new FakeSlackApi().start();
      seedWorkspace(slack);
      const dataDir = mkdtempSync(join(tmpdir(), "outloud-event-acked-"));
      const env = slackBotEnv(slack, { OUTLOUD_DATA_DIR: dataDir });
      bot = await startBotProcess(env);
      const suggestions = () =>
        slack!
          .succeeded("chat.postEphemeral")
          .filter((c) => String(c.args.text).startsWith("That sounds like a decision"));

      // Slack is slow to say who the author is: the event is still being handled when it is
      // acknowledged, and the process dies as soon as Slack has the acknowledgement.
      slack.failNext("users.info", { delayMs: 20_000 });
      const res = await postSigned(
        bot.url,
        SIGNING_SECRET,
        eventCallback(
          "T1",
          mkMessage({
            user: "UT1B",
            channel: "CT1",
            ts: nextTs(),
            thread_ts: nextTs(),
            text: "We decided to go with SQS for billing.",
          }),
        ),
      );
      bot.signal("SIGKILL");
      expect(res.status).toBe(200);
      await bot.exited;
      expect(suggestions()).toEqual([]);

      bot = await startBotProcess(env);
      expect(await countAfterSweeps(() => suggestions().length, bot)).toBe(1);
      expect((await stored(dataDir)).kept).toEqual([]);
    },
  );

  it(
    "handles again, without acting twice, an event whose end the process died before writing down",
    { timeout: 120_000 },
    async () => {
      slack = await new FakeSlackApi().start();
      seedWorkspace(slack);
      const dataDir = mkdtempSync(join(tmpdir(), "outloud-event-ended-"));
      // At info level the restart says how many events it hands on from the journal.
      const env = slackBotEnv(slack, { OUTLOUD_DATA_DIR: dataDir, LOG_LEVEL: "info" });
      bot = await startBotProcess(env);
      const root = nextTs();
      const reply = nextTs();
      const confirmations = () =>
        slack!
          .succeeded("chat.postMessage")
          .filter((c) => c.args.thread_ts === root && /D-\d+/.test(String(c.args.text)));
      const send = async (event: Record<string, unknown>) => {
        const body = eventCallback("T1", event);
        expect((await postSigned(bot!.url, SIGNING_SECRET, body)).status).toBe(200);
        return String(body.event_id);
      };
      await send(
        mkMessage({ user: "UT1A", channel: "CT1", ts: root, text: "Which queue should billing use?" }),
      );
      await send(
        mkMessage({ user: "UT1B", channel: "CT1", ts: reply, thread_ts: root, text: "Let's go with SQS." }),
      );
      const reaction = await send(
        mkReaction({ user: "UT1A", channel: "CT1", ts: reply, reaction: "decision" }),
      );
      // Handled: the decision is recorded. The reaction's end waits for the next event's write, or
      // 100 ms; the process dies first.
      const db = new SqliteDatabase(join(dataDir, "outloud.sqlite"), { readonly: true });
      const recorded = db.prepare("select count(*) as n from decisions");
      try {
        while ((recorded.get() as { n: number }).n === 0)
          await new Promise((resolve) => setTimeout(resolve, 2));
      } finally {
        db.close();
      }
      bot.signal("SIGKILL");
      await bot.exited;
      expect(openInJournals(dataDir)).toContain(reaction);

      bot = await startBotProcess(env);
      await eventually(
        () => /"count":\d+,"msg":"slack: handling events a crash cut short"/.test(bot!.output()),
        30_000,
        () => bot!.output(),
      );
      // The second run found the decision recorded: it is confirmed once.
      expect(await countAfterSweeps(() => confirmations().length, bot)).toBe(1);
      const { decisions, kept } = await stored(dataDir);
      expect(decisions.filter((text) => text.includes("SQS"))).toHaveLength(1);
      expect(kept).toEqual([]);
      expect(openInJournals(dataDir)).toEqual([]);
    },
  );
});
