// The DM → channel nudge on Slack: a private tip with a button that reposts the question in the
// suggested channel, in the asker's name as a quote, read from Slack by id (never stored by us).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SIGNING_SECRET,
  type SlackHarness,
  seedWorkspace,
  startSlackHarness,
} from "../../helpers/fake-slack-harness.js";
import {
  asInteractiveForm,
  eventCallback,
  mkMessage,
  nextTs,
  postSigned,
} from "../../helpers/fake-slack-requests.js";

describe("the share button of the DM → channel nudge", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({
      seed: (s) => {
        seedWorkspace(s);
        s.addConversation({ id: "GDM", team: "T1", kind: "mpim", members: ["UT1A", "UT1B", "UBOTT1"] });
      },
      adapter: { perChannelIntervalMs: 0 },
    });
  });
  afterAll(() => h.close());

  const say = (user: string, channel: string, text: string, channelType: string, ts = nextTs()) =>
    postSigned(
      h.url,
      SIGNING_SECRET,
      eventCallback("T1", mkMessage({ user, channel, text, ts, channel_type: channelType })),
    );

  it("reposts the question in the suggested channel as a quote in the asker's name, and says so privately", async () => {
    await say("UT1A", "CT1", "morning all", "channel");
    await say("UT1B", "CT1", "morning", "channel");
    const question = "how do I rerun the failed deploy on staging?";
    const ts = nextTs();
    h.slack.addMessage("GDM", { ts, user: "UT1A", text: question });
    await say("UT1A", "GDM", question, "mpim", ts);
    await h.slack.waitFor((s) => s.succeeded("chat.postEphemeral").some((c) => c.args.channel === "GDM"));
    const tip = h.slack.succeeded("chat.postEphemeral").find((c) => c.args.channel === "GDM")!;
    expect(tip.args.user).toBe("UT1A");
    expect(String(tip.args.text)).toContain("#team");
    const blocks = JSON.parse(String(tip.args.blocks)) as Array<{
      type: string;
      elements?: Array<{ action_id: string; value: string; text: { text: string } }>;
    }>;
    const button = blocks.find((b) => b.type === "actions")!.elements![0]!;
    expect(button.text.text).toBe("Post it in #team");
    // The button names the question, never its words.
    expect(button.value).not.toContain("staging");

    const responseUrl = h.slack.responseUrl();
    const press = {
      type: "block_actions",
      team: { id: "T1", domain: "t1" },
      user: { id: "UT1A", name: "alice", team_id: "T1" },
      api_app_id: "AFAKE",
      token: "unused",
      container: {
        type: "message",
        message_ts: tip.args.ts ?? nextTs(),
        channel_id: "GDM",
        is_ephemeral: true,
      },
      channel: { id: "GDM", name: "mpdm-alice--bob-1" },
      response_url: responseUrl,
      trigger_id: `${Date.now()}.1.abc`,
      actions: [
        { type: "button", action_id: button.action_id, block_id: "b", value: button.value, action_ts: "1" },
      ],
    };
    expect((await postSigned(h.url, SIGNING_SECRET, asInteractiveForm(press))).status).toBe(200);
    await h.slack.waitFor((s) =>
      s.succeeded("chat.postMessage").some((c) => /asks:/.test(String(c.args.text))),
    );
    const repost = h.slack.succeeded("chat.postMessage").find((c) => /asks:/.test(String(c.args.text)))!;
    expect(repost.args.channel).toBe("CT1");
    expect(String(repost.args.text)).toBe(`<@UT1A> asks: \n&gt; ${question}`);
    const id = responseUrl.split("/").at(-1);
    await h.slack.waitFor((s) => s.responseUrlPosts.some((p) => p.id === id));
    expect(h.slack.responseUrlPosts.find((p) => p.id === id)!.body).toMatchObject({
      replace_original: true,
      text: "Posted in #team. Thanks for working out loud!",
    });
  });
});
