/**
 * Scheduled rota announcements against Slack as it really is. They survive Slack's bad moments: the
 * members lookup comes before the day is claimed, so a 429 is waited out and a transient failure
 * leaves the day to be tried again later the same day; either way it is announced exactly once. And
 * what only a person can fix (the bot removed from the channel, user groups closed to bots) is told
 * once to whoever set the rota up, and shown by `/rota who`. The real engine, Slack directory and
 * sink (WebClient against the strict fake) on a virtual clock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SingleWorkspaceClients } from "../../../src/adapters/slack/clients.js";
import {
  PendingCommand,
  pendingCommands,
  type SlashResponse,
} from "../../../src/adapters/slack/command-reply.js";
import { SlackDirectory } from "../../../src/adapters/slack/directory.js";
import { SlackOutbox } from "../../../src/adapters/slack/outbox.js";
import { SlackActionSink } from "../../../src/adapters/slack/sink.js";
import { createEngine } from "../../../src/app.js";
import { VirtualClock } from "../../../src/core/clocks.js";
import { CommandSpelling } from "../../../src/core/commands/spelling.js";
import type { Engine } from "../../../src/core/engine.js";
import { Scheduler } from "../../../src/core/scheduler.js";
import { silentLogger } from "../../../src/logging.js";
import { type DatabaseHandle, openDatabase } from "../../../src/storage/database.js";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { seedWorkspace } from "../../helpers/fake-slack-harness.js";
import { scenarioConfig } from "../../helpers/scenario.js";

let slack: FakeSlackApi;
let db: DatabaseHandle;
let dir: string;
let engine: Engine;
let outbox: SlackOutbox;
let directory: SlackDirectory;
let clock: VirtualClock;
let scheduler: Scheduler;

beforeEach(async () => {
  clock = new VirtualClock(new Date("2026-11-23T07:00:00Z"));
  scheduler = new Scheduler(silentLogger);
  slack = await new FakeSlackApi().start();
  seedWorkspace(slack);
  dir = mkdtempSync(join(tmpdir(), "outloud-retry-"));
  db = await openDatabase({ url: join(dir, "outloud.sqlite") });
  const config = scenarioConfig({}, { OUTLOUD_DATA_DIR: dir });
  // No retries inside the client: a 5xx reaches the rota at once.
  const clients = new SingleWorkspaceClients("xoxb-t1", {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
  });
  await clients.verify();
  outbox = new SlackOutbox({ perChannelIntervalMs: 0, log: silentLogger });
  directory = new SlackDirectory({ clients, log: silentLogger, calls: outbox });
  const sink = new SlackActionSink({
    clients,
    outbox,
    log: silentLogger,
    people: directory,
    onProblem: (problem) => engine.deliveryProblem(problem),
  });
  engine = createEngine(
    { config, db, log: silentLogger },
    {
      clock,
      scheduler,
      directory,
      emit: (action) => sink.deliver(action),
      commands: new CommandSpelling("/"),
    },
  );
  await engine.start();
  await engine.handle({
    type: "command",
    command: {
      workspace: "T1",
      room: { workspace: "T1", id: "CT1", name: "team", kind: "public" },
      user: "UT1A",
      text: "rota setup @UT1A @UT1B at 09:00 tz UTC",
      prefix: "/",
      at: clock.now(),
    },
  });
  // As after someone joined: the announcement asks Slack for the members again.
  directory.forgetMembers("T1", "CT1");
});
afterEach(async () => {
  await engine.stop();
  await outbox.drain();
  await db.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

const announcements = () =>
  slack.succeeded("chat.postMessage").filter((c) => /responder is/.test(String(c.args.text)));

describe("a scheduled rota announcement", () => {
  it("waits out a 429 on the members lookup and announces once", async () => {
    slack.failNext("conversations.members", { status: 429, retryAfter: 1 });
    const before = slack.calls.length; // the setup's own look-up (who is in the room) is not the announcement's
    await clock.advanceTo(new Date("2026-11-23T09:00:30Z"), scheduler);
    await outbox.drain();
    expect(announcements()).toHaveLength(1);
    const lookups = slack.calls.slice(before).filter((c) => c.method === "conversations.members");
    expect(lookups.map((c) => c.status)).toEqual([429, 200]);
  });

  it("is tried again later the same day after transient failures, and announced once", async () => {
    slack.failNext("conversations.members", { status: 503 }, 2);
    await clock.advanceTo(new Date("2026-11-23T09:00:30Z"), scheduler);
    await outbox.drain();
    // Nothing claimed, nothing posted: the day is still to be announced.
    expect(announcements()).toHaveLength(0);
    await clock.advanceTo(new Date("2026-11-23T10:00:00Z"), scheduler);
    await outbox.drain();
    expect(announcements()).toHaveLength(1);
    expect(String(announcements()[0]!.args.text)).not.toContain("late");
    // Tomorrow runs as usual: one more announcement, no leftover retry.
    await clock.advanceTo(new Date("2026-11-24T10:00:00Z"), scheduler);
    await outbox.drain();
    expect(announcements()).toHaveLength(2);
  });
});

/** `/rota who` typed by alice in #team, answered privately in the command's acknowledgement. */
async function rotaWho(): Promise<string> {
  let answer: SlashResponse | undefined;
  const pending = new PendingCommand(
    "T1",
    "CT1",
    "UT1A",
    async (r) => {
      answer = r;
    },
    undefined,
  );
  await pendingCommands.run(pending, () =>
    engine.handle({
      type: "command",
      command: {
        workspace: "T1",
        room: { workspace: "T1", id: "CT1", name: "team", kind: "public" },
        user: "UT1A",
        text: "rota who",
        prefix: "/",
        at: clock.now(),
      },
    }),
  );
  return answer?.text ?? "";
}

