// /rota end to end through Slack: slash commands in, Web API calls (and the acknowledgement) out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SIGNING_SECRET,
  type SlackHarness,
  seedWorkspace,
  startSlackHarness,
} from "../../helpers/fake-slack-harness.js";
import { eventCallback, mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";

describe("/rota over Slack", () => {
  let h: SlackHarness;
  const rota = (text: string, user = "UT1A") =>
    postSigned(
      h.url,
      SIGNING_SECRET,
      mkSlashCommand({
        team: "T1",
        user,
        channel: "CT1",
        channelName: "team",
        command: "/rota",
        text,
        responseUrl: h.slack.responseUrl(),
      }),
    );

  beforeAll(async () => {
    h = await startSlackHarness({ seed: (s) => seedWorkspace(s), adapter: { perChannelIntervalMs: 0 } });
  });
  afterAll(() => h.close());

  it("sets up a rota from escaped mentions and confirms in the channel with real mentions", async () => {
    // Every day a working day, so `announce` below announces whatever day the test runs on.
    const res = await rota("setup <@UT1A|alice> <@UT1B|bob> at 09:30 tz Europe/Madrid days mon-sun");
    expect(res.status).toBe(200);
    const posts = h.slack.succeeded("chat.postMessage").filter((c) => c.args.channel === "CT1");
    expect(posts.length).toBeGreaterThanOrEqual(1);
    const text = String(posts.at(-1)!.args.text);
    expect(text).toContain("<@UT1A>");
    expect(text).toContain("<@UT1B>");
    // Block Kit with the same text as the plain fallback.
    expect(JSON.parse(String(posts.at(-1)!.args.blocks))[0].text.text).toBe(text);
  });

  it("answers /rota who privately, in the acknowledgement", async () => {
    const postsBefore = h.slack.succeeded("chat.postMessage").length;
    const res = await rota("who", "UT1B");
    const body = res.json() as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toMatch(/<@UT1[AB]>/);
    expect(h.slack.succeeded("chat.postMessage").length).toBe(postsBefore);
  });

  it("announces on demand: the responder is named in the channel, the topic and the user group follow", async () => {
    await rota("announce");
    await h.slack.waitFor((s) => s.succeeded("usergroups.users.update").length > 0);
    const announcement = h.slack
      .succeeded("chat.postMessage")
      .find((c) => /responder is/i.test(String(c.args.text)));
    const responder = /<@(UT1[AB])>/.exec(String(announcement?.args.text))?.[1];
    expect(responder).toBeDefined();
    expect(h.slack.conversation("CT1")?.topic).toContain(responder);
    expect(h.slack.usergroupMembers("team-responder", "T1")).toEqual([responder]);
  });

  it("takes the time zone of the person setting it up from their Slack profile", async () => {
    h.slack.addConversation({ id: "CNY", team: "T1", name: "new-york", members: ["UT1A", "UT1B", "UBOTT1"] });
    await postSigned(
      h.url,
      SIGNING_SECRET,
      mkSlashCommand({
        team: "T1",
        user: "UT1B",
        channel: "CNY",
        command: "/rota",
        text: "setup <@UT1A|alice> <@UT1B|bob>",
        responseUrl: h.slack.responseUrl(),
      }),
    );
    await h.slack.waitFor((s) => s.succeeded("chat.postMessage").some((c) => c.args.channel === "CNY"));
    const confirmation = h.slack.succeeded("chat.postMessage").find((c) => c.args.channel === "CNY")!;
    // Bob's Slack profile says America/New_York (users.info).
    expect(String(confirmation.args.text)).toContain("America/New_York");
  });

  it("stops giving turns to someone who left the channel, and gives them again when they come back", async () => {
    const whoIsNext = async () => ((await rota("who", "UT1A")).json() as { text: string }).text;
    const member = (type: string) =>
      postSigned(
        h.url,
        SIGNING_SECRET,
        eventCallback("T1", { type, user: "UT1B", channel: "CT1", channel_type: "C", team: "T1" }),
      );
    await member("member_left_channel");
    await expect.poll(whoIsNext).not.toContain("<@UT1B>");
    await member("member_joined_channel");
    await expect.poll(whoIsNext).toContain("<@UT1B>");
  });

  it("answers publicly through response_url in a channel the bot was never invited to", async () => {
    h.slack.addConversation({ id: "CNOBOT", team: "T1", name: "elsewhere", members: ["UT1A", "UT1B"] });
    const responseUrl = h.slack.responseUrl();
    const res = await postSigned(
      h.url,
      SIGNING_SECRET,
      mkSlashCommand({
        team: "T1",
        user: "UT1A",
        channel: "CNOBOT",
        command: "/rota",
        text: "setup <@UT1A|alice> <@UT1B|bob>",
        responseUrl,
      }),
    );
    expect(res.status).toBe(200);
    await h.slack.waitFor((s) => s.responseUrlPosts.some((p) => responseUrl.endsWith(p.id)));
    const post = h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id))!;
    expect(post.body).toMatchObject({ response_type: "in_channel" });
    expect(String(post.body.text)).toContain("<@UT1B>");
  });

  it("gives a short private usage reply for a malformed /rota command", async () => {
    const res = await rota("setup at 25:99");
    const body = res.json() as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toMatch(/usage/i);
  });
});
