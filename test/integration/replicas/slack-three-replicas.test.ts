/**
 * Three bot processes on one PostgreSQL behind a "load balancer" (the test spreads requests over them),
 * against the fake Slack Web API: every action happens exactly once. Slack's retries and duplicate
 * deliveries land on different replicas at the same moment, and rota announcements fall due on every
 * replica in the same minute. (Takes a minute or two: it waits for a real clock minute.)
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL } from "../../helpers/databases.js";
import { FakeSlackApi, type RecordedCall } from "../../helpers/fake-slack-api.js";
import { SIGNING_SECRET, slackBotEnv } from "../../helpers/fake-slack-harness.js";
import { eventCallback, mkMessage, mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";

const REPLICA_SCRIPT = fileURLToPath(new URL("./fixtures/slack-replica.ts", import.meta.url));
// Ids shaped like Slack's, so mentions resolve by id on every replica, not by a name one happened to see.
const PEOPLE = ["U0A", "U0B", "U0C", "U0D", "U0E", "U0F", "U0G", "U0H"].map((p) => `${p}1234567`);
const ROTA_CHANNELS = ["CR1", "CR2", "CR3", "CR4"];

interface Replica {
  url: string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  kill(): void;
}

function startReplica(env: Record<string, string>): Promise<Replica> {
  // tsx as a loader, not its CLI: the CLI relays SIGTERM to the bot in a child process and SIGKILLs
  // that child if it does not confirm within 30 ms, which a busy machine turns into a failed stop (143).
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", REPLICA_SCRIPT], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "warn", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      stdout += d;
      const port = /listening (\d+)/.exec(stdout)?.[1];
      if (port)
        resolve({
          url: `http://127.0.0.1:${port}`,
          stderr: () => stderr,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
          kill: () => child.kill("SIGKILL"),
        });
    });
    void exited.then((code) => reject(new Error(`replica exited with ${code} before listening:\n${stderr}`)));
  });
}

/**
 * The first whole minute at least `leadMs` from now, as HH:MM in UTC: far enough ahead for the
 * replicas to restart and arm their timers from the database before it falls due.
 */
function minuteAhead(leadMs: number): { at: Date; hhmm: string } {
  const at = new Date(Math.ceil((Date.now() + leadMs) / 60_000) * 60_000);
  return { at, hhmm: at.toISOString().slice(11, 16) };
}

function seed(slack: FakeSlackApi): void {
  slack.addWorkspace({ team: "T1", botToken: "xoxb-t1" });
  for (const id of PEOPLE)
    slack.addUser({ id, team: "T1", name: `person-${id.slice(2, 3).toLowerCase()}`, tz: "UTC" });
  // Big enough that an @channel earns its author a private tip (the broadcast nudge).
  slack.addConversation({
    id: "CBIG",
    team: "T1",
    name: "everyone",
    kind: "public",
    members: [...PEOPLE, "UBOTT1"],
  });
  for (const [i, id] of ROTA_CHANNELS.entries()) {
    slack.addConversation({
      id,
      team: "T1",
      name: `team-${i + 1}`,
      kind: "public",
      members: [PEOPLE[i * 2]!, PEOPLE[i * 2 + 1]!, "UBOTT1"],
    });
  }
}

/** What a person in Slack would see: who got which text where. Two equal ones are a duplicate. */
function visible(calls: RecordedCall[]): string[] {
  return calls
    .filter((c) => ["chat.postMessage", "chat.postEphemeral", "conversations.setTopic"].includes(c.method))
    .map((c) => `${c.method} ${c.args.channel} ${c.args.user ?? ""} ${c.args.text ?? c.args.topic}`);
}

