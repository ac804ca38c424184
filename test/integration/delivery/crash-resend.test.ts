/**
 * The durable outbox, tried as an operator would: the real bot process is killed (SIGKILL) while its
 * messages wait behind the platform's rate limit (a 429 asking for a long wait). After a restart on
 * the same data, each is in its room exactly once, as people see it.
 * - Slack: the day's rota announcement and three answers wait, and one more answer has reached Slack
 *   but Slack's reply has not come back: the unsent ones are sent, the one Slack already had is found
 *   by its message metadata and not posted again.
 * - Matrix: the day's rota announcement and three answers wait; they are sent again with the same
 *   transaction ids after the restart.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/storage/database.js";
import { FakeHomeserver } from "../../helpers/fake-homeserver.js";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { SIGNING_SECRET, seedWorkspace, slackBotEnv } from "../../helpers/fake-slack-harness.js";
import { mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";
import { type BotProcess, eventually, freePort, startBotProcess } from "../../helpers/processes.js";
import { ALICE, BOB, BOT, TOKEN } from "../matrix/bot.js";

/** The texts of the bot's actions waiting in its outbox, unsent (none: no copy of anything can still come). */
async function unsentIn(dataDir: string): Promise<string[]> {
  const db = await openDatabase({ url: join(dataDir, "outloud.sqlite"), migrate: false });
  try {
    const rows = await db.db
      .selectFrom("action_outbox")
      .select("action")
      .where("sent_at", "is", null)
      .execute();
    return rows.map((row) => String((JSON.parse(row.action) as { text?: unknown }).text ?? ""));
  } finally {
    await db.close();
  }
}

describe("Slack: SIGKILL while the announcement and answers wait behind a 429", () => {
  let slack: FakeSlackApi | undefined;
  let bot: BotProcess | undefined;
  afterEach(async () => {
    bot?.signal("SIGKILL");
    await bot?.exited;
    await slack?.close();
  });

  it(
    "sends the announcement and each answer exactly once after the restart",
    { timeout: 180_000 },
    async () => {
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
      const dataDir = mkdtempSync(join(tmpdir(), "outloud-crash-resend-"));
      const env = slackBotEnv(slack, { OUTLOUD_DATA_DIR: dataDir });
      bot = await startBotProcess(env);
      const type = (channel: string, command: string, text: string) =>
        postSigned(
          bot!.url,
          SIGNING_SECRET,
          mkSlashCommand({
            team: "T1",
            user: "UT1A",
            channel,
            command,
            text,
            responseUrl: slack!.responseUrl(),
          }),
        );
      const decide = (channel: string, text: string) => type(channel, "/decision", text);
      const posted = (start: string) =>
        slack!.succeeded("chat.postMessage").filter((c) => String(c.args.text).startsWith(start));
      const confirmations = () => posted("Recorded decision");
      const announcements = () => posted("Today's responder is");

      // A rota in the team channel, every day: today's announcement is due whenever this runs.
      await type("CT1", "/rota", "setup <@UT1A|alice> <@UT1B|bob> at 09:00 days mon-sun tz UTC");
      await eventually(
        () =>
          [
            ...slack!.succeeded("chat.postMessage").map((c) => c.args),
            ...slack!.responseUrlPosts.map((p) => p.body),
          ].some((said) => String(said.text).includes("set up this room's rota")),
        30_000,
        () => `${bot!.output()}\n${JSON.stringify(slack!.calls.map((c) => [c.method, c.args.text]))}`,
      );

      // The first answer reaches Slack, which is slow to say so; the next meets a 429 asking for a
      // minute's wait. Each command has been answered ("working on it") when the process dies.
      slack.failNext("chat.postMessage", { delayMs: 4000 });
      slack.failNext("chat.postMessage", { status: 429, retryAfter: 60 });
      await decide("CT1", "Slack has this one before the crash.");
      await eventually(() => slack!.calls.some((c) => c.method === "chat.postMessage"));
      await type("CT1", "/rota", "announce");
      for (const [channel, text] of [
        ["CT1", "Waiting one."],
        ["CT2", "Waiting two."],
        ["CT3", "Waiting three."],
      ] as const)
        await decide(channel, text);
      // After the first 429 the bot holds every post of the workspace for the minute Slack asked: the
      // announcement, its hand-over and three answers wait, written down, with the slow one.
      await eventually(() => slack!.calls.some((c) => c.method === "chat.postMessage" && c.status === 429));
      const waiting = ["Today's responder is", "Waiting one.", "Waiting two.", "Waiting three."];
      let unsent: string[] = [];
      await eventually(
        async () => {
          unsent = await unsentIn(dataDir);
          return waiting.every((text) => unsent.some((u) => u.includes(text)));
        },
        30_000,
        () => `${bot!.output()}\nunsent: ${JSON.stringify(unsent)}`,
      );
      bot.signal("SIGKILL");
      await bot.exited;
      // The slow one lands after the crash; the waiting ones never left.
      await eventually(() => confirmations().length === 1, 10_000);
      expect(announcements()).toEqual([]);

      bot = await startBotProcess(env);
      await eventually(
        async () =>
          confirmations().length >= 4 &&
          announcements().length >= 1 &&
          (await unsentIn(dataDir)).length === 0,
        60_000,
        () => bot!.output(),
      );
      expect(announcements()).toHaveLength(1);
      expect(announcements()[0]?.args.channel).toBe("CT1");
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
      expect(
        slack.calls.some((c) => c.method === "conversations.history" && c.args.include_all_metadata),
      ).toBe(true);
    },
  );
});

