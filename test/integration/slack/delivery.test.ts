// Exactly-once handling of redelivered events, and outgoing posts that respect Slack's rate limits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import {
  metric,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
} from "../../helpers/fake-slack-harness.js";
import { eventCallback, mkMessage, mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";

const PEOPLE = ["UA", "UB", "UC", "UD", "UE", "UF", "UG", "UH"];

/** A channel big enough that an @channel in it earns its author a private tip (the broadcast nudge). */
function seedBigChannel(slack: FakeSlackApi): void {
  slack.addWorkspace({ team: "T1", botToken: "xoxb-t1" });
  for (const id of PEOPLE) slack.addUser({ id, team: "T1", name: id.toLowerCase(), tz: "UTC" });
  slack.addConversation({
    id: "CBIG",
    team: "T1",
    name: "everyone",
    kind: "public",
    members: [...PEOPLE, "UBOTT1"],
  });
}

const eventsIn = (h: SlackHarness, type: string) =>
  metric(h, `outloud_events_in_total{platform="slack",type="${type}"}`);

describe("Slack delivery", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ seed: seedBigChannel, adapter: { perChannelIntervalMs: 0 } });
  });
  afterAll(() => h.close());

  it("acts once on an event Slack delivers four times (the original and three retries)", async () => {
    const event = eventCallback(
      "T1",
      mkMessage({ user: "UA", channel: "CBIG", text: "<!channel> standup moved to 10:00" }),
    );
    const before = {
      messages: await eventsIn(h, "message"),
      tips: h.slack.succeeded("chat.postEphemeral").length,
    };
    for (const retryNum of [undefined, 1, 2, 3]) {
      const res = await postSigned(h.url, SIGNING_SECRET, event, { retryNum });
      expect(res.status).toBe(200);
    }
    await h.slack.waitFor((s) => s.succeeded("chat.postEphemeral").length > before.tips);
    // Give any duplicate the time it would need to show up.
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventsIn(h, "message")).toBe(before.messages + 1);
    const tips = h.slack.succeeded("chat.postEphemeral").slice(before.tips);
    expect(tips).toHaveLength(1);
    expect(tips[0]!.args).toMatchObject({ channel: "CBIG", user: "UA" });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain('outloud_nudges_total{kind="broadcast"} 1');
    const rows = await h.db.db
      .selectFrom("processed_events")
      .selectAll()
      .where("event_id", "=", String(event.event_id))
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("ignores its own messages and other bots' messages", async () => {
    const before = await eventsIn(h, "message");
    await postSigned(
      h.url,
      SIGNING_SECRET,
      eventCallback("T1", mkMessage({ user: "UBOTT1", channel: "CBIG", text: "<!channel> I am the bot" })),
    );
    await postSigned(
      h.url,
      SIGNING_SECRET,
      eventCallback(
        "T1",
        mkMessage({
          user: "UX",
          bot_id: "BOTHER",
          subtype: "bot_message",
          channel: "CBIG",
          text: "<!channel> deploy done",
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventsIn(h, "message")).toBe(before);
  });

  it("waits out a 429's Retry-After and then delivers: nothing dropped", async () => {
    h.slack.failNext("chat.postEphemeral", { status: 429, retryAfter: 1 });
    const before = h.slack.calls.filter((c) => c.method === "chat.postEphemeral").length;
    await postSigned(
      h.url,
      SIGNING_SECRET,
      eventCallback("T1", mkMessage({ user: "UB", channel: "CBIG", text: "<!here> lunch?" })),
    );
    await h.slack.waitFor((s) => s.succeeded("chat.postEphemeral").some((c) => c.args.user === "UB"));
    const attempts = h.slack.calls.filter((c) => c.method === "chat.postEphemeral").slice(before);
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    // Retried once, after the wait Slack asked for: not in a tight loop.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(await metric(h, 'outloud_errors_total{where="slack.rate_limited"}')).toBe(1);
  });
});

describe("Slack posting pace", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    // The adapter's default pace (about one post per second per channel) against a fake that enforces it.
    h = await startSlackHarness({ seed: seedBigChannel });
    h.slack.limits = { ...h.slack.limits, perChannelIntervalMs: 1000 };
  });
  afterAll(() => h.close());

  it("posts a burst of answers in one channel without ever being rate limited", async () => {
    const texts = [
      "We use trunk-based development.",
      "Reviews within one working day.",
      "Releases on Tuesdays.",
    ];
    await Promise.all(
      texts.map((text) =>
        postSigned(
          h.url,
          SIGNING_SECRET,
          mkSlashCommand({
            team: "T1",
            user: "UA",
            channel: "CBIG",
            command: "/decision",
            text,
            responseUrl: h.slack.responseUrl(),
          }),
        ),
      ),
    );
    await h.slack.waitFor((s) => s.succeeded("chat.postMessage").length >= 3, 15_000);
    const posts = h.slack.calls.filter((c) => c.method === "chat.postMessage");
    expect(posts.map((c) => c.status)).toEqual([200, 200, 200]);
  });
});
