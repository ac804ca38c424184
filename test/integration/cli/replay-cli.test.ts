import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runEntry } from "../../helpers/processes.js";

const dir = mkdtempSync(join(tmpdir(), "outloud-replay-cli-"));
const env = { OUTLOUD_DATA_DIR: dir };
// The shared corpus sits beside the checkout (as in CI); a clone elsewhere has none to replay.
const DEV_CORPUS = `${process.env.OUTLOUD_SHARED_DIR ?? "../shared"}/corpora/ubuntu-irc/dev.jsonl`;

function scenario(name: string, lines: string[], gzip = false): string {
  const path = join(dir, name);
  const text = `${lines.join("\n")}\n`;
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

const help = JSON.stringify({
  type: "command",
  at: "2026-11-25T09:00:00Z",
  user: "alice",
  room: "#team",
  text: "/outloud help",
});

/** Every file under `root` with its bytes, to compare a folder before and after. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path] = readFileSync(path).toString("base64");
  }
  return out;
}

describe("npm run replay", () => {
  it(
    "never writes into the live bot's decisions folder; --data keeps its export elsewhere",
    { timeout: 120_000 },
    async () => {
      // A live bot's data folder, as it would have it: its own D-1 exported, and its database.
      const live = mkdtempSync(join(tmpdir(), "outloud-live-"));
      mkdirSync(join(live, "decisions", "local"), { recursive: true });
      writeFileSync(
        join(live, "decisions", "local", "0001-the-live-decision.md"),
        "---\nid: D-1\n---\nlive\n",
      );
      writeFileSync(join(live, "decisions", "local", "README.md"), "# Decisions (live)\n");
      writeFileSync(join(live, "outloud.sqlite"), "the live database");
      const before = snapshot(live);
      const decide = JSON.stringify({
        type: "command",
        at: "2026-11-25T09:00:00Z",
        user: "alice",
        room: "#team",
        text: "/decision Replayed teams use tabs.",
      });
      const file = scenario("decide.jsonl", [decide]);
      const result = await runEntry("src/cli/replay.ts", [file], { env: { OUTLOUD_DATA_DIR: live } });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("Exported to markdown");
      expect(snapshot(live)).toEqual(before);

      const kept = mkdtempSync(join(tmpdir(), "outloud-replay-data-"));
      const again = await runEntry("src/cli/replay.ts", [file, "--data", kept], {
        env: { OUTLOUD_DATA_DIR: live },
      });
      expect(again.code).toBe(0);
      expect(readdirSync(join(kept, "decisions", "local"))).toContain("0001-replayed-teams-use-tabs.md");
      expect(snapshot(live)).toEqual(before);
    },
  );

  it("prints one JSON line per bot action, in the documented shape", async () => {
    const file = scenario("help.jsonl", [help]);
    const result = await runEntry("src/cli/replay.ts", [file], { env });
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0])).toEqual(["at", "action", "room", "user", "text", "source"]);
    expect(lines[0]).toMatchObject({
      at: "2026-11-25T09:00:00.000Z",
      action: "notice",
      room: "#team",
      user: "alice",
      source: "command.outloud",
    });
    expect(lines[0].text).toContain("/outloud");
  });

  it("reports a malformed line with its number, skips it, goes on, and exits non-zero", async () => {
    const file = scenario("bad.jsonl", [
      JSON.stringify({
        type: "message",
        at: "2026-11-25T08:59:00Z",
        id: "m1",
        user: "bob",
        room: "#team",
        text: "hi",
      }),
      "{not json",
      JSON.stringify({
        type: "message",
        at: "2026-11-25T09:00:00Z",
        id: "m2",
        user: "bob",
        room: "team",
        text: "no sigil",
      }),
      help,
    ]);
    const result = await runEntry("src/cli/replay.ts", [file], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:2: not valid JSON (line skipped)`);
    expect(result.stderr).toContain(`${file}:3: "room" must be #name, ~name or dm:alice,bob (line skipped)`);
    expect(result.stdout).toContain('"source":"command.outloud"');
  });

  it("names the line types when a line's type is unknown, and prints its usage with --help", async () => {
    const file = scenario("types.jsonl", [JSON.stringify({ type: "mesage", at: "2026-11-25T09:00:00Z" })]);
    const result = await runEntry("src/cli/replay.ts", [file], { env });
    expect(result.stderr).toContain(
      `${file}:1: unknown type "mesage": "type" must be one of message, command, reaction, user, room, tick, join, leave`,
    );
    const help = await runEntry("src/cli/replay.ts", ["--help"], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run replay -- FILE/);
    expect(help.stderr).toBe("");
  });

  it("reads gzip scenarios and refuses to go back in time", async () => {
    const file = scenario(
      "back.jsonl.gz",
      [help, JSON.stringify({ type: "tick", at: "2026-11-24T00:00:00Z" }), help.replace("alice", "bob")],
      true,
    );
    const result = await runEntry("src/cli/replay.ts", [file], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:2: "at" goes back in time`);
    expect(result.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("explains its usage when called without a file", async () => {
    const result = await runEntry("src/cli/replay.ts", [], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: npm run replay -- FILE");
  });

  it.skipIf(!existsSync(DEV_CORPUS))(
    "runs the dev corpus of real chat to the end",
    async () => {
      const result = await runEntry("src/cli/replay.ts", [DEV_CORPUS], {
        env,
        timeoutMs: 120_000,
      });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
    },
    120_000,
  );
});
