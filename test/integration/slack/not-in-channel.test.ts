/**
 * Slash commands and shortcuts work in any channel, but the bot posts only where it was invited. A
 * person who uses Outloud in a channel without the bot sees the answer (Slack posts it through
 * response_url) and is told privately how to invite the bot; a submitted modal tells them by DM.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SIGNING_SECRET,
  type SlackHarness,
  seedWorkspace,
  startSlackHarness,
  typeInTeamChannel,
} from "../../helpers/fake-slack-harness.js";
import {
  asInteractiveForm,
  mkMessageShortcut,
  mkSlashCommand,
  mkViewSubmission,
  nextTs,
  postSigned,
} from "../../helpers/fake-slack-requests.js";

describe("Outloud used in a channel the bot was never invited to", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({
      seed: (s) => {
        seedWorkspace(s);
        s.addConversation({ id: "CNOBOT", team: "T1", name: "elsewhere", members: ["UT1A", "UT1B"] });
      },
      adapter: { perChannelIntervalMs: 0 },
    });
  });
  afterAll(() => h.close());

  async function slash(command: string, text: string) {
    const responseUrl = h.slack.responseUrl();
    const body = mkSlashCommand({
      team: "T1",
      user: "UT1A",
      channel: "CNOBOT",
      channelName: "elsewhere",
      command,
      text,
      responseUrl,
    });
    const res = await postSigned(h.url, SIGNING_SECRET, body);
    const id = responseUrl.split("/").at(-1);
    return { res, posts: () => h.slack.responseUrlPosts.filter((p) => p.id === id).map((p) => p.body) };
  }

  it("/rota setup: the confirmation shows in the channel, and the person is told privately to invite the bot", async () => {
    const { res, posts } = await slash("/rota", "setup <@UT1A|alice> <@UT1B|bob>");
    expect(res.status).toBe(200);
    await h.slack.waitFor(() => posts().length >= 2);
    expect(posts()[0]).toMatchObject({ response_type: "in_channel" });
    expect(posts()[1]).toMatchObject({ response_type: "ephemeral" });
    expect(String(posts()[1]!.text)).toContain("Invite me with `/invite @outloud` in #elsewhere");
  });

  it("/decision: recorded, shown, and the same private hint", async () => {
    const { posts } = await slash("/decision", "We keep the old build server until March.");
    await h.slack.waitFor(() => posts().length >= 2);
    expect(String(posts()[0]!.text)).toContain("old build server");
    expect(String(posts()[1]!.text)).toContain("/invite @outloud");
  });

  it("a decision recorded through the shortcut's modal: the person gets the hint by DM", async () => {
    const shortcut = mkMessageShortcut({
      team: "T1",
      user: "UT1B",
      channel: "CNOBOT",
      messageTs: nextTs(),
      messageText: "Let's freeze the API on Friday.",
      messageUser: "UT1A",
      responseUrl: h.slack.responseUrl(),
    });
    await postSigned(h.url, SIGNING_SECRET, asInteractiveForm(shortcut));
    await h.slack.waitFor((s) => s.succeeded("views.open").length > 0);
    const view = JSON.parse(String(h.slack.succeeded("views.open").at(-1)!.args.view)) as Record<
      string,
      unknown
    >;
    await postSigned(
      h.url,
      SIGNING_SECRET,
      asInteractiveForm(mkViewSubmission({ team: "T1", user: "UT1B", view })),
    );
    const dmHint = () =>
      h.slack
        .succeeded("chat.postMessage")
        .find((c) => String(c.args.channel).startsWith("D") && /invite @outloud/.test(String(c.args.text)));
    await h.slack.waitFor(() => dmHint() !== undefined);
    const dm = h.slack.conversation(String(dmHint()!.args.channel));
    expect(dm?.members).toContain("UT1B");
    const saved = await h.db.db
      .selectFrom("decisions")
      .select("text")
      .where("room_id", "=", "CNOBOT")
      .execute();
    expect(saved.map((d) => d.text).join()).toContain("freeze the API");
  });
});

describe("An answer Slack refuses for a reason a person can fix", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ seed: seedWorkspace, adapter: { perChannelIntervalMs: 0 } });
  });
  afterAll(() => h.close());

  it("tells the person who asked, by DM, why and what to do", async () => {
    // The channel was archived while the answer waited (chat.postMessage "Errors": is_archived).
    h.slack.failNext("chat.postMessage", { error: "is_archived" });
    await typeInTeamChannel(h, "T1", "/decision", "We ship on Thursdays.");
    const told = () =>
      h.slack
        .succeeded("chat.postMessage")
        .find((c) => String(c.args.channel).startsWith("D") && /archived/.test(String(c.args.text)));
    await h.slack.waitFor(() => told() !== undefined);
    expect(h.slack.conversation(String(told()!.args.channel))?.members).toContain("UT1A");
    expect(String(told()!.args.text)).toBe(
      "I could not show you my answer: #team is archived. Unarchive it, or use the channel the team uses now.",
    );
  });
});
