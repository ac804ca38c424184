/**
 * The Web API budget of a big channel: users.info is Tier 4 (about 100 a minute), so a 600-member
 * channel must not cost a call per member. People come from users.list pages, members from
 * conversations.members pages, both kept; counted on the strict fake's per-method tallies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SIGNING_SECRET,
  type SlackHarness,
  seedWorkspace,
  startSlackHarness,
} from "../../helpers/fake-slack-harness.js";
import { eventCallback, mkMessage, mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";

const CROWD = Array.from({ length: 600 }, (_, i) => `UC${String(i).padStart(4, "0")}`);

describe("Slack Web API budget in a 600-member channel", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({
      seed: (s) => {
        seedWorkspace(s);
        for (const id of CROWD) s.addUser({ id, team: "T1", name: id.toLowerCase(), tz: "Asia/Tokyo" });
        s.addConversation({
          id: "CBIG",
          team: "T1",
          name: "everyone",
          members: ["UT1A", "UT1B", ...CROWD, "UBOTT1"],
        });
      },
      adapter: { perChannelIntervalMs: 0 },
    });
  });
  afterAll(() => h.close());

  const send = (body: Record<string, unknown> | URLSearchParams) => postSigned(h.url, SIGNING_SECRET, body);
  const slash = (command: string, text: string) =>
    send(
      mkSlashCommand({
        team: "T1",
        user: "UT1A",
        channel: "CBIG",
        channelName: "everyone",
        command,
        text,
        responseUrl: h.slack.responseUrl(),
      }),
    );

  it("announces a rota and tips an @here author for at most 10 users.info calls", async () => {
    // Every day a working day: the on-demand announcement must not depend on the weekday the test runs.
    await slash("/rota", "setup <@UT1A|alice> <@UT1B|bob> at 09:30 days mon-sun");
    await slash("/rota", "announce");
    await h.slack.waitFor((s) =>
      s.succeeded("chat.postMessage").some((c) => /responder is/.test(String(c.args.text))),
    );
    await send(eventCallback("T1", mkMessage({ user: "UT1B", channel: "CBIG", text: "<!here> lunch?" })));
    await h.slack.waitFor((s) =>
      s.succeeded("chat.postEphemeral").some((c) => /notified 601 people/.test(String(c.args.text))),
    );
    const counts = h.slack.callCounts();
    expect(counts["users.info"] ?? 0).toBeLessThanOrEqual(10);
    // Everyone's profile came in a few pages instead.
    expect(counts["users.list"]).toBeLessThanOrEqual(4);
  });

  it("opens an App Home that shows a decision from the channel for at most 5 Web API calls", async () => {
    await slash("/decision", "We ship on Thursdays.");
    // Someone joined since: the member list is asked for again, as on a fresh start.
    await send(eventCallback("T1", { type: "member_joined_channel", user: "UT1B", channel: "CBIG" }));
    await new Promise((r) => setTimeout(r, 200));
    h.slack.resetCalls();
    await send(
      eventCallback("T1", { type: "app_home_opened", user: "UC0007", channel: "DHOME", tab: "home" }),
    );
    await h.slack.waitFor((s) => s.succeeded("views.publish").length > 0);
    expect(String(h.slack.succeeded("views.publish")[0]!.args.view)).toContain("We ship on Thursdays");
    expect(h.slack.calls.length).toBeLessThanOrEqual(5);
  });
});
