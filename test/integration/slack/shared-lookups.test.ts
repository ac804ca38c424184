/**
 * Many rota announcements due in the same minute run together and ask Slack about the same people,
 * rooms, DM channels and user groups at once. Each question goes to Slack once; the others wait for
 * its answer. Driven through the real WebClient against the contract fake.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SingleWorkspaceClients } from "../../../src/adapters/slack/clients.js";
import { SlackDirectory } from "../../../src/adapters/slack/directory.js";
import { SlackOutbox } from "../../../src/adapters/slack/outbox.js";
import { SlackActionSink } from "../../../src/adapters/slack/sink.js";
import type { Action } from "../../../src/core/actions.js";
import type { Room } from "../../../src/core/model.js";
import { silentLogger } from "../../../src/logging.js";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";

const PEOPLE = ["UA", "UB", "UC", "UD", "UE"];
const CHANNELS = Array.from({ length: 10 }, (_, i) => `C${i}`);
const room = (id: string): Room => ({ workspace: "T1", id, name: id.toLowerCase(), kind: "public" });

let slack: FakeSlackApi;
let clients: SingleWorkspaceClients;

beforeEach(async () => {
  slack = await new FakeSlackApi().start();
  slack.addWorkspace({ team: "T1", botToken: "xoxb-t1" });
  for (const id of PEOPLE) slack.addUser({ id, team: "T1", name: id.toLowerCase() });
  for (const id of CHANNELS) slack.addConversation({ id, team: "T1", members: [...PEOPLE, "UBOTT1"] });
  clients = new SingleWorkspaceClients("xoxb-t1", { slackApiUrl: slack.apiUrl });
  await clients.verify();
});
afterEach(async () => {
  await slack.close();
});

/** A sink whose `deliver` resolves once Slack has everything (topic and group updates are queued). */
function sink(): { deliver(action: Action): Promise<void> } {
  const outbox = new SlackOutbox({ perChannelIntervalMs: 0, log: silentLogger });
  const actions = new SlackActionSink({ clients, outbox, log: silentLogger });
  return {
    async deliver(action) {
      await actions.deliver(action);
      await outbox.drain();
    },
  };
}

const group = (handle: string, responder: string): Action => ({
  workspace: "T1",
  source: "rota.announce",
  action: "group",
  room: room("C0"),
  text: handle,
  mentions: [responder],
});

describe("lookups asked at the same time", () => {
  it("ask Slack about each person and each room's members once", async () => {
    const calls = new SlackOutbox({ perChannelIntervalMs: 0, log: silentLogger });
    const directory = new SlackDirectory({ clients, log: silentLogger, calls });
    const [members, users] = await Promise.all([
      Promise.all(CHANNELS.map((c) => directory.roomMembers("T1", room(c)))),
      Promise.all(PEOPLE.flatMap((id) => [1, 2, 3].map(() => directory.user("T1", id)))),
    ]);
    for (const m of members) expect(m).toEqual(PEOPLE);
    expect(users.map((u) => u.displayName)).toEqual(
      PEOPLE.flatMap((id) => [1, 2, 3].map(() => id.toLowerCase())),
    );
    expect(slack.calls.filter((c) => c.method === "users.info")).toHaveLength(PEOPLE.length);
    expect(slack.calls.filter((c) => c.method === "conversations.members")).toHaveLength(CHANNELS.length);
  });

  it("open each person's DM once and create each responder group once", async () => {
    const s = sink();
    await Promise.all([
      ...[1, 2, 3, 4].map((n) =>
        s.deliver({
          workspace: "T1",
          source: "rota.handover",
          action: "dm",
          user: "UA",
          text: `hand-over ${n}`,
        }),
      ),
      ...["UA", "UB", "UC"].map((u) => s.deliver(group("c0-responder", u))),
      ...["UD", "UE"].map((u) => s.deliver(group("c1-responder", u))),
    ]);
    expect(slack.succeeded("chat.postMessage")).toHaveLength(4);
    expect(slack.calls.filter((c) => c.method === "conversations.open")).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === "usergroups.list")).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === "usergroups.create").map((c) => c.args.handle)).toEqual([
      "c0-responder",
      "c1-responder",
    ]);
    expect(slack.succeeded("usergroups.users.update")).toHaveLength(5);
  });

  it("find a group another replica made after this one listed the groups", async () => {
    const [first, second] = [sink(), sink()];
    await first.deliver(group("c1-responder", "UA"));
    await second.deliver(group("c0-responder", "UB"));
    expect(slack.usergroupMembers("c0-responder")).toEqual(["UB"]);
    // The first replica listed the groups before the second made this one: creating it fails, so it
    // lists again and finds it.
    await first.deliver(group("c0-responder", "UC"));
    await second.deliver(group("c0-responder", "UD"));
    expect(slack.usergroupMembers("c0-responder")).toEqual(["UD"]);
  });
});
