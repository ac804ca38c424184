/**
 * The app removed from a workspace (`app_uninstalled`, or `tokens_revoked` for the bot's token):
 * Slack refuses the token from then on, so the bot makes no more calls there and says why once, in
 * single-token mode and in OAuth mode alike.
 */

import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logging.js";
import {
  SIGNING_SECRET,
  type SlackHarness,
  seedWorkspace,
  startSlackHarness,
  typeInTeamChannel,
} from "../../helpers/fake-slack-harness.js";
import { eventCallback, postSigned } from "../../helpers/fake-slack-requests.js";

const lines: string[] = [];
const log = createLogger(
  "info",
  new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  }),
);
const removals = () => lines.filter((l) => l.includes("slack app removed"));

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  lines.length = 0;
});

const tokensRevoked = eventCallback("T1", { type: "tokens_revoked", tokens: { bot: ["UBOTT1"] } });
const uninstalled = eventCallback("T1", { type: "app_uninstalled" });

async function removeAndCheck(harness: SlackHarness, events: Array<Record<string, unknown>>): Promise<void> {
  for (const e of events) expect((await postSigned(harness.url, SIGNING_SECRET, e)).status).toBe(200);
  await expect.poll(() => removals().length).toBe(1);
  harness.slack.revokeToken("xoxb-t1");
  const before = harness.slack.calls.length;
  // An App Home open and a message that would be acted on: nothing is sent to Slack for them.
  await postSigned(
    harness.url,
    SIGNING_SECRET,
    eventCallback("T1", { type: "app_home_opened", user: "UT1A", channel: "DHOME", tab: "home" }),
  );
  await new Promise((r) => setTimeout(r, 300));
  expect(harness.slack.calls.slice(before).filter((c) => c.token === "xoxb-t1")).toEqual([]);
  expect(removals()).toHaveLength(1);
}

describe("the bot token revoked", () => {
  it("single-token mode: tokens_revoked, then app_uninstalled, stop every call, logged once", async () => {
    h = await startSlackHarness({ seed: (s) => seedWorkspace(s), log, adapter: { perChannelIntervalMs: 0 } });
    await removeAndCheck(h, [tokensRevoked, uninstalled]);
    expect(removals()[0]).toContain("tokens_revoked");
  });

  it("single-token mode: a rota is not announced once the app is uninstalled", async () => {
    h = await startSlackHarness({ seed: (s) => seedWorkspace(s), log, adapter: { perChannelIntervalMs: 0 } });
    await typeInTeamChannel(h, "T1", "/rota", "setup <@UT1A|alice> <@UT1B|bob>");
    await removeAndCheck(h, [uninstalled]);
    const before = h.slack.calls.length;
    await typeInTeamChannel(h, "T1", "/rota", "announce");
    await new Promise((r) => setTimeout(r, 300));
    expect(h.slack.calls.slice(before)).toEqual([]);
  });

  it("OAuth mode: tokens_revoked deletes the installation, logged once", async () => {
    h = await startSlackHarness({
      seed: (s) => seedWorkspace(s),
      installed: [{ team: "T1", botToken: "xoxb-t1" }],
      log,
      adapter: { perChannelIntervalMs: 0 },
    });
    await removeAndCheck(h, [tokensRevoked, uninstalled]);
    const rows = await h.db.db.selectFrom("slack_installations").select("workspace").execute();
    expect(rows).toEqual([]);
  });
});
