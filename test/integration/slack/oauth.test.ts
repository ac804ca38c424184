// Installing into a workspace through Slack's OAuth flow in the browser, end to end: Bolt's
// InstallProvider against the fake Web API, our encrypted installation store, then the new workspace
// served with its own token. A callback that is not the browser's own is refused.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOT_SCOPES } from "../../../src/adapters/slack/start.js";
import { createLogger } from "../../../src/logging.js";
import {
  OAUTH_CLIENT,
  SIGNING_SECRET,
  type SlackHarness,
  seedWorkspace,
  startSlackHarness,
  TEST_ENCRYPTION_KEY,
  typeInTeamChannel,
} from "../../helpers/fake-slack-harness.js";
import { eventCallback, postSigned } from "../../helpers/fake-slack-requests.js";

/** The browser opens /slack/install: Bolt sends it on to Slack with a state, kept in a cookie too. */
async function openInstallPage(h: SlackHarness): Promise<{ state: string; cookie: string }> {
  const res = await fetch(`${h.url}/slack/install`, { redirect: "manual" });
  expect(res.status).toBe(302);
  const to = new URL(res.headers.get("location")!);
  expect(`${to.origin}${to.pathname}`).toBe("https://slack.com/oauth/v2/authorize");
  expect(to.searchParams.get("client_id")).toBe(OAUTH_CLIENT.id);
  expect(to.searchParams.get("scope")!.split(",").sort()).toEqual([...BOT_SCOPES].sort());
  const state = to.searchParams.get("state")!;
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  expect(cookie).toBe(`slack-app-oauth-state=${state}`);
  return { state, cookie };
}

/** Slack sends the browser back with the code; the browser brings its cookie. */
function returnFromSlack(h: SlackHarness, query: string, cookie?: string): Promise<Response> {
  return fetch(`${h.url}/slack/oauth_redirect?${query}`, {
    redirect: "manual",
    ...(cookie ? { headers: { cookie } } : {}),
  });
}

/** The whole browser round trip for an admin approving the install that `botToken` stands for. */
async function install(h: SlackHarness, botToken: string): Promise<Response> {
  const { state, cookie } = await openInstallPage(h);
  return returnFromSlack(h, `code=${h.slack.issueCode(botToken)}&state=${state}`, cookie);
}

const installationRows = (h: SlackHarness) => h.db.db.selectFrom("slack_installations").selectAll().execute();

/** alice of `team` records a decision in the team's channel. */
const decide = (h: SlackHarness, team: string, enterprise?: string) =>
  typeInTeamChannel(h, team, "/decision", `Workspace ${team} writes decisions down.`, enterprise);

describe("installing through OAuth", () => {
  let h: SlackHarness;
  // Everything the adapter logs, at debug level, to check no secret ever reaches it.
  let logged = "";
  const logs = new Writable({
    write(chunk, _encoding, done) {
      logged += String(chunk);
      done();
    },
  });
  const states: string[] = [];
  beforeAll(async () => {
    h = await startSlackHarness({
      seed: (s) => seedWorkspace(s, "T5", "xoxb-t5"),
      installed: [],
      adapter: { perChannelIntervalMs: 0 },
      log: createLogger("debug", logs),
    });
  });
  afterAll(() => h.close());

  const startInstall = async () => {
    const started = await openInstallPage(h);
    states.push(started.state);
    return started;
  };
  const finish = (query: string, cookie?: string) => returnFromSlack(h, query, cookie);
  const installations = () => installationRows(h);

  const who = (team: string) => decide(h, team);

  it("refuses a callback whose state is missing, forged, or not this browser's: nothing exchanged, nothing stored", async () => {
    const { state, cookie } = await startInstall();
    const code = h.slack.issueCode("xoxb-t5");
    const forged = `${state.slice(0, -2)}${state.endsWith("AA") ? "BB" : "AA"}`;
    for (const [query, sentCookie] of [
      [`code=${code}`, cookie],
      [`code=${code}&state=${state}`, undefined],
      [`code=${code}&state=${state}`, "slack-app-oauth-state=someone-elses"],
      [`code=${code}&state=${forged}`, `slack-app-oauth-state=${forged}`],
    ] as const) {
      const res = await finish(query, sentCookie);
      expect(res.status).toBe(400);
    }
    // Only the callback without a state is exchanged (it might be an org-wide install from the org's
    // admin pages, which carries none): it was a workspace's install, so it is refused all the same.
    expect(h.slack.calls.filter((c) => c.method === "oauth.v2.access")).toHaveLength(1);
    expect(await installations()).toHaveLength(0);
    // And before any install, the workspace's requests are not served.
    await who("T5");
    expect(h.slack.calls.some((c) => c.method.startsWith("chat."))).toBe(false);
  });

  it("exchanges the code, stores the installation encrypted, and serves the workspace with its token", async () => {
    const earlier = h.slack.succeeded("oauth.v2.access").length;
    expect((await install(h, "xoxb-t5")).status).toBe(200);
    const exchanged = h.slack.succeeded("oauth.v2.access").slice(earlier);
    expect(exchanged).toHaveLength(1);
    expect(exchanged[0]!.args).toMatchObject({ client_id: OAUTH_CLIENT.id });
    const rows = await installations();
    expect(rows).toMatchObject([{ workspace: "T5", team_id: "T5", is_enterprise_install: 0 }]);
    expect(rows[0]!.installation).toMatch(/^v1:/);
    expect(rows[0]!.installation).not.toContain("xoxb-t5");

    expect((await who("T5")).status).toBe(200);
    await h.slack.waitFor((s) => s.succeeded("chat.postMessage").some((c) => c.args.channel === "CT5"));
    for (const c of h.slack.calls.filter((c) => c.args.channel === "CT5")) expect(c.token).toBe("xoxb-t5");

    // The code was for one exchange only: replaying the redirect installs nothing more.
    const again = await startInstall();
    const replay = await finish(`code=${exchanged[0]!.args.code}&state=${again.state}`, again.cookie);
    expect(replay.status).toBe(500);
    expect(h.slack.calls.filter((c) => c.method === "oauth.v2.access").at(-1)!.error).toBe("invalid_code");
    expect(await installations()).toHaveLength(1);
  });

  it("serves a reinstalled workspace with its new token from then on", async () => {
    h.slack.addWorkspace({ team: "T5", botToken: "xoxb-t5-reinstalled" });
    expect((await install(h, "xoxb-t5-reinstalled")).status).toBe(200);
    expect(await installations()).toHaveLength(1);
    const before = h.slack.calls.length;
    await who("T5");
    await h.slack.waitFor((s) => s.calls.slice(before).some((c) => c.method === "chat.postMessage"));
    const posts = h.slack.calls.slice(before).filter((c) => c.method === "chat.postMessage");
    expect(posts.map((c) => c.token)).toEqual(["xoxb-t5-reinstalled"]);
  });

  it("never logged a token, the app's secrets, a state or a decision's text along the way", () => {
    expect(logged).toContain("slack adapter started");
    for (const secret of [
      "xoxb-",
      OAUTH_CLIENT.secret,
      OAUTH_CLIENT.stateSecret,
      TEST_ENCRYPTION_KEY,
      "code-",
      "writes decisions down",
      ...states,
    ])
      expect(logged).not.toContain(secret);
  });
});

