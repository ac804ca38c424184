// The real Bolt app in Socket Mode against a local WebSocket server speaking Slack's envelope protocol.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { type SlackHarness, seedWorkspace, startSlackHarness } from "../../helpers/fake-slack-harness.js";
import { eventCallback, mkMessage } from "../../helpers/fake-slack-requests.js";
import { FakeSlackSocketMode } from "../../helpers/fake-slack-socket.js";

function seed(socket: FakeSlackSocketMode) {
  return (slack: FakeSlackApi) => {
    seedWorkspace(slack);
    for (const id of ["UC", "UD", "UE", "UF", "UG", "UH"])
      slack.addUser({ id, team: "T1", name: id.toLowerCase(), tz: "UTC" });
    slack.addConversation({
      id: "CBIG",
      team: "T1",
      name: "everyone",
      // The bot gets message events only from channels it is in.
      members: ["UT1A", "UT1B", "UC", "UD", "UE", "UF", "UG", "UH", "UBOTT1"],
    });
    slack.appTokens.add("xapp-test");
    slack.socketModeUrl = socket.url;
  };
}

describe("Slack Socket Mode", () => {
  let socket: FakeSlackSocketMode;
  let h: SlackHarness;
  beforeAll(async () => {
    socket = await new FakeSlackSocketMode().start();
    h = await startSlackHarness({
      seed: seed(socket),
      adapter: { appToken: "xapp-test", healthPort: 0, perChannelIntervalMs: 0 },
    });
    await socket.connected();
  });
  afterAll(async () => {
    await h.close();
    await socket.close();
  });

  it("opens the connection with the app token through apps.connections.open", () => {
    expect(h.slack.calls.some((c) => c.method === "apps.connections.open" && c.token === "xapp-test")).toBe(
      true,
    );
    expect(socket.connections).toBe(1);
  });

  it("answers a slash command in the envelope acknowledgement", async () => {
    const ack = await socket.deliver("slash_commands", {
      team_id: "T1",
      user_id: "UT1A",
      channel_id: "CT1",
      channel_name: "team",
      command: "/outloud",
      text: "help",
      response_url: h.slack.responseUrl(),
      trigger_id: "trigger-socket-1",
    });
    expect(ack.payload).toMatchObject({ response_type: "ephemeral" });
    expect(String(ack.payload?.text)).toContain("/rota");
  });

  it("acts once on an envelope redelivered because its acknowledgement was lost", async () => {
    const tipsBefore = h.slack.succeeded("chat.postEphemeral").length;
    const event = eventCallback(
      "T1",
      mkMessage({ user: "UT1A", channel: "CBIG", text: "<!channel> release at 4" }),
    );
    await socket.deliver("events_api", event, { loseAcks: 2, ackTimeoutMs: 500 });
    // Three deliveries, three acknowledgements: redeliveries are acknowledged too, or Slack would keep trying.
    await h.slack.waitFor((s) => s.succeeded("chat.postEphemeral").length > tipsBefore);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.slack.succeeded("chat.postEphemeral").slice(tipsBefore)).toHaveLength(1);
  });

  it("serves the health routes on their own port, ready while connected", async () => {
    const base = `http://127.0.0.1:${h.adapter.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
  });
});

describe("Slack Socket Mode with a bad app token", () => {
  it("fails to start with a message naming the variable", async () => {
    const socket = await new FakeSlackSocketMode().start();
    try {
      await expect(
        startSlackHarness({
          seed: (slack) => {
            seedWorkspace(slack);
            slack.socketModeUrl = socket.url;
          },
          adapter: { appToken: "xapp-revoked" },
        }),
      ).rejects.toThrow(/SLACK_APP_TOKEN/);
      expect(socket.connections).toBe(0);
    } finally {
      await socket.close();
    }
  });
});
