/**
 * PostgreSQL going away under traffic, as in a failover or a restart: the real bot process (`npm
 * start`'s entry point) on a schema of its own, answering 300 slash commands while every one of its
 * database connections is terminated (pg_terminate_backend) every 0.3 s. The process must live, and
 * every command must be answered exactly once: read-only `/rota who` in the acknowledgement (or via
 * response_url), `/decision …` as a public confirmation whose number is never given out twice.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANNOT_SAVE } from "../../../src/core/engine.js";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { SIGNING_SECRET, slackBotEnv } from "../../helpers/fake-slack-harness.js";
import { mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";
import { adminQuery, createSchema, type PostgresSchema } from "../../helpers/postgres-schemas.js";
import { type BotProcess, eventually, startBotProcess } from "../../helpers/processes.js";

const CHANNELS = Array.from({ length: 10 }, (_, i) => `CD${i}`);
const COMMANDS = 300;
const DECISIONS = 30;

describe("PostgreSQL connections terminated under 300 slash commands", () => {
  let schema: PostgresSchema;
  let slack: FakeSlackApi;
  let bot: BotProcess;
  let appName: string;

  beforeAll(async () => {
    schema = await createSchema();
    slack = await new FakeSlackApi().start();
    slack.addWorkspace({ team: "T1", botToken: "xoxb-t1" });
    slack.addUser({ id: "UT1A", team: "T1", name: "alice", tz: "UTC" });
    for (const id of CHANNELS)
      slack.addConversation({
        id,
        team: "T1",
        name: id.toLowerCase(),
        kind: "public",
        members: ["UT1A", "UBOTT1"],
      });
    // Named connections, so the test terminates this bot's and nobody else's on the shared server.
    appName = `outloud_${schema.name}`;
    const url = new URL(schema.url);
    url.searchParams.set("application_name", appName);
    bot = await startBotProcess(
      slackBotEnv(slack, {
        OUTLOUD_DATA_DIR: mkdtempSync(join(tmpdir(), "outloud-pg-outage-")),
        DATABASE_URL: url.toString(),
      }),
    );
  }, 120_000);

  afterAll(async () => {
    bot?.signal("SIGKILL");
    await bot?.exited;
    await slack?.close();
    await schema?.drop();
  });

  it("lives, and answers every command exactly once", { timeout: 240_000 }, async () => {
    let terminating = true;
    let terminated = 0;
    const terminator = (async () => {
      while (terminating) {
        const { rowCount } = await adminQuery(
          `select pg_terminate_backend(pid) from pg_stat_activity where application_name = '${appName}'`,
        );
        terminated += rowCount ?? 0;
        await new Promise((r) => setTimeout(r, 300));
      }
    })();

    const acks: string[] = [];
    const urls: string[] = [];
    const send = async (n: number) => {
      const decision = n < DECISIONS;
      const responseUrl = slack.responseUrl();
      urls[n] = responseUrl.split("/").pop()!;
      const res = await postSigned(
        bot.url,
        SIGNING_SECRET,
        mkSlashCommand({
          team: "T1",
          user: "UT1A",
          channel: CHANNELS[n % CHANNELS.length]!,
          command: decision ? "/decision" : "/rota",
          text: decision ? `We settle question ${n}.` : "who",
          responseUrl,
        }),
      );
      expect(res.status).toBe(200);
      acks[n] = res.text ? String((res.json() as { text?: string }).text ?? "") : "";
    };
    // Ten people at a time, the way a busy workspace types.
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < COMMANDS) await send(next++);
      }),
    );
    terminating = false;
    await terminator;
    expect(terminated).toBeGreaterThan(0);

    // The answers of commands acknowledged with "working on it" follow through response_url.
    const answersOf = (n: number) => {
      const later = slack.responseUrlPosts.filter((p) => p.id === urls[n]).map((p) => String(p.body.text));
      return [acks[n], ...later].filter((t) => t && t !== "Working on it…");
    };
    const posted = () => slack.succeeded("chat.postMessage").map((c) => String(c.args.text));
    await eventually(
      () => posted().filter((t) => t.startsWith("Recorded decision")).length >= DECISIONS,
      60_000,
      () => `${posted().length} posts; logs:\n${bot.output().slice(-2000)}`,
    );
    for (let n = DECISIONS; n < COMMANDS; n++) {
      expect(answersOf(n)).toHaveLength(1);
      expect(answersOf(n)[0]).toMatch(/rota|responder/i);
    }
    for (let n = 0; n < DECISIONS; n++) {
      const confirmations = posted().filter((t) => t.includes(`We settle question ${n}.`));
      expect(confirmations, `decision ${n}`).toHaveLength(1);
    }
    const numbers = posted().flatMap((t) => /Recorded decision \*D-(\d+)\*/.exec(t)?.[1] ?? []);
    expect(new Set(numbers).size).toBe(DECISIONS);
    expect(answersOf(0).concat(acks)).not.toContain(CANNOT_SAVE);
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
    expect(bot.output()).not.toMatch(/Unhandled 'error' event|Outloud stopped/);
  });
});
