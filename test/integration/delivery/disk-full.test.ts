/**
 * The disk under the SQLite database fills up: the real bot process keeps its data on a small tmpfs
 * of its own, and the test fills that file system to the last byte. People typing commands meanwhile
 * get a short apology within Slack's 3 seconds, not silence; /readyz says not ready. Once space is
 * freed, everything works again, and nothing typed while full is acted on later (nothing doubled),
 * nothing recorded before is lost. Mounting needs root: where that is refused the test cannot run.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANNOT_SAVE } from "../../../src/core/engine.js";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import { SIGNING_SECRET, seedWorkspace, slackBotEnv } from "../../helpers/fake-slack-harness.js";
import { mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";
import { type BotProcess, eventually, startBotProcess } from "../../helpers/processes.js";

const mountPoint = mkdtempSync(join(tmpdir(), "outloud-small-disk-"));
const mounted = tryMount(mountPoint, "16m");

function tryMount(dir: string, size: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Writes zeros into `file` until the file system has no byte left. */
function fillUp(file: string): void {
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    closeSync(fd);
  }
}

// Needs the right to mount a tmpfs (root, as in CI's container); without it there is no small disk to fill.
describe.skipIf(!mounted)("a full disk under SQLite", () => {
  let slack: FakeSlackApi;
  let bot: BotProcess;
  const filler = join(mountPoint, "filler");

  beforeAll(async () => {
    slack = await new FakeSlackApi().start();
    seedWorkspace(slack);
    bot = await startBotProcess(slackBotEnv(slack, { OUTLOUD_DATA_DIR: mountPoint }));
  }, 120_000);

  afterAll(async () => {
    bot?.signal("SIGKILL");
    await bot?.exited;
    await slack?.close();
    if (mounted) execFileSync("umount", [mountPoint]);
    rmdirSync(mountPoint);
  });

  const command = async (command: string, text: string) => {
    const sent = Date.now();
    const res = await postSigned(
      bot.url,
      SIGNING_SECRET,
      mkSlashCommand({
        team: "T1",
        user: "UT1A",
        channel: "CT1",
        command,
        text,
        responseUrl: slack.responseUrl(),
      }),
    );
    return {
      status: res.status,
      text: res.text ? String((res.json() as { text?: string }).text) : "",
      ms: Date.now() - sent,
    };
  };
  const confirmations = () =>
    slack
      .succeeded("chat.postMessage")
      .map((c) => String(c.args.text))
      .filter((t) => t.startsWith("Recorded decision"));

  it(
    "apologises within 3 s, is not ready, and works again once space is freed",
    { timeout: 180_000 },
    async () => {
      await command("/decision", "Before the disk filled up.");
      await eventually(() => confirmations().length === 1);
      expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);

      fillUp(filler);
      // Enough writes to need new pages: the first may still fit in space SQLite had already.
      const whileFull = [];
      for (let i = 0; i < 5; i++) {
        whileFull.push(await command("/decision", `Typed while the disk was full ${i}.`));
        whileFull.push(await command("/rota", "who"));
      }
      const refused = whileFull.filter((r) => r.text === CANNOT_SAVE);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of whileFull) {
        expect(r.status).toBe(200);
        // Every command is answered in its acknowledgement: an apology, or (while SQLite still had room) its answer.
        expect(r.ms).toBeLessThan(3000);
        expect(r.text).not.toBe("");
      }
      const ready = await fetch(`${bot.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ready: false, checks: { database: false } });

      rmSync(filler);
      await eventually(async () => (await fetch(`${bot.url}/readyz`)).status === 200, 30_000);
      const after = await command("/decision", "After the space was freed.");
      expect(after.text).not.toBe(CANNOT_SAVE);
      expect((await command("/rota", "who")).text).toMatch(/rota|responder/i);
      await eventually(() => confirmations().some((t) => t.includes("After the space was freed.")), 30_000);

      // Nothing lost (the first decision is still there), nothing doubled (each confirmed once, numbers unique).
      const list = await command("/decision", "list");
      expect(list.text).toContain("Before the disk filled up");
      const texts = confirmations();
      const numbers = texts.map((t) => /D-(\d+)/.exec(t)?.[1]);
      expect(new Set(numbers).size).toBe(texts.length);
      for (const t of new Set(texts)) expect(texts.filter((x) => x === t)).toHaveLength(1);
      expect(texts.filter((t) => t.includes("while the disk was full")).length).toBe(
        whileFull.filter((r, i) => i % 2 === 0 && r.text !== CANNOT_SAVE).length,
      );
      expect(bot.output()).not.toContain("Outloud stopped");
    },
  );
});
