/**
 * A scheduled rota announcement survives Slack's bad moments: the members lookup comes before the
 * day is claimed, so a 429 is waited out and a transient failure leaves the day to be tried again
 * later the same day; either way it is announced exactly once. The real engine, Slack directory and
 * sink (WebClient against the strict fake) on a virtual clock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SingleWorkspaceClients } from "../../../src/adapters/slack/clients.js";
import { SlackDirectory } from "../../../src/adapters/slack/directory.js";
import { SlackOutbox } from "../../../src/adapters/slack/outbox.js";
import { SlackActionSink } from "../../../src/adapters/slack/sink.js";
import { createEngine } from "../../../src/app.js";
import type { Engine } from "../../../src/core/engine.js";
import { Scheduler, VirtualClock } from "../../../src/core/scheduler.js";
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
  const sink = new SlackActionSink({ clients, outbox, log: silentLogger });
  engine = createEngine({ config, db, log: silentLogger }, { clock, scheduler, directory, sink });
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
    await clock.advanceTo(new Date("2026-11-23T09:00:30Z"), scheduler);
    await outbox.drain();
    expect(announcements()).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === "conversations.members").map((c) => c.status)).toEqual([
      429, 200,
    ]);
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
