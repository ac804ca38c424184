// Small things real Slack gets right or wrong: placeholders in the App Home help, and the decision
// shortcut used in a DM between two people (a conversation the bot cannot look up).
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
  mkMessageShortcut,
  mkSlashCommand,
  nextTs,
  postSigned,
} from "../../helpers/fake-slack-requests.js";

describe("Slack details", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({
      seed: (s) => {
        seedWorkspace(s);
        // alice and bob's own DM: the bot is not in it.
        s.addConversation({ id: "DAB", team: "T1", kind: "im", members: ["UT1A", "UT1B"] });
        s.addConversation({
          id: "GOLD",
          team: "T1",
          name: "old-project",
          kind: "private",
          members: ["UT1A", "UBOTT1"],
        });
      },
      settings: { decisions: { privateRooms: true } },
      adapter: { perChannelIntervalMs: 0 },
    });
  });
  afterAll(() => h.close());

  it("shows the App Home help's placeholders as text, escaped for mrkdwn", async () => {
    await postSigned(
      h.url,
      SIGNING_SECRET,
      eventCallback("T1", { type: "app_home_opened", user: "UT1A", channel: "DHOME", tab: "home" }),
    );
    await h.slack.waitFor((s) => s.succeeded("views.publish").length > 0);
    const view = JSON.parse(String(h.slack.succeeded("views.publish").at(-1)!.args.view)) as {
      blocks: Array<{ text?: { text: string } }>;
    };
    const help = view.blocks.at(-1)!.text!.text;
    expect(help).toContain("&lt;what was decided&gt;");
    expect(help).not.toMatch(/<(?![@#!])/);
  });

  it("keeps Recent decisions on App Home when one of their rooms can no longer be seen", async () => {
    const decide = (channel: string, text: string) =>
      postSigned(
        h.url,
        SIGNING_SECRET,
        mkSlashCommand({
          team: "T1",
          user: "UT1A",
          channel,
          command: "/decision",
          text,
          responseUrl: h.slack.responseUrl(),
        }),
      );
    await decide("CT1", "We review pull requests within a day.");
    await decide("GOLD", "The old project is frozen.");
    // The bot was removed from the private channel: Slack now says it does not exist.
    h.slack.conversation("GOLD")!.members = ["UT1A"];
    await postSigned(
      h.url,
      SIGNING_SECRET,
      eventCallback("T1", { type: "member_left_channel", user: "UBOTT1", channel: "GOLD" }),
    );
    const before = h.slack.succeeded("views.publish").length;
    await postSigned(
      h.url,
      SIGNING_SECRET,
      eventCallback("T1", { type: "app_home_opened", user: "UT1A", channel: "DHOME", tab: "home" }),
    );
    await h.slack.waitFor((s) => s.succeeded("views.publish").length > before);
    const view = String(h.slack.succeeded("views.publish").at(-1)!.args.view);
    expect(view).toContain("Recent decisions in your rooms");
    expect(view).toContain("We review pull requests within a day");
    expect(view).not.toContain("old project is frozen");
  });

  it("treats the shortcut in a DM between two people as a DM: nothing recorded, and it says why", async () => {
    const responseUrl = h.slack.responseUrl();
    const shortcut = mkMessageShortcut({
      team: "T1",
      user: "UT1A",
      channel: "DAB",
      messageTs: nextTs(),
      messageText: "We agreed to move the launch to May.",
      messageUser: "UT1B",
      responseUrl,
      triggerId: null,
    });
    (shortcut.channel as { name: string }).name = "directmessage";
    await postSigned(h.url, SIGNING_SECRET, asInteractiveForm(shortcut));
    const id = responseUrl.split("/").at(-1);
    await h.slack.waitFor((s) => s.responseUrlPosts.some((p) => p.id === id));
    const answer = h.slack.responseUrlPosts.find((p) => p.id === id)!.body;
    expect(answer).toMatchObject({ response_type: "ephemeral" });
    expect(String(answer.text)).toContain("not in direct messages");
    expect(
      await h.db.db.selectFrom("decisions").select("number").where("room_id", "=", "DAB").execute(),
    ).toEqual([]);
  });
});
