/**
 * The real bot process, started as an operator starts it, against the fake Slack Web API: a process
 * manager's signal to `npm start` stops the bot itself (not only npm), and hostile signed requests
 * (a body of `null`, a form whose payload is `null`) get a 400 while the bot keeps answering.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { SIGNING_SECRET, seedWorkspace, slackBotEnv } from "../../helpers/fake-slack-harness.js";
import { mkSlashCommand, postSigned, slackHeaders } from "../../helpers/fake-slack-requests.js";
import { type BotProcess, eventually, startBotProcess } from "../../helpers/processes.js";

function slackEnv(slack: FakeSlackApi): Record<string, string> {
  return slackBotEnv(slack, { OUTLOUD_DATA_DIR: mkdtempSync(join(tmpdir(), "outloud-lifecycle-")) });
}

/** The processes `pid` started (npm's child is the bot, once `npm start` execs node). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the bot process", () => {
  let slack: FakeSlackApi;
  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    seedWorkspace(slack);
  });
  afterAll(() => slack.close());

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`stops within 10 s when ${signal} is sent to npm start`, { timeout: 90_000 }, async () => {
      const bot = await startBotProcess(slackEnv(slack), { via: "npm" });
      const family = [bot.pid, ...childrenOf(bot.pid)];
      bot.signal(signal);
      await eventually(() => family.every((pid) => !isRunning(pid)), 10_000, bot.output);
      await expect(fetch(`${bot.url}/healthz`)).rejects.toThrow();
    });
  }

  describe("under hostile signed requests", () => {
    let bot: BotProcess;
    beforeAll(async () => {
      bot = await startBotProcess(slackEnv(slack));
    }, 90_000);
    afterAll(async () => {
      bot.signal("SIGKILL");
      await bot.exited;
    });

    /** Posts `raw` with a valid signature, as only someone holding the signing secret could. */
    async function postRaw(raw: string, form: boolean): Promise<number> {
      const res = await fetch(`${bot.url}/slack/events`, {
        method: "POST",
        headers: slackHeaders(SIGNING_SECRET, raw, { form }),
        body: raw,
      });
      return res.status;
    }

    it("answers 400 to a JSON body of null, a form payload of null and other shapes that are no Slack request", async () => {
      expect(await postRaw("null", false)).toBe(400);
      expect(await postRaw("payload=null", true)).toBe(400);
      expect(await postRaw("[]", false)).toBe(400);
      expect(await postRaw('"text"', false)).toBe(400);
      // An object of no known kind is Bolt's to refuse: it answers 404 (nothing listens for it).
      expect(await postRaw("payload=%7B%7D", true)).toBe(404);
      // Still up, still ready, still answering people.
      expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
      const res = await postSigned(
        bot.url,
        SIGNING_SECRET,
        mkSlashCommand({
          team: "T1",
          user: "UT1A",
          channel: "CT1",
          command: "/outloud",
          text: "help",
          responseUrl: slack.responseUrl(),
        }),
      );
      expect(res.status).toBe(200);
      expect(res.text).toContain("Outloud");
      expect(bot.output()).not.toContain("Outloud stopped");
    });
  });
});
