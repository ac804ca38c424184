/**
 * The live report at GET /report on the bot's HTTP server: the last four weeks from what the bot kept
 * while running (facts, decisions, nudges), never public, behind REPORT_TOKEN or Sign in with Slack
 * (against the fake Slack Web API, for workspace admins only).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SingleWorkspaceClients } from "../../../src/adapters/slack/clients.js";
import { SlackDirectory } from "../../../src/adapters/slack/directory.js";
import { SlackOutbox } from "../../../src/adapters/slack/outbox.js";
import { silentLogger } from "../../../src/logging.js";
import { reportRoutes } from "../../../src/report/live.js";
import { type RunningHealthServer, startHealthServer } from "../../../src/runtime/health.js";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { ScenarioSession, scenarioConfig } from "../../helpers/scenario.js";

const TOKEN = "a-long-random-report-token";
const at = (day: number, time: string) => `2026-11-${String(day).padStart(2, "0")}T${time}:00Z`;
const NOW = { now: () => new Date(at(6, "12:00")) };
const msg = (when: string, id: string, user: string, room: string, text: string, extra = {}) => ({
  type: "message",
  at: when,
  id,
  user,
  room,
  text,
  ...extra,
});

let session: ScenarioSession;

beforeAll(async () => {
  // A week of the bot running in the replay: its database then holds what a live bot keeps.
  session = await new ScenarioSession().open();
  await session.feed([
    { type: "room", at: at(2, "08:00"), room: "#payments", members: ["ana", "bob"] },
    msg(at(2, "10:00"), "q1", "carol", "#payments", "How do I refund a card payment?"),
    msg(at(2, "10:30"), "a1", "bob", "#payments", "Use the refunds page", { thread: "q1" }),
    msg(at(3, "10:00"), "s1", "ana", "~leads", "the SECRET-PLAN is ready"),
    msg(at(3, "11:00"), "d1", "ana", "dm:ana,bob", "DM-SECRET text"),
    {
      type: "command",
      at: at(4, "10:00"),
      user: "ana",
      room: "#payments",
      text: "/decision Retry settlements nightly",
    },
  ]);
});
afterAll(() => session.close());

async function serve(
  env: Record<string, string>,
  isWorkspaceAdmin?: (w: string, u: string) => Promise<boolean>,
) {
  const config = scenarioConfig({}, { OUTLOUD_DATA_DIR: session.config.dataDir, ...env });
  const routes = reportRoutes({
    db: session.db.db,
    config,
    clock: NOW,
    directory: session.platform.directory,
    log: silentLogger,
    isWorkspaceAdmin,
  });
  const server = await startHealthServer(routes, 0, "127.0.0.1");
  return { server, url: (path: string) => `http://127.0.0.1:${server.port}${path}` };
}

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers, redirect: "manual" });
const cookieOf = (res: Response) => res.headers.get("set-cookie")!.split(";")[0]!;

describe("/report with REPORT_TOKEN", () => {
  let server: RunningHealthServer;
  let url: (path: string) => string;
  beforeAll(async () => {
    ({ server, url } = await serve({ REPORT_TOKEN: TOKEN }));
  });
  afterAll(() => server.close());

  it("is not there at all when no way to sign in is configured", async () => {
    const bare = await serve({});
    try {
      expect((await get(bare.url("/report"))).status).toBe(404);
    } finally {
      await bare.server.close();
    }
  });

  it("asks for the token, and refuses a wrong one", async () => {
    const none = await get(url("/report"));
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect((await get(url("/report?token=wrong-token-of-some-length"))).status).toBe(401);
    expect((await get(url("/report"), { authorization: "Bearer wrong" })).status).toBe(401);
  });

  it("takes the token once from the address, moves it into a session cookie, and shows the last four weeks", async () => {
    const first = await get(url(`/report?token=${TOKEN}`));
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/report");
    expect(first.headers.get("set-cookie")).toMatch(/HttpOnly/);
    const page = await get(url("/report"), { cookie: cookieOf(first) });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain("Communication health: the last 4 weeks");
    expect(html.match(/<svg /g)).toHaveLength(11);
    // From the bot's own records: the question, its answer, the decision; no text at all.
    expect(html).toContain("1 of 1");
    for (const text of ["SECRET-PLAN", "DM-SECRET", "refund", "Retry settlements"])
      expect(html).not.toContain(text);
  });

  it("accepts the token as a bearer header, and one team's room alone", async () => {
    const page = await get(url("/report?room=%23payments"), { authorization: `Bearer ${TOKEN}` });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("room #payments");
    expect(html).not.toContain("leads (private)");
  });

  it("refuses a tampered session cookie", async () => {
    const first = await get(url(`/report?token=${TOKEN}`));
    const [name, value] = cookieOf(first).split("=");
    const [body, mac] = value!.split(".");
    const forged = Buffer.from(JSON.stringify({ workspace: "other", exp: 9e15 })).toString("base64url");
    expect((await get(url("/report"), { cookie: `${name}=${forged}.${mac}` })).status).toBe(401);
    expect((await get(url("/report"), { cookie: `${name}=${body}.x${mac}` })).status).toBe(401);
  });
});

describe("/report with Sign in with Slack", () => {
  let slack: FakeSlackApi;
  let server: RunningHealthServer;
  let url: (path: string) => string;

  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    slack.addWorkspace({ team: "T1", botToken: "xoxb-1" });
    slack.addOAuthApp("cid", "csecret");
    slack.addUser({ id: "UADMIN", team: "T1", name: "Ada", isAdmin: true });
    slack.addUser({ id: "UPLAIN", team: "T1", name: "Pat" });
    const clients = new SingleWorkspaceClients("xoxb-1", { slackApiUrl: slack.apiUrl });
    const calls = new SlackOutbox({ perChannelIntervalMs: 0, log: silentLogger });
    const directory = new SlackDirectory({ clients, log: silentLogger, calls });
    ({ server, url } = await serve(
      {
        SLACK_CLIENT_ID: "cid",
        SLACK_CLIENT_SECRET: "csecret",
        SLACK_STATE_SECRET: "state-secret",
        SLACK_SIGNING_SECRET: "signing-secret",
        SLACK_API_URL: slack.apiUrl,
        OUTLOUD_PUBLIC_URL: "https://outloud.example.com",
      },
      (w, u) => directory.isWorkspaceAdmin(w, u),
    ));
  });
  afterAll(async () => {
    await server.close();
    await slack.close();
  });

  /** The browser's round trip through Slack's consent page, as `user`; returns the callback's answer. */
  async function signIn(user: string): Promise<Response> {
    const start = await get(url("/report"));
    expect(start.status).toBe(303);
    expect(start.headers.get("location")).toBe("/report/login");
    const login = await get(url("/report/login"));
    const authorize = new URL(login.headers.get("location")!);
    expect(authorize.origin + authorize.pathname).toBe("https://slack.com/openid/connect/authorize");
    expect(authorize.searchParams.get("scope")).toBe("openid profile");
    expect(authorize.searchParams.get("redirect_uri")).toBe("https://outloud.example.com/report/callback");
    const state = authorize.searchParams.get("state")!;
    const code = slack.issueSignInCode("T1", user);
    return get(url(`/report/callback?code=${code}&state=${state}`), { cookie: cookieOf(login) });
  }

  it("lets a workspace admin in, to that workspace's report", async () => {
    const back = await signIn("UADMIN");
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toBe("/report");
    const page = await get(url("/report"), { cookie: cookieOf(back) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("workspace T1");
    expect(slack.succeeded("openid.connect.token")).toHaveLength(1);
    // Signed in to T1, the admin cannot ask for another workspace.
    expect((await get(url("/report?workspace=local"), { cookie: cookieOf(back) })).status).toBe(403);
  });

  it("turns away someone who is not an admin, and a callback whose state this browser did not start", async () => {
    expect((await signIn("UPLAIN")).status).toBe(403);
    const code = slack.issueSignInCode("T1", "UADMIN");
    expect((await get(url(`/report/callback?code=${code}&state=forged`))).status).toBe(400);
  });
});
