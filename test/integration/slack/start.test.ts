// `npm start` with Slack variables, as a real process: it starts the adapter, answers, stops on SIGTERM;
// with a token Slack refuses, it stops with a clear message. Secrets and message text stay out of the logs.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { seedWorkspace } from "../../helpers/fake-slack-harness.js";
import { eventCallback, mkMessage, mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";
import { freePort, runEntry } from "../../helpers/processes.js";

const SECRET = "start-test-signing-secret";

function slackEnv(slack: FakeSlackApi, token: string, port: number): Record<string, string> {
  return {
    OUTLOUD_DATA_DIR: mkdtempSync(join(tmpdir(), "outloud-slack-start-")),
    SLACK_BOT_TOKEN: token,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "debug",
  };
}

describe("npm start with Slack variables", () => {
  let slack: FakeSlackApi;
  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    seedWorkspace(slack);
  });
  afterAll(() => slack.close());

  it("stops with a clear message when Slack refuses the bot token, without printing it", async () => {
    const result = await runEntry("src/main.ts", [], {
      env: slackEnv(slack, "xoxb-revoked-token", await freePort()),
      timeoutMs: 55_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Outloud cannot start");
    expect(result.stderr).toContain("Slack refused SLACK_BOT_TOKEN (invalid_auth)");
    expect(result.stderr + result.stdout).not.toContain("xoxb-revoked-token");
  }, 60_000);

  it("tells an unreachable Slack API apart from a refused token", async () => {
    const nobody = `http://127.0.0.1:${await freePort()}/api/`;
    const result = await runEntry("src/main.ts", [], {
      env: { ...slackEnv(slack, "xoxb-t1", await freePort()), SLACK_API_URL: nobody },
      timeoutMs: 55_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`could not reach the Slack API at ${nobody} (ECONNREFUSED)`);
    expect(result.stderr).not.toContain("refused SLACK_BOT_TOKEN");
  }, 60_000);

  it("starts the adapter, answers commands, and stops cleanly on SIGTERM, the database closed", async () => {
    const port = await freePort();
    const env = slackEnv(slack, "xoxb-t1", port);
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitUntil(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200);
      const res = await postSigned(
        base,
        SECRET,
        mkSlashCommand({
          team: "T1",
          user: "UT1A",
          channel: "CT1",
          command: "/outloud",
          text: "help secret-words-in-a-command",
          responseUrl: slack.responseUrl(),
        }),
      );
      expect(res.status).toBe(200);
      expect((res.json() as { response_type: string }).response_type).toBe("ephemeral");
      const said = await postSigned(
        base,
        SECRET,
        eventCallback("T1", mkMessage({ user: "UT1A", channel: "CT1", text: "secret-words-in-a-message" })),
      );
      expect(said.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(output).toContain("slack adapter started");
    for (const secret of ["xoxb-t1", SECRET, "secret-words-in-a-command", "secret-words-in-a-message"])
      expect(output).not.toContain(secret);
    // SQLite in WAL mode folds its log back into the file, and removes it, when the last connection closes.
    const database = join(env.OUTLOUD_DATA_DIR!, "outloud.sqlite");
    expect(existsSync(database)).toBe(true);
    expect(existsSync(`${database}-wal`)).toBe(false);
  }, 90_000);
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 50_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out waiting for the process");
}
