// /decision and the "Record as decision" message shortcut, end to end through Slack.
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
  mkMessageShortcut,
  mkReaction,
  mkSlashCommand,
  nextTs,
  postSigned,
} from "../../helpers/fake-slack-requests.js";

describe("decisions over Slack", () => {
  let h: SlackHarness;
  const decision = (text: string) =>
    postSigned(
      h.url,
      SIGNING_SECRET,
      mkSlashCommand({
        team: "T1",
        user: "UT1A",
        channel: "CT1",
        channelName: "team",
        command: "/decision",
        text,
        responseUrl: h.slack.responseUrl(),
      }),
    );

  beforeAll(async () => {
    h = await startSlackHarness({ seed: (s) => seedWorkspace(s), adapter: { perChannelIntervalMs: 0 } });
  });
  afterAll(() => h.close());

  it("records /decision and confirms publicly in the channel with its id", async () => {
    const res = await decision("We ship on Tuesdays from now on. Fridays are for fixes.");
    expect(res.status).toBe(200);
    await h.slack.waitFor((s) =>
      s.succeeded("chat.postMessage").some((c) => /D-\d+/.test(String(c.args.text))),
    );
    const rows = await h.db.db.selectFrom("decisions").selectAll().where("workspace", "=", "T1").execute();
    expect(rows.map((r) => r.title)).toContain("We ship on Tuesdays from now on");
  });

  it("lists decisions privately", async () => {
    const res = await decision("list");
    const body = res.json() as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain("We ship on Tuesdays from now on");
  });

  it("records a decision from the message shortcut, linked to the message and confirmed in its thread", async () => {
    const messageTs = nextTs();
    const payload = mkMessageShortcut({
      team: "T1",
      user: "UT1B",
      channel: "CT1",
      messageTs,
      messageText: "Agreed: <@UT1A> owns the migration to PostgreSQL 17.",
      messageUser: "UT1A",
      responseUrl: h.slack.responseUrl(),
    });
    const res = await postSigned(h.url, SIGNING_SECRET, asInteractiveForm(payload));
    expect(res.status).toBe(200);
    await h.slack.waitFor((s) => s.succeeded("chat.postMessage").some((c) => c.args.thread_ts === messageTs));
    const confirmation = h.slack.succeeded("chat.postMessage").find((c) => c.args.thread_ts === messageTs)!;
    expect(String(confirmation.args.text)).toMatch(/D-\d+/);
    expect(h.slack.succeeded("chat.getPermalink").some((c) => c.args.message_ts === messageTs)).toBe(true);
    const rows = await h.db.db.selectFrom("decisions").selectAll().where("workspace", "=", "T1").execute();
    const recorded = rows.find((r) => r.text.includes("owns the migration"));
    expect(recorded).toBeDefined();
    // Slack's mention markup is translated: the record reads @UT1A, not <@UT1A>.
    expect(recorded!.text).toContain("@UT1A owns the migration");
    expect(recorded!.link).toContain(messageTs.replace(".", ""));
    // The person who stated it is the decision's author, not the one who used the shortcut.
    expect(recorded!.author_id).toBe("UT1A");
  });

  it("tells the person privately when the shortcut is used on a message without text", async () => {
    const payload = mkMessageShortcut({
      team: "T1",
      user: "UT1B",
      channel: "CT1",
      messageTs: nextTs(),
      messageText: "",
      messageUser: "UT1A",
      responseUrl: h.slack.responseUrl(),
    });
    const before = h.slack.responseUrlPosts.length;
    await postSigned(h.url, SIGNING_SECRET, asInteractiveForm(payload));
    await h.slack.waitFor((s) => s.responseUrlPosts.length > before);
    expect(h.slack.responseUrlPosts.at(-1)!.body).toMatchObject({ response_type: "ephemeral" });
  });

  it("records a thread reply marked with the :decision: reaction, with the thread's people, answered in that thread", async () => {
    const root = nextTs();
    const reply = nextTs();
    const send = (event: Record<string, unknown>) =>
      postSigned(h.url, SIGNING_SECRET, eventCallback("T1", event));
    await send(
      mkMessage({
        user: "UT1A",
        channel: "CT1",
        ts: root,
        text: "Which queue should the billing events use?",
      }),
    );
    await send(
      mkMessage({
        user: "UT1B",
        channel: "CT1",
        ts: reply,
        thread_ts: root,
        text: "Let's go with SQS, it is what ops already runs.",
      }),
    );
    await send(mkReaction({ user: "UT1A", channel: "CT1", ts: reply, reaction: "decision" }));
    await h.slack.waitFor((s) =>
      s
        .succeeded("chat.postMessage")
        .some((c) => c.args.thread_ts === root && /D-\d+/.test(String(c.args.text))),
    );
    const rows = await h.db.db.selectFrom("decisions").selectAll().where("workspace", "=", "T1").execute();
    const recorded = rows.find((r) => r.text.includes("SQS"));
    expect(recorded).toMatchObject({ author_id: "UT1B", thread: root, room_id: "CT1" });
    const people = (JSON.parse(recorded!.participants) as Array<{ id: string }>).map((p) => p.id).sort();
    expect(people).toEqual(["UT1A", "UT1B"]);
  });
});
