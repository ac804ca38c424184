// The real Bolt app in HTTP mode, receiving signed requests over loopback and talking to FakeSlackApi.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  metric,
  SIGNING_SECRET,
  type SlackHarness,
  seedWorkspace,
  startSlackHarness,
  typeInTeamChannel,
} from "../../helpers/fake-slack-harness.js";
import { eventCallback, mkMessage, mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";

async function processedCount(h: SlackHarness): Promise<number> {
  const rows = await h.db.db.selectFrom("processed_events").select("event_id").execute();
  return rows.length;
}

describe("Slack HTTP mode", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ seed: (s) => seedWorkspace(s), adapter: { perChannelIntervalMs: 0 } });
  });
  afterAll(() => h.close());

  it("checks the token at start-up with auth.test", () => {
    expect(h.slack.calls.some((c) => c.method === "auth.test" && c.token === "xoxb-t1")).toBe(true);
  });

  it("answers the URL verification challenge", async () => {
    const res = await postSigned(h.url, SIGNING_SECRET, {
      type: "url_verification",
      challenge: "abc123",
      token: "x",
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain("abc123");
  });

  it("refuses a request signed with the wrong secret: 401, nothing recorded, nothing posted", async () => {
    const before = { calls: h.slack.calls.length, processed: await processedCount(h) };
    const body = new URLSearchParams(
      mkSlashCommand({
        team: "T1",
        user: "UT1A",
        channel: "CT1",
        command: "/outloud",
        text: "help",
        responseUrl: h.slack.responseUrl(),
      }),
    );
    const res = await postSigned(h.url, SIGNING_SECRET, body, { secret: "someone-else" });
    expect(res.status).toBe(401);
    const event = eventCallback("T1", mkMessage({ user: "UT1A", channel: "CT1", text: "hello?" }));
    expect((await postSigned(h.url, SIGNING_SECRET, event, { secret: "nope" })).status).toBe(401);
    expect(await processedCount(h)).toBe(before.processed);
    expect(h.slack.calls.length).toBe(before.calls);
    expect(h.slack.responseUrlPosts).toHaveLength(0);
  });

  it("refuses a correctly signed request with a stale timestamp (replay): 401, nothing changes", async () => {
    const before = { calls: h.slack.calls.length, processed: await processedCount(h) };
    const event = eventCallback("T1", mkMessage({ user: "UT1A", channel: "CT1", text: "old news" }));
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    const res = await postSigned(h.url, SIGNING_SECRET, event, { timestamp: tenMinutesAgo });
    expect(res.status).toBe(401);
    expect(await processedCount(h)).toBe(before.processed);
    expect(h.slack.calls.length).toBe(before.calls);
  });

  it("answers /outloud help privately in the acknowledgement itself", async () => {
    const res = await postSigned(
      h.url,
      SIGNING_SECRET,
      mkSlashCommand({
        team: "T1",
        user: "UT1A",
        channel: "CT1",
        command: "/outloud",
        text: "help",
        responseUrl: h.slack.responseUrl(),
      }),
    );
    expect(res.status).toBe(200);
    const body = res.json() as { response_type: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain("/rota");
    expect(body.blocks.length).toBeGreaterThan(0);
    // A private answer is never posted to the channel.
    expect(h.slack.succeeded("chat.postMessage")).toHaveLength(0);
  });

  it("answers an unknown command privately, without posting anything", async () => {
    const res = await postSigned(
      h.url,
      SIGNING_SECRET,
      mkSlashCommand({
        team: "T1",
        user: "UT1A",
        channel: "CT1",
        command: "/outloud",
        text: "frobnicate the widgets",
        responseUrl: h.slack.responseUrl(),
      }),
    );
    expect(res.status).toBe(200);
    const body = res.json() as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain("frobnicate");
    expect(h.slack.succeeded("chat.postMessage")).toHaveLength(0);
  });

  it("serves /healthz, /readyz and /metrics on the same port", async () => {
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      checks: { database: true, slack: true, scheduler: true },
    });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/outloud_events_in_total\{platform="slack",type="command"\} \d+/);
    expect(metrics).toContain("outloud_export_outbox_depth");
  });
});

describe("Slack metrics", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    // A Markdown folder that cannot be made (under a file): every export stays in the outbox, to be retried.
    h = await startSlackHarness({
      seed: (s) => seedWorkspace(s),
      settings: { decisions: { export: { markdown: { directory: resolve("package.json", "decisions") } } } },
      adapter: { perChannelIntervalMs: 0 },
    });
  });
  afterAll(() => h.close());

  it("counts the decision exports still to deliver, events in by type and actions out by kind", async () => {
    expect(await metric(h, "outloud_export_outbox_depth")).toBe(0);
    const res = await typeInTeamChannel(
      h,
      "T1",
      "/decision",
      "Incidents get a written review within a week.",
    );
    expect(res.status).toBe(200);
    await h.slack.waitFor((s) => s.succeeded("chat.postMessage").length > 0);
    expect(String(h.slack.succeeded("chat.postMessage")[0]!.args.text)).toContain("markdown: pending");
    expect(await metric(h, "outloud_export_outbox_depth")).toBe(1);
    expect(await metric(h, 'outloud_events_in_total{platform="slack",type="command"}')).toBe(1);
    expect(await metric(h, 'outloud_actions_out_total{platform="slack",action="post"}')).toBe(1);
  });
});

describe("a slash command whose answer takes longer than Slack's 3 seconds", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({
      seed: (s) => {
        seedWorkspace(s);
        s.addConversation({ id: "CSLOW", team: "T1", name: "slow", members: ["UT1A"] });
      },
    });
  });
  afterAll(() => h.close());

  it("acknowledges in time with a private 'working on it' and delivers the answer through response_url", async () => {
    // Looking up the channel is slow today, so the answer cannot be ready within Slack's deadline.
    h.slack.failNext("conversations.info", { delayMs: 3500 });
    const responseUrl = h.slack.responseUrl();
    const res = await postSigned(
      h.url,
      SIGNING_SECRET,
      mkSlashCommand({
        team: "T1",
        user: "UT1A",
        channel: "CSLOW",
        command: "/outloud",
        text: "help",
        responseUrl,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ response_type: "ephemeral", text: "Working on it…" });
    await h.slack.waitFor((s) => s.responseUrlPosts.some((p) => responseUrl.endsWith(p.id)));
    const answer = h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id))!;
    expect(answer.body).toMatchObject({ response_type: "ephemeral" });
    expect(String(answer.body.text)).toContain("/rota");
  });
});
