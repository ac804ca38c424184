/**
 * Three `npm start` processes (src/main.ts) with the same Matrix account on one PostgreSQL schema,
 * against the fake homeserver: one holds the sync lease and reads /sync, the others stand by (and say
 * they are ready). A stream of `!decision` commands flows in; the lease holder is killed (SIGKILL) in
 * the middle of a batch, while its reply to one command is in flight, and the stream goes on. A standby
 * takes over from the stored sync position well within 30 seconds, and every command is recorded and
 * answered exactly once: none lost, none twice.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL } from "../../helpers/databases.js";
import { FakeHomeserver, type SentEvent } from "../../helpers/fake-homeserver.js";
import { ALICE, BOB, BOT, CAROL, TOKEN } from "../matrix/bot.js";

const COMMANDS = 36;
const KILL_AFTER = 12;
const EVERY_MS = 150;
const LEASE_SECONDS = 4;

interface Replica {
  child: ChildProcess;
  pid: number;
  healthPort: number;
  stderr(): string;
  exited: Promise<number | null>;
}

interface LeaseRow {
  holder: string;
  generation: number;
  acquired_at: string;
}

/** A free port on 127.0.0.1 for a replica's health routes (HEALTH_PORT). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function readyz(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  } catch {
    return 0;
  }
}

async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string),
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The decision text of command number i; its reply quotes it. */
const decisionText = (i: number) => `we ship build ${i} today`;

