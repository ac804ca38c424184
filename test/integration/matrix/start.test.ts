/** `npm start` with Matrix credentials that the homeserver refuses stops with a clear message. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeHomeserver } from "../../helpers/fake-homeserver.js";
import { runEntry } from "../../helpers/processes.js";
import { BOT, freshDataDir, TOKEN } from "./bot.js";

let hs: FakeHomeserver;
beforeAll(async () => {
  hs = await new FakeHomeserver({ botUserId: BOT, token: TOKEN }).start();
});
afterAll(async () => {
  await hs.close();
});

it("stops at start-up on a wrong access token, without printing it", { timeout: 90_000 }, async () => {
  const wrong = "syt_wrong_token_value";
  const result = await runEntry("src/main.ts", [], {
    env: {
      OUTLOUD_DATA_DIR: freshDataDir(),
      MATRIX_HOMESERVER_URL: hs.url,
      MATRIX_USER_ID: BOT,
      MATRIX_ACCESS_TOKEN: wrong,
    },
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/Outloud cannot start[\s\S]*M_UNKNOWN_TOKEN|Invalid access token/);
  expect(result.stderr + result.stdout).not.toContain(wrong);
});
