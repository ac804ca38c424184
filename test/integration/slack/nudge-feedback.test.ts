// "Not helpful" on Slack: the button under a private nudge, pressed through real Bolt against the fake Web API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  metric,
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

const HARSH = "did you even read the ticket? RTFM";

describe("Slack: not helpful", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ seed: (s) => seedWorkspace(s) });
  });
  afterAll(() => h.close());

  const ephemerals = () => h.slack.succeeded("chat.postEphemeral");

  /** alice says something harsh in #team; resolves with the private tip she got. */
  async function sayHarsh() {
    const before = ephemerals().length;
    await postSigned(
      h.url,
      SIGNING_SECRET,
      eventCallback("T1", mkMessage({ user: "UT1A", channel: "CT1", text: HARSH })),
    );
    await h.slack.waitFor((s) => s.succeeded("chat.postEphemeral").length > before);
    return ephemerals().at(-1)!;
  }

  /** Presses the button of `blocks` as alice, the way Slack posts a block action on an ephemeral message. */
  async function press(button: { action_id: string; value: string }): Promise<string> {
    const before = ephemerals().length;
    const payload = {
      type: "block_actions",
      team: { id: "T1", domain: "t1" },
      user: { id: "UT1A", name: "alice", team_id: "T1" },
      api_app_id: "AFAKE",
      token: "unused",
      trigger_id: `trigger.${nextTs()}`,
      container: { type: "message", message_ts: nextTs(), channel_id: "CT1", is_ephemeral: true },
      channel: { id: "CT1", name: "team" },
      response_url: h.slack.responseUrl(),
      actions: [{ type: "button", block_id: "b", action_ts: nextTs(), ...button }],
    };
    const res = await postSigned(h.url, SIGNING_SECRET, asInteractiveForm(payload));
    expect(res.status).toBe(200);
    await h.slack.waitFor((s) => s.succeeded("chat.postEphemeral").length > before);
    const reply = ephemerals().at(-1)!;
    expect(reply.args).toMatchObject({ channel: "CT1", user: "UT1A" });
    return String(reply.args.text);
  }

  function buttonOf(call: { args: Record<string, unknown> }) {
    const blocks = JSON.parse(String(call.args.blocks)) as Array<{
      type: string;
      elements?: Array<{ type: string; action_id: string; value: string; text: { text: string } }>;
    }>;
    return blocks.find((b) => b.type === "actions")?.elements?.[0];
  }

  it("offers a Not helpful button; twice mutes the kind for the person, with how to undo it, and counts it in /metrics", async () => {
    const tip = await sayHarsh();
    expect(tip.args).toMatchObject({ channel: "CT1", user: "UT1A" });
    const button = buttonOf(tip)!;
    expect(button).toMatchObject({
      type: "button",
      action_id: "outloud_unhelpful",
      value: "outloud unhelpful be-kind",
      text: { text: "Not helpful" },
    });

    expect(await press(button)).toMatch(/noted: that be-kind nudge did not help/);
    expect(await press(button)).toMatch(/twice in 30 days.*`\/outloud unmute be-kind`/s);
    expect(await metric(h, 'outloud_nudges_unhelpful{kind="be-kind"}')).toBe(2);

    // Muted now: the same message gets no tip.
    const before = ephemerals().length;
    await postSigned(
      h.url,
      SIGNING_SECRET,
      eventCallback("T1", mkMessage({ user: "UT1A", channel: "CT1", text: HARSH })),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(
      ephemerals()
        .slice(before)
        .filter((c) => /harsher/.test(String(c.args.text))),
    ).toEqual([]);
  });
});