describe("Matrix sync lease: the holder dies mid-stream", () => {
  const schema = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
  const dirs: string[] = [];
  let hs: FakeHomeserver;
  let room: string;
  let admin: pg.Client;
  let env: Record<string, string>;
  let replicas: Replica[] = [];

  async function startReplica(): Promise<Replica> {
    const dataDir = mkdtempSync(join(tmpdir(), "outloud-matrix-replica-"));
    dirs.push(dataDir);
    const healthPort = await freePort();
    // tsx as a loader, not its CLI: the CLI runs the bot in a child process that SIGKILL would orphan.
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { ...env, OUTLOUD_DATA_DIR: dataDir, HEALTH_PORT: String(healthPort) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    return { child, pid: child.pid ?? -1, healthPort, stderr: () => stderr, exited };
  }

  async function lease(): Promise<LeaseRow | undefined> {
    const { rows } = await admin.query<LeaseRow>(
      `select holder, generation, acquired_at from ${schema}.leases where name = $1 and expires_at > $2`,
      [`matrix.sync:${BOT}`, new Date().toISOString()],
    );
    return rows[0];
  }

  /** The replica whose process id is in the lease holder's name (host/pid/random). */
  const holderOf = (row: LeaseRow) => replicas.find((r) => row.holder.split("/")[1] === String(r.pid));

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    hs = await new FakeHomeserver({ botUserId: BOT, token: TOKEN }).start();
    room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "releases", public: true });
    const configDir = mkdtempSync(join(tmpdir(), "outloud-matrix-config-"));
    dirs.push(configDir);
    // A short lease so the test takes seconds; the default (20 s) is what the 30 s promise rests on.
    writeFileSync(join(configDir, "outloud.yaml"), `matrix:\n  syncLeaseSeconds: ${LEASE_SECONDS}\n`);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set("options", `-c search_path=${schema}`);
    env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      LOG_LEVEL: "warn",
      OUTLOUD_CONFIG: join(configDir, "outloud.yaml"),
      DATABASE_URL: url.toString(),
      MATRIX_HOMESERVER_URL: hs.url,
      MATRIX_USER_ID: BOT,
      MATRIX_ACCESS_TOKEN: TOKEN,
    };
    // Together, on a fresh schema: they also race to migrate it and to take the lease.
    replicas = await Promise.all([0, 1, 2].map(() => startReplica()));
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) r.child.kill("SIGKILL");
    await Promise.all(replicas.map((r) => r.exited));
    await hs?.close();
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("has one replica syncing and the others standing by, all ready", async () => {
    let statuses: number[] = [];
    await waitUntil(
      async () => {
        statuses = await Promise.all(replicas.map((r) => readyz(r.healthPort)));
        return statuses.every((s) => s === 200);
      },
      120_000,
      () =>
        `all three replicas ready on /readyz (${statuses}):\n${replicas.map((r) => r.stderr()).join("\n")}`,
    );
    const held = await lease();
    expect(held && holderOf(held)).toBeDefined();
    // Past its first sync (history), the holder long-polls for news.
    await waitUntil(
      () => hs.requests.some((r) => r.path === "/sync" && r.query.since),
      30_000,
      "the holder's long poll",
    );
    // Standbys really stand by: a while later, still one holder in the same tenure.
    await sleep(LEASE_SECONDS * 1000);
    expect(await lease()).toMatchObject({ holder: held?.holder, generation: held?.generation });
  }, 180_000);

  it("answers every command exactly once when the holder is killed in the middle of a batch", async () => {
    const before = (await lease()) as LeaseRow;
    const first = holderOf(before) as Replica;
    const others = replicas.filter((r) => r !== first);
    let posted = 0;
    const stream = (async () => {
      for (let i = 1; i <= COMMANDS; i++) {
        hs.message(room, i % 2 ? ALICE : BOB, `!decision ${decisionText(i)}`);
        posted = i;
        await sleep(EVERY_MS);
      }
    })();
    const replies = () => hs.messagesIn(room);

    // Mid-stream: the holder's next reply reaches the server but is never answered, so the
    // holder is stuck inside a batch whose position it has not saved; then it dies.
    await waitUntil(() => posted >= KILL_AFTER, 30_000, "the first commands");
    const sentBefore = hs.sent.length;
    hs.holdSends();
    await waitUntil(() => hs.sent.length > sentBefore, 30_000, "a reply in flight");
    first.child.kill("SIGKILL");
    await first.exited;
    const killedAt = Date.now();
    hs.holdSends(false);
    const postedAtKill = posted;

    await stream;
    await waitUntil(
      () => replies().length >= COMMANDS,
      60_000,
      () => `a reply to each of ${COMMANDS} commands, saw ${replies().length}`,
    );
    await hs.waitForSyncedUpTo(30_000);
    // Time for a duplicate to show up, if there were one.
    await sleep(1500);

    // The stream really went on after the kill.
    expect(postedAtKill).toBeLessThan(COMMANDS);
    const after = (await lease()) as LeaseRow;
    expect(after.generation).toBeGreaterThan(before.generation);
    expect(others).toContain(holderOf(after));
    expect(new Date(after.acquired_at).getTime() - killedAt).toBeLessThan(30_000);

    const bodies = replies().map((e: SentEvent) => String(e.content.body));
    for (let i = 1; i <= COMMANDS; i++) {
      const answers = bodies.filter((b) => b.includes(`: ${decisionText(i)}`));
      expect(answers, `replies to command ${i}`).toHaveLength(1);
    }
    expect(bodies).toHaveLength(COMMANDS);
    // Recorded once each, too: decision numbers 1..COMMANDS, none skipped or doubled.
    const ids = bodies.map((b) => /D-(\d+)/.exec(b)?.[1]).map(Number);
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: COMMANDS }, (_, i) => i + 1));
  }, 180_000);

  it("stops the survivors cleanly, without errors and without the token in their output", async () => {
    const alive = replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    expect(alive).toHaveLength(2);
    for (const r of alive) r.child.kill("SIGTERM");
    expect(await Promise.all(alive.map((r) => r.exited))).toEqual([0, 0]);
    for (const r of replicas) {
      expect(r.stderr()).not.toContain(TOKEN);
      if (alive.includes(r)) expect(r.stderr()).not.toMatch(/"level":"?(error|50)/);
    }
  }, 60_000);
});
