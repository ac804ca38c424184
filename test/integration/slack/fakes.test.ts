// The contract fakes themselves, driven by the real SDKs: if these fail, every other Slack test is suspect.

import { webApi } from "@slack/bolt";
import { SocketModeClient } from "@slack/socket-mode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { slackSignature } from "../../helpers/fake-slack-requests.js";
import { FakeSlackSocketMode } from "../../helpers/fake-slack-socket.js";

describe("FakeSlackApi with the real WebClient", () => {
  let slack: FakeSlackApi;
  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    slack.addWorkspace({ team: "T1", botToken: "xoxb-1" });
    slack.addUser({ id: "UA", team: "T1", name: "alice", tz: "Europe/Madrid" });
    slack.addConversation({ id: "C1", team: "T1", name: "team", members: ["UA", "UBOTT1"] });
  });
  afterAll(() => slack.close());

  const client = () =>
    new webApi.WebClient("xoxb-1", {
      slackApiUrl: slack.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    });

  it("answers auth.test and records the call with its bearer token", async () => {
    const res = await client().auth.test();
    expect(res.team_id).toBe("T1");
    expect(slack.calls.at(-1)).toMatchObject({ method: "auth.test", token: "xoxb-1", team: "T1" });
  });

  it("rejects an unknown token like Slack does", async () => {
    const bad = new webApi.WebClient("xoxb-wrong", {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    await expect(bad.auth.test()).rejects.toMatchObject({ data: { error: "invalid_auth" } });
  });

  it("checks required arguments of chat.postMessage", async () => {
    await expect(client().apiCall("chat.postMessage", { channel: "C1" })).rejects.toMatchObject({
      data: { error: "no_text" },
    });
    await expect(client().chat.postMessage({ channel: "CNOPE", text: "hi" })).rejects.toMatchObject({
      data: { error: "channel_not_found" },
    });
    const ok = await client().chat.postMessage({
      channel: "C1",
      text: "hi",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "hi" } }],
    });
    expect(ok.ts).toMatch(/^\d+\.\d{6}$/);
    expect(slack.succeeded("chat.postMessage").at(-1)?.args.text).toBe("hi");
  });

  it("answers a scripted 429 with Retry-After, which the client surfaces as rate limited", async () => {
    slack.failNext("chat.postMessage", { status: 429, retryAfter: 7 });
    await expect(client().chat.postMessage({ channel: "C1", text: "x" })).rejects.toMatchObject({
      code: webApi.ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
  });

  it("enforces a per-channel posting interval when configured", async () => {
    slack.limits = { ...slack.limits, perChannelIntervalMs: 60_000 };
    try {
      await client()
        .chat.postMessage({ channel: "C1", text: "first" })
        .catch(() => undefined);
      await expect(client().chat.postMessage({ channel: "C1", text: "second" })).rejects.toMatchObject({
        code: webApi.ErrorCode.RateLimitedError,
      });
    } finally {
      slack.limits = { ...slack.limits, perChannelIntervalMs: 0 };
    }
  });

  it("enforces a workspace-wide posting limit across channels when configured", async () => {
    slack.addConversation({ id: "C2", team: "T1", name: "other", members: ["UA", "UBOTT1"] });
    slack.limits = { ...slack.limits, workspacePosts: 2, workspaceWindowMs: 60_000 };
    try {
      await client().chat.postMessage({ channel: "C1", text: "one" });
      await client().chat.postMessage({ channel: "C2", text: "two" });
      await expect(client().chat.postMessage({ channel: "C1", text: "three" })).rejects.toMatchObject({
        code: webApi.ErrorCode.RateLimitedError,
      });
    } finally {
      slack.limits = { ...slack.limits, workspacePosts: 0 };
    }
  });

  it("keeps user groups, topics and DMs", async () => {
    const c = client();
    const created = await c.usergroups.create({ name: "team-responder", handle: "team-responder" });
    await c.usergroups.users.update({ usergroup: created.usergroup!.id!, users: "UA" });
    expect(slack.usergroupMembers("team-responder", "T1")).toEqual(["UA"]);
    await c.conversations.setTopic({ channel: "C1", topic: "Responder: alice" });
    expect(slack.conversation("C1")?.topic).toBe("Responder: alice");
    const dm = await c.conversations.open({ users: "UA" });
    expect((await c.conversations.open({ users: "UA" })).channel?.id).toBe(dm.channel?.id);
    const info = await c.users.info({ user: "UA" });
    expect(info.user?.tz).toBe("Europe/Madrid");
  });
});

describe("FakeSlackSocketMode with the real SocketModeClient", () => {
  let slack: FakeSlackApi;
  let socket: FakeSlackSocketMode;
  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    socket = await new FakeSlackSocketMode().start();
    slack.socketModeUrl = socket.url;
    slack.appTokens.add("xapp-1");
  });
  afterAll(async () => {
    await socket.close();
    await slack.close();
  });

  it("connects through apps.connections.open, acknowledges envelopes, and gets an unacknowledged one again", async () => {
    const client = new SocketModeClient({
      appToken: "xapp-1",
      clientOptions: { slackApiUrl: slack.apiUrl },
      logLevel: webApi.LogLevel.ERROR,
    });
    const seen: string[] = [];
    client.on("slash_commands", async ({ ack, body }) => {
      seen.push(String(body.text));
      await ack({ text: "pong" });
    });
    await client.start();
    try {
      expect(slack.calls.some((c) => c.method === "apps.connections.open" && c.token === "xapp-1")).toBe(
        true,
      );
      const ack = await socket.deliver("slash_commands", { command: "/rota", text: "who" });
      expect(ack.payload).toEqual({ text: "pong" });
      // The first acknowledgement is "lost": the envelope comes again and is acknowledged again.
      await socket.deliver(
        "slash_commands",
        { command: "/rota", text: "again" },
        { loseAcks: 1, ackTimeoutMs: 500 },
      );
      expect(seen).toEqual(["who", "again", "again"]);
    } finally {
      await client.disconnect();
    }
  });
});

describe("request signing helper", () => {
  it("matches Slack's documented example", () => {
    // From Slack's "Verifying requests from Slack" guide.
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(slackSignature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });
});
