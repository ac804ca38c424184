/**
 * `/decision undo` takes a decision back from its targets through the export outbox: a webhook
 * receiver (a real HTTP server on loopback) or a git repository that cannot take it back at that
 * moment gets it later, retried with back-off, after a restart too, and exactly once.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeWebhookReceiver } from "../../helpers/fake-docs-apis.js";
import { ScenarioSession } from "../../helpers/scenario.js";

const SECRET = "webhook-secret";
let receiver: FakeWebhookReceiver;
beforeAll(async () => {
  receiver = await new FakeWebhookReceiver(SECRET).start();
});
afterAll(() => receiver.stop());

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "outloud-undo-"));
  receiver.requests.length = 0;
  receiver.deliveries.length = 0;
  receiver.byDecision.clear();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = (minute: number, second = 0) =>
  `2026-11-25T09:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}Z`;
const cmd = (minute: number, text: string) => ({
  type: "command",
  at: at(minute),
  user: "alice",
  room: "#team",
  text,
});

function session(markdown: Record<string, unknown> = { enabled: false }, attempts = 8) {
  return new ScenarioSession({
    env: { WEBHOOK_SECRET: SECRET, OUTLOUD_DATA_DIR: dir },
    databaseUrl: join(dir, "outloud.sqlite"),
    settings: {
      decisions: {
        retry: { firstDelaySeconds: 60, attempts },
        export: { markdown, webhook: { enabled: true, url: `${receiver.url}/decisions` } },
      },
    },
  }).open();
}

const undoneEvents = () => receiver.deliveries.filter((d) => d.endsWith("/D-1/undone"));

describe("taking an undone decision back later", () => {
  it("sends decision.undone once the webhook answers again, exactly once", async () => {
    const s = await session();
    try {
      await s.feed([cmd(0, "/decision Use PostgreSQL for events.")]);
      receiver.failNext(1, 503, "POST");
      const [reply] = await s.feed([cmd(1, "/decision undo D-1")]);
      expect(reply!.text).toBe(
        "Decision D-1 was undone by alice. It will be taken back from webhook when it answers again.",
      );
      expect(undoneEvents()).toEqual([]);
      await s.feed([{ type: "tick", at: at(3) }]);
      expect(undoneEvents()).toHaveLength(1);
      expect(receiver.byDecision.get([...receiver.byDecision.keys()][0]!)).toMatchObject({
        event: "decision.undone",
        decision: { id: "D-1", title: "Use PostgreSQL for events", status: "undone" },
      });
      await s.feed([{ type: "tick", at: at(30) }]);
      expect(undoneEvents()).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("still sends it after the process stopped right after the undo", async () => {
    const s = await session();
    try {
      await s.feed([cmd(0, "/decision Deploy on Tuesdays.")]);
      receiver.failNext(1, 503, "POST");
      await s.feed([cmd(1, "/decision undo D-1")]);
      await s.restart(at(1, 30));
      expect(s.platform.scheduler.has("decisions:outbox")).toBe(true);
      await s.feed([
        { type: "tick", at: at(3) },
        { type: "tick", at: at(30) },
      ]);
      expect(undoneEvents()).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("tells the author what to remove by hand when the last try fails, and tries no more", async () => {
    const s = await session({ enabled: false }, 2);
    try {
      await s.feed([
        { type: "user", at: at(0), user: "alice", name: "Alice" },
        cmd(0, "/decision Keep the monorepo."),
      ]);
      receiver.failNext(2, 503, "POST");
      await s.feed([cmd(1, "/decision undo D-1")]);
      const out = await s.feed([{ type: "tick", at: at(5) }]);
      expect(out).toEqual([
        expect.objectContaining({
          action: "dm",
          user: "alice",
          text: expect.stringMatching(
            /^Your undone decision D-1 \("Keep the monorepo"\) could not be taken back from webhook after 2 attempts: .*HTTP 503.*\. Remove it there if needed\.$/,
          ),
        }),
      ]);
      expect(await s.feed([{ type: "tick", at: at(30) }])).toEqual([]);
      expect(
        receiver.requests.filter((r) => r.headers["x-outloud-event"] === "decision.undone"),
      ).toHaveLength(2);
      expect(undoneEvents()).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it("commits the file's removal once git is free again", async () => {
    // The decisions folder is inside a repository of the team's: a lock there may be a person's git,
    // so it is not removed, and the withdrawal waits for it.
    const repo = join(dir, "docs");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
    mkdirSync(repo);
    git("init", "--quiet", "--initial-branch=main");
    writeFileSync(join(repo, "notes.txt"), "team notes\n");
    git("add", ".");
    git("-c", "user.name=Team", "-c", "user.email=team@example.org", "commit", "--quiet", "-m", "start");
    const s = await session({ directory: join(repo, "decisions"), git: { enabled: true } });
    try {
      await s.feed([cmd(0, "/decision Use PostgreSQL for events.")]);
      const file = join(repo, "decisions", "0001-use-postgresql-for-events.md");
      expect(existsSync(file)).toBe(true);
      writeFileSync(join(repo, ".git", "index.lock"), "");
      const [reply] = await s.feed([cmd(1, "/decision undo D-1")]);
      expect(reply!.text).toBe(
        "Decision D-1 was undone by alice. Taken back from webhook. It will be taken back from markdown when it answers again.",
      );
      rmSync(join(repo, ".git", "index.lock"));
      await s.feed([{ type: "tick", at: at(3) }]);
      expect(git("log", "-1", "--format=%s").trim()).toBe("Undo decision D-1: Use PostgreSQL for events");
      expect(git("ls-tree", "-r", "--name-only", "HEAD").trim().split("\n")).toEqual([
        "decisions/README.md",
        "notes.txt",
      ]);
      expect(git("status", "--porcelain")).toBe("");
    } finally {
      await s.close();
    }
  });
});