describe("three replicas on one PostgreSQL", () => {
  const schema = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  const dataDirs: string[] = [];
  let slack: FakeSlackApi;
  let replicas: Replica[] = [];
  let env: Record<string, string>;
  let announceAt: { at: Date; hhmm: string };

  const startThree = async () => {
    replicas = await Promise.all(
      [0, 1, 2].map(() => {
        const dir = mkdtempSync(join(tmpdir(), "outloud-replica-"));
        dataDirs.push(dir);
        return startReplica({ ...env, OUTLOUD_DATA_DIR: dir });
      }),
    );
  };

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    slack = await new FakeSlackApi().start();
    seed(slack);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set("options", `-c search_path=${schema}`);
    env = slackBotEnv(slack, { DATABASE_URL: url.toString() });
    // A fresh schema: the three also race to migrate it.
    await startThree();
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) r.kill();
    await slack?.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  it("tips each @channel author once, whichever replicas get the original, the retries and the duplicates", async () => {
    const deliveries = PEOPLE.map((user, i) => {
      const event = eventCallback(
        "T1",
        mkMessage({ user, channel: "CBIG", text: `<!channel> news number ${i}` }),
      );
      // The original, three retries and one plain duplicate, spread over the replicas, all at once.
      return Promise.all(
        [undefined, 1, 2, 3, undefined].map((retryNum, k) =>
          postSigned(replicas[(i + k) % 3]!.url, SIGNING_SECRET, event, { retryNum }),
        ),
      );
    });
    for (const responses of await Promise.all(deliveries)) {
      for (const res of responses) expect(res.status).toBe(200);
    }
    await slack.waitFor((s) => s.succeeded("chat.postEphemeral").length >= PEOPLE.length, 20_000);
    // Time for a duplicate to show up, if there were one.
    await new Promise((r) => setTimeout(r, 1000));

    const tips = slack.succeeded("chat.postEphemeral");
    expect(tips.map((c) => c.args.user).sort()).toEqual(PEOPLE);
    expect(tips.every((c) => c.args.channel === "CBIG")).toBe(true);
  }, 60_000);

  it("sets up one rota per channel, each command through another replica, all due the same minute", async () => {
    announceAt = minuteAhead(60_000);
    const results = await Promise.all(
      ROTA_CHANNELS.map((channel, i) =>
        postSigned(
          replicas[i % 3]!.url,
          SIGNING_SECRET,
          mkSlashCommand({
            team: "T1",
            user: PEOPLE[i * 2]!,
            channel,
            channelName: `team-${i + 1}`,
            command: "/rota",
            text: `setup <@${PEOPLE[i * 2]}|a> <@${PEOPLE[i * 2 + 1]}|b> at ${announceAt.hhmm} tz UTC days mon-sun`,
            responseUrl: slack.responseUrl(),
          }),
        ),
      ),
    );
    for (const res of results) expect(res.status, res.text).toBe(200);
    // Set up, not refused with a usage reply.
    for (const res of results) expect(res.text).not.toMatch(/usage/i);
    await slack.waitFor(
      (s) => ROTA_CHANNELS.every((c) => s.succeeded("chat.postMessage").some((p) => p.args.channel === c)),
      30_000,
    );
  }, 60_000);

  it("announces each rota once when it falls due on all three replicas at once", async () => {
    // Restarted, every replica arms every rota's timer from the database.
    const exits = await Promise.all(replicas.map((r) => r.stop()));
    expect(exits).toEqual([0, 0, 0]);
    const before = slack.succeeded("chat.postMessage").length;

    await startThree();
    const announcements = () =>
      slack
        .succeeded("chat.postMessage")
        .slice(before)
        .filter(
          (c) => ROTA_CHANNELS.includes(String(c.args.channel)) && /responder/i.test(String(c.args.text)),
        );
    // Every replica armed a timer for the same minute; each fires, and one per rota wins the claim.
    const wait = Math.max(0, announceAt.at.getTime() - Date.now()) + 30_000;
    await slack.waitFor(() => announcements().length >= ROTA_CHANNELS.length, wait);
    await new Promise((r) => setTimeout(r, 1500));

    expect(
      announcements()
        .map((c) => c.args.channel)
        .sort(),
    ).toEqual(ROTA_CHANNELS);
    const topics = slack.succeeded("conversations.setTopic").map((c) => c.args.channel);
    expect(topics.sort()).toEqual(ROTA_CHANNELS);
  }, 180_000);

  it("never showed anyone the same thing twice, and every replica stops cleanly", async () => {
    const seen = visible(slack.succeeded());
    expect(seen.length).toBeGreaterThan(PEOPLE.length + ROTA_CHANNELS.length);
    expect(seen.filter((line, i) => seen.indexOf(line) !== i)).toEqual([]);
    const exits = await Promise.all(replicas.map((r) => r.stop()));
    expect(exits).toEqual([0, 0, 0]);
    for (const r of replicas) expect(r.stderr()).not.toMatch(/error/i);
    replicas = [];
  }, 60_000);
});
