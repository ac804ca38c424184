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
  mkViewSubmission,
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

  const decisionsLike = (pattern: string) =>
    h.db.db.selectFrom("decisions").selectAll().where("text", "like", pattern).execute();

  /** bob uses the shortcut on alice's message. */
  async function useShortcut(
    messageTs: string,
    messageText: string,
    extra: { responseUrl?: string; triggerId?: null } = {},
  ) {
    const payload = mkMessageShortcut({
      team: "T1",
      user: "UT1B",
      channel: "CT1",
      messageTs,
      messageText,
      messageUser: "UT1A",
      responseUrl: h.slack.responseUrl(),
      ...extra,
    });
    const res = await postSigned(h.url, SIGNING_SECRET, asInteractiveForm(payload));
    expect(res.status).toBe(200);
    return payload;
  }

  /** Uses the shortcut on a message; resolves with the modal Slack was asked to open. */
  async function shortcutModal(messageTs: string, messageText: string): Promise<Record<string, unknown>> {
    const before = h.slack.succeeded("views.open").length;
    const payload = await useShortcut(messageTs, messageText);
    await h.slack.waitFor((s) => s.succeeded("views.open").length > before);
    const call = h.slack.succeeded("views.open").at(-1)!;
    // The modal is opened with the shortcut's own trigger.
    expect(call.args.trigger_id).toBe(payload.trigger_id);
    return JSON.parse(String(call.args.view)) as Record<string, unknown>;
  }

  const submit = (view: Record<string, unknown>, values?: Record<string, string | null>, user = "UT1B") =>
    postSigned(
      h.url,
      SIGNING_SECRET,
      asInteractiveForm(mkViewSubmission({ team: "T1", user, view, values })),
    );

  const inputs = (view: Record<string, unknown>) =>
    Object.fromEntries(
      (view.blocks as Array<{ block_id: string; element: { initial_value?: string } }>).map((b) => [
        b.block_id,
        b.element.initial_value,
      ]),
    );

  it("opens a form prefilled from the message for the shortcut, and records nothing until it is submitted", async () => {
    const messageTs = nextTs();
    const view = await shortcutModal(
      messageTs,
      "Agreed: <@UT1A> owns the migration to PostgreSQL 17. Ops helps.",
    );
    expect(view).toMatchObject({ type: "modal", title: { text: "Record a decision" } });
    // Slack's mention markup is translated; the title is the first sentence.
    expect(inputs(view)).toEqual({
      title: "Agreed: @UT1A owns the migration to PostgreSQL 17",
      text: "Agreed: @UT1A owns the migration to PostgreSQL 17. Ops helps.",
    });
    // Where it was asked for travels with the modal, the message's text does not.
    expect(String(view.private_metadata)).not.toContain("migration");
    const rows = await decisionsLike("%Ops helps%");
    expect(rows).toHaveLength(0);
  });

  it("records the submitted form like the command: the message's author, a link to it, the confirmation in its thread", async () => {
    const messageTs = nextTs();
    const view = await shortcutModal(messageTs, "Agreed: <@UT1A> owns the migration to PostgreSQL 16.");
    const res = await submit(view, { title: "PostgreSQL 16 migration owner" });
    expect(res.status).toBe(200);
    // A good submission closes the modal: an empty acknowledgement.
    expect(res.text).toBe("");
    await h.slack.waitFor((s) => s.succeeded("chat.postMessage").some((c) => c.args.thread_ts === messageTs));
    const confirmation = h.slack.succeeded("chat.postMessage").find((c) => c.args.thread_ts === messageTs)!;
    expect(String(confirmation.args.text)).toMatch(
      /Recorded decision \*D-\d+\*: PostgreSQL 16 migration owner/,
    );
    expect(h.slack.succeeded("chat.getPermalink").some((c) => c.args.message_ts === messageTs)).toBe(true);
    const rows = await h.db.db.selectFrom("decisions").selectAll().where("workspace", "=", "T1").execute();
    const recorded = rows.find((r) => r.text.includes("PostgreSQL 16"))!;
    expect(recorded).toMatchObject({
      title: "PostgreSQL 16 migration owner",
      room_id: "CT1",
      thread: messageTs,
    });
    expect(recorded.text).toBe("Agreed: @UT1A owns the migration to PostgreSQL 16.");
    expect(recorded.link).toContain(messageTs.replace(".", ""));
    // The person who stated it is the decision's author, not the one who used the shortcut.
    expect(recorded.author_id).toBe("UT1A");

    // The same message cannot be recorded twice: a second go is told so privately, with no form.
    const opened = h.slack.succeeded("views.open").length;
    const responseUrl = h.slack.responseUrl();
    await useShortcut(messageTs, "Agreed: <@UT1A> owns the migration to PostgreSQL 16.", { responseUrl });
    await h.slack.waitFor((s) => s.responseUrlPosts.some((p) => responseUrl.endsWith(p.id)));
    const told = h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id))!;
    expect(told.body).toMatchObject({ response_type: "ephemeral" });
    expect(String(told.body.text)).toContain("already been recorded");
    expect(h.slack.succeeded("views.open")).toHaveLength(opened);
  });

  it("answers a bad submission with Slack's field errors, and records nothing", async () => {
    const view = await shortcutModal(nextTs(), "We keep the staging cluster running over the holidays.");
    const res = await submit(view, { text: "  ", title: "x".repeat(81) });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      response_action: "errors",
      errors: { text: "Say what was decided.", title: "Keep the title within 80 characters." },
    });
    const rows = await decisionsLike("%staging%");
    expect(rows).toHaveLength(0);
  });

  it("opens the same form for a bare /decision, and records it as typed, by whoever submits it", async () => {
    const before = h.slack.succeeded("views.open").length;
    const res = await decision("");
    expect(res.status).toBe(200);
    // The modal is the answer: the acknowledgement itself shows nothing.
    expect(res.text).toBe("");
    await h.slack.waitFor((s) => s.succeeded("views.open").length > before);
    const view = JSON.parse(String(h.slack.succeeded("views.open").at(-1)!.args.view)) as Record<
      string,
      unknown
    >;
    expect(inputs(view)).toEqual({ title: undefined, text: undefined });
    const submitted = await submit(
      view,
      { text: "Design reviews happen on Thursdays.", title: null },
      "UT1A",
    );
    expect(submitted.text).toBe("");
    await h.slack.waitFor((s) =>
      s
        .succeeded("chat.postMessage")
        .some((c) => /Design reviews happen on Thursdays/.test(String(c.args.text))),
    );
    const post = h.slack
      .succeeded("chat.postMessage")
      .find((c) => /Design reviews/.test(String(c.args.text)))!;
    expect(post.args).toMatchObject({ channel: "CT1" });
    expect(post.args.thread_ts).toBeUndefined();
    const rows = await decisionsLike("Design reviews%");
    expect(rows).toMatchObject([{ author_id: "UT1A", title: "Design reviews happen on Thursdays" }]);
  });

  it("falls back to the usage when Slack cannot open the form (the trigger expired)", async () => {
    h.slack.failNext("views.open", { error: "expired_trigger_id" });
    const res = await decision("");
    const body = res.json() as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    // What a bare /decision answers where no form can be shown (mrkdwn escapes the angle brackets).
    expect(body.text).toBe("Say what was decided. Usage: `/decision &lt;what was decided&gt;`");
    expect(h.slack.calls.at(-1)).toMatchObject({ method: "views.open", error: "expired_trigger_id" });
  });

  it("records the message at once when the shortcut comes without a trigger (no form possible)", async () => {
    const messageTs = nextTs();
    await useShortcut(messageTs, "We rotate the on-call pager weekly.", { triggerId: null });
    await h.slack.waitFor((s) => s.succeeded("chat.postMessage").some((c) => c.args.thread_ts === messageTs));
    const rows = await decisionsLike("%on-call pager%");
    expect(rows).toMatchObject([{ author_id: "UT1A", thread: messageTs }]);
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

  // The reaction arrives while the reply still waits for its author's users.info: events of one
  // channel must be handled in order, or the reaction finds no message to record.
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