describe("an org-wide install in an Enterprise Grid org", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({
      seed: (s) => {
        // Two workspaces of org E1, each with a person and a channel the org's bot is in.
        for (const team of ["T7", "T8"]) {
          s.addUser({ id: `U${team}A`, team, name: `alice-${team.toLowerCase()}` });
          s.addConversation({ id: `C${team}`, team, name: "team", members: [`U${team}A`, "UBOTE1"] });
        }
        s.addOrgInstall({ enterprise: "E1", botToken: "xoxb-e1", teams: ["T7", "T8"] });
      },
      installed: [],
      adapter: { perChannelIntervalMs: 0 },
    });
  });
  afterAll(() => h.close());

  it("is stored once, by the org's enterprise id, and serves every workspace of the org with its token", async () => {
    expect((await install(h, "xoxb-e1")).status).toBe(200);
    const rows = await installationRows(h);
    expect(rows).toMatchObject([
      { workspace: "E1", team_id: null, enterprise_id: "E1", is_enterprise_install: 1 },
    ]);
    expect(rows[0]!.installation).not.toContain("xoxb-e1");
    for (const team of ["T7", "T8"]) {
      expect((await decide(h, team, "E1")).status).toBe(200);
      await h.slack.waitFor((s) =>
        s.succeeded("chat.postMessage").some((c) => c.args.channel === `C${team}`),
      );
    }
    const posts = h.slack.succeeded("chat.postMessage");
    expect(posts.map((c) => [c.args.channel, c.token])).toEqual([
      ["CT7", "xoxb-e1"],
      ["CT8", "xoxb-e1"],
    ]);
    // The org's workspaces are those Slack lists for its token.
    expect(h.slack.succeeded("auth.teams.list").map((c) => c.token)).toEqual(["xoxb-e1"]);
    // Each workspace keeps its own decisions (both are D-1), though one token serves them.
    expect(posts.every((c) => String(c.args.text).includes("D-1"))).toBe(true);
  });

  it("deletes the org's installation, token and all, when the org uninstalls the app", async () => {
    const uninstalled = eventCallback(
      "T7",
      { type: "app_uninstalled" },
      {
        enterprise_id: "E1",
        authorizations: [
          {
            enterprise_id: "E1",
            team_id: null,
            user_id: "UBOTE1",
            is_bot: true,
            is_enterprise_install: true,
          },
        ],
      },
    );
    expect((await postSigned(h.url, SIGNING_SECRET, uninstalled)).status).toBe(200);
    await expect.poll(async () => (await installationRows(h)).length).toBe(0);
    const before = h.slack.calls.length;
    await decide(h, "T8", "E1");
    expect(h.slack.calls.slice(before).some((c) => c.method.startsWith("chat."))).toBe(false);
  });
});

describe("an org-wide install started from the org's admin pages", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({
      seed: (s) => {
        s.addUser({ id: "UT9A", team: "T9", name: "alice-t9" });
        s.addConversation({ id: "CT9", team: "T9", name: "team", members: ["UT9A", "UBOTE2"] });
        s.addOrgInstall({ enterprise: "E2", botToken: "xoxb-e2", teams: ["T9"] });
      },
      installed: [],
      adapter: { perChannelIntervalMs: 0 },
    });
  });
  afterAll(() => h.close());

  it("is stored though Slack sends no state (the install did not start at /slack/install)", async () => {
    const res = await returnFromSlack(h, `code=${h.slack.issueCode("xoxb-e2")}`);
    expect(res.status).toBe(200);
    expect(await installationRows(h)).toMatchObject([{ workspace: "E2", is_enterprise_install: 1 }]);
    expect((await decide(h, "T9", "E2")).status).toBe(200);
    await h.slack.waitFor((s) => s.succeeded("chat.postMessage").some((c) => c.args.channel === "CT9"));
  });
});
