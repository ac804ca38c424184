/**
 * A crash in the middle of a sync batch: `npm start` (src/main.ts) runs as a real process against the
 * fake homeserver and is killed (SIGKILL) while it waits on the reply to the first of two commands in
 * one batch (the server received it and never answered). The restarted bot may get the whole batch
 * again, and its outbox sends what was left unsent: each command is answered exactly once (the
 * reply the server had is recognised by its transaction id).
 * The dead process still holds the sync lease until it expires, so the new one takes over after that
 * (a short lease here; 20 s by default).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeHomeserver, type SentEvent } from "../../helpers/fake-homeserver.js";
import { ALICE, BOB, BOT, CAROL, freshDataDir, type RunningBot, startBot, TOKEN } from "./bot.js";

const LEASE_SECONDS = 3;
const isMessage = (e: SentEvent) => e.type === "m.room.message";

describe("Matrix adapter killed mid-batch", () => {
  let hs: FakeHomeserver | undefined;
  let child: ChildProcess | undefined;
  let bot: RunningBot | undefined;

  afterEach(async () => {
    child?.kill("SIGKILL");
    await bot?.stop();
    await hs?.close();
  });

  it("acts on nothing twice after the restart", { timeout: 90_000 }, async () => {
    hs = await new FakeHomeserver({ botUserId: BOT, token: TOKEN }).start();
    const first = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "first", public: true });
    const second = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "second", public: true });
    const dataDir = freshDataDir();
    const running = startProcess(hs, dataDir);
    child = running.child;
    // Past its first sync (history), the bot long-polls for news.
    await waitFor(
      () => hs?.requests.some((r) => r.path === "/sync" && r.query.since) ?? false,
      60_000,
      running.stderr,
    );

    hs.holdSends();
    hs.message(first, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30`);
    hs.message(second, BOB, `!rota setup ${BOB} ${CAROL} at 10:00`);
    await hs.waitForSent((e) => isMessage(e) && e.room_id === first, 1, 30_000);
    child.kill("SIGKILL");
    await new Promise((resolve) => child?.once("exit", resolve));

    hs.holdSends(false);
    bot = await startBot(hs, { dataDir, settings: { matrix: { syncLeaseSeconds: LEASE_SECONDS } } });
    await hs.waitForSent((e) => isMessage(e) && e.room_id === second, 1, 30_000);
    await hs.waitForSyncedUpTo();
    expect(hs.messagesIn(first)).toHaveLength(1);
    expect(hs.messagesIn(second)).toHaveLength(1);
    expect(running.stderr()).not.toContain(TOKEN);
  });

  it(
    "still says in an encrypted room that it cannot read it, when killed while waiting to say it",
    { timeout: 90_000 },
    async () => {
      hs = await new FakeHomeserver({ botUserId: BOT, token: TOKEN }).start();
      const secret = hs.createRoom({ members: [ALICE, BOB, BOT], name: "secret", encrypted: true });
      // The notice is refused with a long wait, and the bot is killed while it waits.
      hs.rateLimitNext("PUT", /\/send\//, { retryAfterMs: 100_000 });
      const dataDir = freshDataDir();
      const running = startProcess(hs, dataDir);
      child = running.child;
      await waitFor(
        () => hs?.requests.some((r) => r.method === "PUT" && r.path.includes("/send/")) ?? false,
        60_000,
        running.stderr,
      );
      child.kill("SIGKILL");
      await new Promise((resolve) => child?.once("exit", resolve));
      expect(hs.messagesIn(secret)).toEqual([]);

      // Told once ever: the restarted bot does not say it again on its own, but the notice left unsent
      // goes out once the dead process's claim on it runs out.
      bot = await startBot(hs, { dataDir, settings: { matrix: { syncLeaseSeconds: LEASE_SECONDS } } });
      const [notice] = await hs.waitForSent((e) => isMessage(e) && e.room_id === secret, 1, 60_000);
      expect(String(notice?.content.body)).toMatch(/^I can't read this room/);
      await hs.waitForSyncedUpTo();
      expect(hs.messagesIn(secret)).toHaveLength(1);
    },
  );
});

/** `npm start` as a real process on `dataDir`, with a short sync lease; its stderr kept for failures. */
function startProcess(hs: FakeHomeserver, dataDir: string): { child: ChildProcess; stderr: () => string } {
  const configFile = join(dataDir, "outloud.yaml");
  writeFileSync(configFile, `matrix:\n  syncLeaseSeconds: ${LEASE_SECONDS}\n`);
  // tsx as a loader, not its CLI: the CLI runs the bot in a child process that SIGKILL would orphan.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      LOG_LEVEL: "warn",
      OUTLOUD_DATA_DIR: dataDir,
      OUTLOUD_CONFIG: configFile,
      MATRIX_HOMESERVER_URL: hs.url,
      MATRIX_USER_ID: BOT,
      MATRIX_ACCESS_TOKEN: TOKEN,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  return { child, stderr: () => stderr };
}

async function waitFor(check: () => boolean, timeoutMs: number, context: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out; the bot said:\n${context()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