/** What the bot told `user` in their DM about a rota's problems. */
const dmsTo = (user: string) =>
  slack
    .succeeded("chat.postMessage")
    .filter(
      (c) =>
        slack.conversation(String(c.args.channel))?.kind === "im" &&
        slack.conversation(String(c.args.channel))?.members?.includes(user) &&
        String(c.args.text).startsWith("The rota you set up"),
    );

describe("a rota that cannot do its job", () => {
  it("tells the person who set it up, once, when the bot was removed from the channel, and /rota who shows it", async () => {
    slack.conversation("CT1")!.members = ["UT1A", "UT1B"];
    await clock.advanceTo(new Date("2026-11-23T09:00:30Z"), scheduler);
    await outbox.drain();
    const told = dmsTo("UT1A");
    expect(told).toHaveLength(1);
    expect(String(told[0]!.args.text)).toBe(
      "The rota you set up in #team cannot do its job: I am not a member of #team. Invite me with `/invite @outloud` in #team.",
    );
    expect(await rotaWho()).toContain(
      "Problem: I am not a member of #team. Invite me with `/invite @outloud`",
    );
    // The next day fails the same way: nobody is told twice.
    await clock.advanceTo(new Date("2026-11-24T09:00:30Z"), scheduler);
    await outbox.drain();
    expect(dmsTo("UT1A")).toHaveLength(1);
    // Invited again: the next announcement goes out and the problem is no longer shown.
    slack.conversation("CT1")!.members = ["UT1A", "UT1B", "UBOTT1"];
    await clock.advanceTo(new Date("2026-11-25T09:00:30Z"), scheduler);
    await outbox.drain();
    expect(announcements()).toHaveLength(1);
    expect(await rotaWho()).not.toContain("Problem");
  });

  it("stops trying user groups for the day where only admins may change them, and says so once", async () => {
    slack.updateWorkspace("xoxb-t1", { usergroupManagers: "admins" });
    await clock.advanceTo(new Date("2026-11-23T09:00:30Z"), scheduler);
    await outbox.drain();
    expect(announcements()).toHaveLength(1);
    const groupCalls = () =>
      slack.calls.filter((c) => c.method.startsWith("usergroups.") && c.method !== "usergroups.list");
    expect(groupCalls()).toHaveLength(1);
    // User groups are updated without holding up the announcement: the owner hears a moment later.
    await slack.waitFor(() => dmsTo("UT1A").length > 0);
    expect(String(dmsTo("UT1A")[0]?.args.text)).toContain("only admins may change user groups");
    // The same day (a skip hands the group over again): not tried again.
    await engine.handle({
      type: "command",
      command: {
        workspace: "T1",
        room: { workspace: "T1", id: "CT1", name: "team", kind: "public" },
        user: String(/<@(\w+)>/.exec(String(announcements()[0]!.args.text))?.[1]),
        text: "rota skip",
        prefix: "/",
        at: clock.now(),
      },
    });
    await outbox.drain();
    expect(groupCalls()).toHaveLength(1);
    expect(dmsTo("UT1A")).toHaveLength(1);
  });

  it("leaves a guest out of the responder group", async () => {
    slack.addUser({ id: "UT1A", team: "T1", name: "alice", guest: "multi" });
    // Slack tells the app with user_change, as the Slack listener passes on.
    directory.userChanged("T1", { id: "UT1A", name: "alice", is_restricted: true });
    await clock.advanceTo(new Date("2026-11-23T09:00:30Z"), scheduler);
    await outbox.drain();
    const responder = /<@(\w+)>/.exec(String(announcements()[0]!.args.text))?.[1];
    // alice, a guest, is not put in the group; bob is when it is his turn.
    if (responder === "UT1A") expect(slack.usergroupMembers("team-responder", "T1") ?? []).toEqual([]);
    await clock.advanceTo(new Date("2026-11-24T09:00:30Z"), scheduler);
    await outbox.drain();
    expect(slack.usergroupMembers("team-responder", "T1")).toEqual(["UT1B"]);
    expect(slack.calls.filter((c) => c.error === "invalid_user")).toHaveLength(0);
  });
});