describe("Matrix: SIGKILL while the announcement and answers wait behind a 429", () => {
  let hs: FakeHomeserver | undefined;
  let bot: BotProcess | undefined;
  afterEach(async () => {
    bot?.signal("SIGKILL");
    await bot?.exited;
    await hs?.close();
  });

  it("sends each exactly once after the restart", { timeout: 180_000 }, async () => {
    hs = await new FakeHomeserver({ botUserId: BOT, token: TOKEN }).start();
    const team = hs.createRoom({ members: [ALICE, BOB, BOT], name: "team", public: true });
    // Three members each: a room of two is taken for a direct chat, where decisions are not recorded.
    const rooms = [1, 2, 3].map((n) =>
      hs!.createRoom({ members: [ALICE, BOB, BOT], name: `project-${n}`, public: true }),
    );
    const dataDir = mkdtempSync(join(tmpdir(), "outloud-crash-resend-matrix-"));
    const configFile = join(dataDir, "outloud.yaml");
    // A short sync lease: the restarted bot waits for the dead one's to run out before it syncs.
    writeFileSync(configFile, "matrix:\n  syncLeaseSeconds: 3\n");
    const port = String(await freePort());
    const env = {
      OUTLOUD_DATA_DIR: dataDir,
      OUTLOUD_CONFIG: configFile,
      MATRIX_HOMESERVER_URL: hs.url,
      MATRIX_USER_ID: BOT,
      MATRIX_ACCESS_TOKEN: TOKEN,
      PORT: port,
      HEALTH_PORT: port,
    };
    bot = await startBotProcess(env);
    const said = (room: string, text: string) =>
      hs!.messagesIn(room).filter((e) => String(e.content.body).includes(text));
    hs.message(team, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30 days mon-sun`);
    await eventually(
      () => hs!.messagesIn(team).length > 0,
      60_000,
      () => bot!.output(),
    );

    // From now on the homeserver refuses the bot's next messages for half a minute each, as Synapse
    // does past its burst (\`rc_message\`).
    for (let i = 0; i < 10; i++)
      hs.rateLimitNext("PUT", /\/send\/m\.room\.message\//, { retryAfterMs: 30_000 });
    hs.message(team, BOB, "!rota announce");
    for (const [i, room] of rooms.entries()) hs.message(room, ALICE, `!decision Waiting ${i + 1}.`);
    const refused = (room: string) =>
      hs!.requests.some(
        (r) => r.method === "PUT" && r.path.startsWith(`/rooms/${room}/send/m.room.message/`),
      );
    await eventually(
      () => [team, ...rooms].every(refused),
      60_000,
      () => bot!.output(),
    );
    expect(said(team, "Today's responder is")).toEqual([]);
    bot.signal("SIGKILL");
    await bot.exited;

    // By the time the restarted bot sends again, the wait the homeserver asked for is over.
    hs.clearRateLimits();
    bot = await startBotProcess(env);
    await eventually(
      async () =>
        said(team, "Today's responder is").length > 0 &&
        rooms.every((room) => said(room, "Recorded decision").length > 0) &&
        (await unsentIn(dataDir)).length === 0,
      90_000,
      () =>
        `${bot!.output()}\nsent: ${JSON.stringify(hs!.sent.map((e) => [e.room_id, e.content.body]))}` +
        `\nrequests: ${JSON.stringify(hs!.requests.slice(-30).map((r) => `${r.method} ${r.path}`))}`,
    );
    expect(said(team, "Today's responder is")).toHaveLength(1);
    rooms.forEach((room, i) => {
      expect(said(room, "Recorded decision")).toHaveLength(1);
      expect(said(room, `Waiting ${i + 1}.`)).toHaveLength(1);
    });
  });
});
