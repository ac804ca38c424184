/**
 * A decision recorded on Slack by `/decision` or by the shortcut's form, and its public answer ("Recorded
 * decision D-1 …"), are saved together: the real bot process is killed (SIGKILL) the moment the decision
 * can be seen in the database, while the disk is slow to take the answer's row (a trigger that makes
 * that write take most of a second, as a loaded disk would). After a restart on the same data, the
 * answer is in the channel exactly once. Saved one after the other, the decision stayed and its answer
 * was lost: the person, told nothing, would record it again.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { SIGNING_SECRET, seedWorkspace, slackBotEnv } from "../../helpers/fake-slack-harness.js";
import {
  asInteractiveForm,
  mkMessageShortcut,
  mkSlashCommand,
  mkViewSubmission,
  nextTs,
  postSigned,
} from "../../helpers/fake-slack-requests.js";
import { type BotProcess, eventually, startBotProcess } from "../../helpers/processes.js";

/** Rows the slow write walks through: 4,000² pairs, most of a second. */
const SLOW_ROWS = 4000;

/** Makes writing a decision's answer to the outbox slow, from another connection to the bot's file. */
function slowDisk(file: string): void {
  const db = new Database(file);
  try {
    db.exec(`
      CREATE TABLE slow_disk (x INTEGER);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${SLOW_ROWS})
        INSERT INTO slow_disk SELECT i FROM n;
      CREATE TRIGGER slow_answer BEFORE INSERT ON action_outbox
        WHEN NEW.action LIKE '%Recorded decision%'
        BEGIN SELECT max(a.x + b.x) FROM slow_disk a, slow_disk b; END;
    `);
  } finally {
    db.close();
  }
}

function fastDisk(file: string): void {
  const db = new Database(file);
  try {
    db.exec("DROP TRIGGER slow_answer; DROP TABLE slow_disk;");
  } finally {
    db.close();
  }
}

/** Resolves as soon as a decision is committed (polled as fast as the file allows). */
async function decisionSeen(file: string, timeoutMs: number): Promise<void> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const count = db.prepare("SELECT count(*) AS n FROM decisions");
    const until = Date.now() + timeoutMs;
    while ((count.get() as { n: number }).n === 0) {
      if (Date.now() > until) throw new Error("no decision was recorded");
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } finally {
    db.close();
  }
}

describe("Slack: SIGKILL the moment a decision is recorded by command or form", () => {
  let slack: FakeSlackApi | undefined;
  let bot: BotProcess | undefined;
  afterEach(async () => {
    bot?.signal("SIGKILL");
    await bot?.exited;
    await slack?.close();
  });

  const ways = {
    "/decision": async (decided: string) => {
      await postSigned(
        bot!.url,
        SIGNING_SECRET,
        mkSlashCommand({
          team: "T1",
          user: "UT1A",
          channel: "CT1",
          channelName: "team",
          command: "/decision",
          text: decided,
          responseUrl: slack!.responseUrl(),
        }),
      );
    },
    "the shortcut's form": async (decided: string) => {
      const message = nextTs();
      await postSigned(
        bot!.url,
        SIGNING_SECRET,
        asInteractiveForm(
          mkMessageShortcut({
            team: "T1",
            user: "UT1B",
            channel: "CT1",
            messageTs: message,
            messageText: decided,
            messageUser: "UT1A",
            responseUrl: slack!.responseUrl(),
          }),
        ),
      );
      await slack!.waitFor((s) => s.succeeded("views.open").length > 0);
      const view = JSON.parse(String(slack!.succeeded("views.open")[0]!.args.view));
      await postSigned(
        bot!.url,
        SIGNING_SECRET,
        asInteractiveForm(mkViewSubmission({ team: "T1", user: "UT1B", view })),
      );
    },
  };

  for (const [way, decide] of Object.entries(ways)) {
    it(`answers ${way} exactly once after the restart`, { timeout: 120_000 }, async () => {
      slack = await new FakeSlackApi().start();
      seedWorkspace(slack);
      const dataDir = mkdtempSync(join(tmpdir(), "outloud-command-reply-"));
      const file = join(dataDir, "outloud.sqlite");
      const env = slackBotEnv(slack, { OUTLOUD_DATA_DIR: dataDir });
      bot = await startBotProcess(env);
      slowDisk(file);
      const answers = () =>
        slack!
          .succeeded("chat.postMessage")
          .filter((c) => c.args.channel === "CT1" && String(c.args.text).startsWith("Recorded decision"));

      // The request is not awaited: the process dies before it answers it.
      void decide("We move billing to SQS this quarter.").catch(() => undefined);
      await decisionSeen(file, 30_000);
      bot.signal("SIGKILL");
      await bot.exited;
      fastDisk(file);

      bot = await startBotProcess(env);
      await eventually(
        () => answers().length >= 1,
        60_000,
        () => `${bot!.output()}\nposted: ${JSON.stringify(slack!.succeeded("chat.postMessage"))}`,
      );
      // A sweep or two more: the answer is not posted a second time.
      await new Promise((resolve) => setTimeout(resolve, 6000));
      expect(answers()).toHaveLength(1);
      expect(String(answers()[0]!.args.text)).toContain("D-1");
    });
  }
});
