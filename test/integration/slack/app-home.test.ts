// App Home: published when opened, from what the stores hold; its buttons run commands as the viewer.
import { DateTime } from "luxon";
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
  nextTs,
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
          id: "COPS",
          team: "T1",
          name: "ops",
          kind: "public",
          members: ["UT1A", "UT1B", "UT1C", "UBOTT1"],
        });
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

  it("shows each member the date of their own next duty, by the rota's rules (away days passed over)", async () => {
    // Every day at midnight UTC: today's turn has gone by (the rota is newer), so turns start tomorrow.
    const day = (n: number) => DateTime.utc().startOf("day").plus({ days: n });
    await command(
      "COPS",
      "UT1A",
      "/rota",
      "setup <@UT1A|alice> <@UT1B|bob> <@UT1C|carol> at 00:00 tz UTC days mon-sun",
    );
    const away = day(2).toISODate();
    const res = await command("COPS", "UT1A", "/rota", `away <@UT1B|bob> ${away}..${away}`);
    expect(res.status).toBe(200);
    const lineFor = async (user: string) => {
      const view = JSON.parse(await openHome(user)) as { blocks: Array<{ text?: { text: string } }> };
      const lines = view.blocks.flatMap((b) => (b.text?.text ?? "").split("\n"));
      return lines.find((l) => l.startsWith("#ops:"));
    };
    const shown = (n: number) => day(n).setLocale("en-GB").toFormat("ccc d LLL");
    // alice tomorrow; bob is away the day after, so carol takes it and bob serves when back.
    expect(await lineFor("UT1A")).toBe(
      `#ops: daily at 00:00 (UTC); no announcement yet today; your next duty: ${shown(1)}`,
    );
    expect(await lineFor("UT1C")).toContain(`your next duty: ${shown(2)}`);
    expect(await lineFor("UT1B")).toContain(`your next duty: ${shown(3)}`);
  });

  it("publishes the tab after a 429's Retry-After rather than dropping it", async () => {
    h.slack.failNext("views.publish", { status: 429, retryAfter: 1 });
    const attempts = () => h.slack.calls.filter((c) => c.method === "views.publish");
    const before = attempts().length;
    expect(await openHome("UT1A")).toContain("Your rotas");
    expect(
      attempts()
        .slice(before)
        .map((c) => c.status),
    ).toEqual([429, 200]);
  });

  /** Presses a home button as `user`; resolves once the tab has been published again. */
  async function press(user: string, value: string, index: number): Promise<string> {
    const publishes = h.slack.succeeded("views.publish").length;
    const payload = {
      type: "block_actions",
      team: { id: "T1", domain: "t1" },
      user: { id: user, name: user.toLowerCase(), team_id: "T1" },
      api_app_id: "AFAKE",
      token: "unused",
      trigger_id: `trigger.home.${nextTs()}`,
      view: { id: "VHOME", type: "home" },
      actions: [
        { type: "button", action_id: `outloud_home_command:${index}`, block_id: "b", value, action_ts: "1" },
      ],
    };
    const res = await postSigned(h.url, SIGNING_SECRET, asInteractiveForm(payload));
    expect(res.status).toBe(200);
    await h.slack.waitFor((s) => s.succeeded("views.publish").length > publishes);
    const call = h.slack.succeeded("views.publish").at(-1)!;
    expect(call.args.user_id).toBe(user);
    return String(call.args.view);
  }

  it("runs a button's command as the person who pressed it, then refreshes the tab", async () => {
    await press("UT1C", "outloud help", 2);
    // The answer went privately to carol, in her DM with the bot.
    const opened = h.slack.succeeded("conversations.open").at(-1)!;
    expect(opened.args.users).toBe("UT1C");
    const notice = h.slack.succeeded("chat.postEphemeral").at(-1)!;
    expect(notice.args.user).toBe("UT1C");
    expect(String(notice.args.text)).toContain("/rota");
  });

  it("shows your nudge settings as they stand: muted after the mute button, your own working hours", async () => {
    const before = await openHome("UT1B");
    expect(before).toContain("They are on");
    expect(before).toContain("Your working hours, in your time zone: 09:00-18:00 mon-fri (the workspace's)");
    const after = await press("UT1B", "outloud mute all for 1d", 0);
    // In bob's own zone, as the mute command's reply shows it (his Slack profile says New York).
    expect(after).toMatch(/Muted: all nudges for you until \d{4}-\d\d-\d\d \d\d:\d\d America\/New_York/);
    await command("CT1", "UT1B", "/outloud", "hours 08:00-16:00 mon-thu");
    expect(await openHome("UT1B")).toContain("Your working hours, in your time zone: 08:00-16:00 mon-thu.");
    const unmuted = await press("UT1B", "outloud unmute", 2);
    expect(unmuted).toContain("They are on");
  });
});
