// startSlack, as `npm start` calls it: the environment picks HTTP or Socket Mode, one workspace or
// OAuth, and an incomplete setup is refused with the missing variable named.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSlack } from "../../../src/adapters/slack/start.js";
import { silentLogger } from "../../../src/logging.js";
import type { PlatformRuntime } from "../../../src/runtime/runtime.js";
import { openDatabase } from "../../../src/storage/database.js";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { seedWorkspace, TEST_ENCRYPTION_KEY } from "../../helpers/fake-slack-harness.js";
import { FakeSlackSocketMode } from "../../helpers/fake-slack-socket.js";
import { freePort } from "../../helpers/processes.js";
import { scenarioConfig } from "../../helpers/scenario.js";

describe("starting Slack from the environment", () => {
  let slack: FakeSlackApi;
  let socket: FakeSlackSocketMode;
  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    socket = await new FakeSlackSocketMode().start();
    seedWorkspace(slack);
    slack.appTokens.add("xapp-test");
    slack.socketModeUrl = socket.url;
  });
  afterAll(async () => {
    await socket.close();
    await slack.close();
  });

  /** Starts the adapter with these variables (and the fake's URL) on a fresh database; stops it after `use`. */
  async function withSlack(env: Record<string, string>, use: (adapter: PlatformRuntime) => Promise<void>) {
    const dataDir = mkdtempSync(join(tmpdir(), "outloud-slack-env-"));
    const config = scenarioConfig(
      {},
      { OUTLOUD_DATA_DIR: dataDir, SLACK_API_URL: slack.apiUrl, HOST: "127.0.0.1", ...env },
    );
    const db = await openDatabase({ url: join(dataDir, "outloud.sqlite") });
    try {
      const adapter = await startSlack({ config, db, log: silentLogger });
      try {
        await use(adapter);
      } finally {
        await adapter.stop();
      }
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it("uses Socket Mode when SLACK_APP_TOKEN is set, with the health routes on HEALTH_PORT", async () => {
    await withSlack(
      { SLACK_BOT_TOKEN: "xoxb-t1", SLACK_APP_TOKEN: "xapp-test", HEALTH_PORT: "0" },
      async (a) => {
        await socket.connected();
        const ready = await fetch(`http://127.0.0.1:${a.port}/readyz`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toEqual({
          ready: true,
          checks: { database: true, slack: true, scheduler: true },
        });
      },
    );
  });

  it("installs into many workspaces with the OAuth variables, on PORT", async () => {
    const port = await freePort();
    const oauth = {
      SLACK_CLIENT_ID: "1.2",
      SLACK_CLIENT_SECRET: "client-secret",
      SLACK_STATE_SECRET: "state-secret",
      OUTLOUD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      SLACK_SIGNING_SECRET: "signing-secret",
      PORT: String(port),
    };
    await withSlack(oauth, async () => {
      const install = await fetch(`http://127.0.0.1:${port}/slack/install`, { redirect: "manual" });
      expect(install.status).toBe(302);
      expect(new URL(install.headers.get("location")!).searchParams.get("client_id")).toBe("1.2");
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    });
  });

  it("refuses an incomplete setup, naming what is missing", async () => {
    const oauth = {
      SLACK_CLIENT_ID: "1.2",
      SLACK_CLIENT_SECRET: "client-secret",
      SLACK_SIGNING_SECRET: "signing-secret",
      OUTLOUD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    };
    const none = async () => {};
    await expect(withSlack(oauth, none)).rejects.toThrow("Slack OAuth needs SLACK_STATE_SECRET");
    const { OUTLOUD_ENCRYPTION_KEY: _key, ...noKey } = oauth;
    await expect(withSlack({ ...noKey, SLACK_STATE_SECRET: "s" }, none)).rejects.toThrow(
      /OUTLOUD_ENCRYPTION_KEY/,
    );
    await expect(withSlack({ SLACK_BOT_TOKEN: "xoxb-t1" }, none)).rejects.toThrow(/SLACK_SIGNING_SECRET/);
  });
});
