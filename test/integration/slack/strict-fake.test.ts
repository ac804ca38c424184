// The strict rules of the Slack contract fake, driven by the real WebClient: each is what Slack does
// (fake-slack-rules.ts cites the page), so an adapter that passes against the fake meets real Slack.
import { webApi } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { triggerId } from "../../helpers/fake-slack-requests.js";

let slack: FakeSlackApi;
beforeEach(async () => {
  slack = await new FakeSlackApi().start();
  slack.addWorkspace({ team: "T1", botToken: "xoxb-1" });
  slack.addUser({ id: "UA", team: "T1", name: "alice" });
  slack.addUser({ id: "UG", team: "T1", name: "guest", guest: "multi" });
  slack.addConversation({ id: "CIN", team: "T1", name: "in", members: ["UA", "UBOTT1"] });
  slack.addConversation({ id: "COUT", team: "T1", name: "out", members: ["UA"] });
  slack.addConversation({ id: "GOUT", team: "T1", name: "secret", kind: "private", members: ["UA"] });
});
afterEach(() => slack.close());

const client = (token = "xoxb-1") =>
  new webApi.WebClient(token, {
    slackApiUrl: slack.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
const slackError = (error: string) => ({ data: expect.objectContaining({ error }) });

describe("the strict Slack fake", () => {
  it("lets the bot post only where it is a member; a private channel it is not in does not exist for it", async () => {
    await expect(client().chat.postMessage({ channel: "COUT", text: "hi" })).rejects.toMatchObject(
      slackError("not_in_channel"),
    );
    await expect(client().chat.postMessage({ channel: "GOUT", text: "hi" })).rejects.toMatchObject(
      slackError("channel_not_found"),
    );
    await expect(client().conversations.members({ channel: "GOUT" })).rejects.toMatchObject(
      slackError("channel_not_found"),
    );
    // A public channel's members can be read without being in it.
    expect((await client().conversations.members({ channel: "COUT" })).members).toEqual(["UA"]);
    slack.conversation("CIN")!.archived = true;
    await expect(client().chat.postMessage({ channel: "CIN", text: "hi" })).rejects.toMatchObject(
      slackError("is_archived"),
    );
  });

  it("refuses a method whose scope the install was not granted, saying which it needed", async () => {
    slack.updateWorkspace("xoxb-1", { scopes: ["chat:write"] });
    await expect(client().users.info({ user: "UA" })).rejects.toMatchObject({
      data: expect.objectContaining({ error: "missing_scope", needed: "users:read" }),
    });
    await expect(client().conversations.info({ channel: "GOUT" })).rejects.toMatchObject(
      slackError("channel_not_found"),
    );
    await expect(client().conversations.info({ channel: "CIN" })).rejects.toMatchObject({
      data: expect.objectContaining({ error: "missing_scope", needed: "channels:read" }),
    });
  });

  it("limits each method by its tier, answering 429 with Retry-After, and can force one on any method", async () => {
    // conversations.setTopic is Tier 2: 20 a minute per workspace.
    for (let i = 0; i < 20; i++) await client().conversations.setTopic({ channel: "CIN", topic: `t${i}` });
    await expect(
      client().conversations.setTopic({ channel: "CIN", topic: "one more" }),
    ).rejects.toMatchObject({
      code: webApi.ErrorCode.RateLimitedError,
    });
    slack.failNext("users.info", { status: 429, retryAfter: 3 });
    await expect(client().users.info({ user: "UA" })).rejects.toMatchObject({ retryAfter: 3 });
    expect(slack.callCounts()).toMatchObject({ "conversations.setTopic": 21, "users.info": 1 });
  });

  it("pages conversations.members and users.list with cursors", async () => {
    const many = Array.from({ length: 250 }, (_, i) => `UM${i}`);
    for (const id of many) slack.addUser({ id, team: "T1" });
    slack.addConversation({ id: "CBIG", team: "T1", members: [...many, "UBOTT1"] });
    const first = await client().conversations.members({ channel: "CBIG" });
    expect(first.members).toHaveLength(100);
    const seen: string[] = [];
    for await (const page of client().paginate("conversations.members", { channel: "CBIG", limit: 200 }))
      seen.push(...((page as webApi.ConversationsMembersResponse).members ?? []));
    expect(seen).toHaveLength(251);
    let users = 0;
    for await (const page of client().paginate("users.list", { limit: 100 }))
      users += (page as webApi.UsersListResponse).members?.length ?? 0;
    expect(users).toBe(253); // the 250, alice, the guest and the bot
  });

  it("refuses a topic over 250 characters", async () => {
    await expect(
      client().conversations.setTopic({ channel: "CIN", topic: "x".repeat(251) }),
    ).rejects.toMatchObject(slackError("too_long"));
  });

  it("refuses user-group changes where a bot may not make them, on a free plan, and for guests", async () => {
    const group = await client().usergroups.create({ name: "g", handle: "g" });
    const id = group.usergroup!.id!;
    await expect(client().usergroups.users.update({ usergroup: id, users: "UG" })).rejects.toMatchObject(
      slackError("invalid_user"),
    );
    slack.updateWorkspace("xoxb-1", { usergroupManagers: "admins" });
    await expect(client().usergroups.users.update({ usergroup: id, users: "UA" })).rejects.toMatchObject(
      slackError("permission_denied"),
    );
    slack.updateWorkspace("xoxb-1", { usergroupManagers: "everyone", plan: "free" });
    await expect(client().usergroups.users.update({ usergroup: id, users: "UA" })).rejects.toMatchObject(
      slackError("plan_upgrade_required"),
    );
  });

  it("needs team_id on user-group and user-list calls made with an org-wide token", async () => {
    slack.addOrgInstall({ enterprise: "E1", botToken: "xoxb-org", teams: ["T1"] });
    await expect(client("xoxb-org").usergroups.list({})).rejects.toMatchObject(
      slackError("missing_argument"),
    );
    await expect(client("xoxb-org").usergroups.list({ team_id: "T1" })).resolves.toMatchObject({ ok: true });
  });

  it("takes 5 posts to a response_url within 30 minutes", async () => {
    const url = slack.responseUrl();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await fetch(url, { method: "POST", body: JSON.stringify({ text: "x" }) })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    const old = slack.responseUrl(31 * 60_000);
    expect((await fetch(old, { method: "POST", body: JSON.stringify({ text: "x" }) })).status).toBe(404);
  });

  it("opens one view per trigger, within 3 seconds of it", async () => {
    const view = { type: "modal" as const, title: { type: "plain_text" as const, text: "T" }, blocks: [] };
    const trigger = triggerId();
    await client().views.open({ trigger_id: trigger, view });
    await expect(client().views.open({ trigger_id: trigger, view })).rejects.toMatchObject(
      slackError("exchanged_trigger_id"),
    );
    await expect(
      client().views.open({ trigger_id: triggerId(Date.now() - 4000), view }),
    ).rejects.toMatchObject(slackError("expired_trigger_id"));
  });

  it("refuses Block Kit beyond its limits in messages and views", async () => {
    const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
    await expect(
      client().chat.postMessage({ channel: "CIN", text: "x", blocks: Array(51).fill(section("x")) }),
    ).rejects.toMatchObject(slackError("invalid_blocks"));
    await expect(
      client().chat.postMessage({ channel: "CIN", text: "x", blocks: [section("x".repeat(3001))] }),
    ).rejects.toMatchObject(slackError("invalid_blocks"));
    await expect(
      client().views.publish({
        user_id: "UA",
        view: { type: "home", blocks: Array(101).fill(section("x")) },
      }),
    ).rejects.toMatchObject(slackError("invalid_arguments"));
  });

  it("answers token_revoked once Slack has revoked the token", async () => {
    slack.revokeToken("xoxb-1");
    await expect(client().auth.test()).rejects.toMatchObject(slackError("token_revoked"));
  });
});
