// App Home: published when opened, from what the stores hold; its buttons run commands as the viewer.
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
  mkSlashCommand,
  postSigned,
} from "../../helpers/fake-slack-requests.js";

describe("Slack App Home", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({
      seed: (s) => {
        seedWorkspace(s);
        s.addUser({ id: "UT1C", team: "T1", name: "carol" });
        s.addConversation({
          id: "CSECRET",
          team: "T1",
          name: "secret-project",
          kind: "private",
          members: ["UT1B", "UBOTT1"],
        });
      },
      settings: { decisions: { privateRooms: true } },
      adapter: { perChannelIntervalMs: 0 },
    });
  });
  afterAll(() => h.close());

  const command = (channel: string, user: string, name: string, text: string) =>
    postSigned(
      h.url,
      SIGNING_SECRET,
      mkSlashCommand({ team: "T1", user, channel, command: name, text, responseUrl: h.slack.responseUrl() }),
    );

  async function openHome(user: string): Promise<string> {
    const before = h.slack.succeeded("views.publish").length;
    await postSigned(
      h.url,
      SIGNING_SECRET,
      eventCallback("T1", { type: "app_home_opened", user, channel: "DHOME", tab: "home" }),
    );
    await h.slack.waitFor((s) => s.succeeded("views.publish").length > before);
    const call = h.slack.succeeded("views.publish").at(-1)!;
    expect(call.args.user_id).toBe(user);
    return String(call.args.view);
  }

  it("shows your rotas, recent decisions in your rooms only, and nudge buttons", async () => {
    await command("CT1", "UT1A", "/rota", "setup <@UT1A|alice> <@UT1B|bob> at 09:30");
    await command("CT1", "UT1A", "/decision", "We deploy with the blue-green script.");
    await command("CSECRET", "UT1B", "/decision", "Codename is Walrus.");
    const walrus = await h.db.db
      .selectFrom("decisions")
      .select("title")
      .where("room_id", "=", "CSECRET")
      .execute();
    expect(walrus).toHaveLength(1);
    const view = JSON.parse(await openHome("UT1A")) as {
      type: string;
      blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ value: string }> }>;
    };
    expect(view.type).toBe("home");
    const text = view.blocks.map((b) => b.text?.text ?? "").join("\n");
    expect(text).toContain("#team: daily at 09:30");
    expect(text).toContain("blue-green");
    // Alice is not in #secret-project: its decisions are not hers to see.
    expect(text).not.toContain("Walrus");
    const buttons = view.blocks.flatMap((b) => b.elements ?? []).map((e) => e.value);
    expect(buttons).toContain("outloud unmute");
  });

  it("runs a button's command as the person who pressed it, then refreshes the tab", async () => {
    const publishes = h.slack.succeeded("views.publish").length;
    const payload = {
      type: "block_actions",
      team: { id: "T1", domain: "t1" },
      user: { id: "UT1C", name: "carol", team_id: "T1" },
      api_app_id: "AFAKE",
      token: "unused",
      trigger_id: "trigger.home.1",
      view: { id: "VHOME", type: "home" },
      actions: [
        {
          type: "button",
          action_id: "outloud_home_command:2",
          block_id: "b",
          value: "outloud help",
          action_ts: "1",
        },
      ],
    };
    const res = await postSigned(h.url, SIGNING_SECRET, asInteractiveForm(payload));
    expect(res.status).toBe(200);
    await h.slack.waitFor((s) => s.succeeded("views.publish").length > publishes);
    // The answer went privately to carol, in her DM with the bot.
    const opened = h.slack.succeeded("conversations.open").at(-1)!;
    expect(opened.args.users).toBe("UT1C");
    const notice = h.slack.succeeded("chat.postEphemeral").at(-1)!;
    expect(notice.args.user).toBe("UT1C");
    expect(String(notice.args.text)).toContain("/rota");
  });
});
