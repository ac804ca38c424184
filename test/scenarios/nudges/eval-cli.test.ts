import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { backAndForth, msg } from "./helpers.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "outloud-eval-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a corpus and its annotation, runs `npm run eval` on them, returns what it printed. */
async function evaluate(lines: Record<string, unknown>[], truth: Record<string, string>) {
  const corpus = join(dir, `c${Math.random()}.jsonl`);
  const annotation = join(dir, `t${Math.random()}.jsonl`);
  writeFileSync(corpus, lines.map((l) => JSON.stringify(l)).join("\n"));
  writeFileSync(
    annotation,
    Object.entries(truth)
      .map(([id, conversation]) => JSON.stringify({ id, conversation }))
      .join("\n"),
  );
  const { stdout, stderr } = await run("npx", ["tsx", "src/cli/eval.ts", corpus, annotation], {
    env: { ...process.env, OUTLOUD_DATA_DIR: dir },
  });
  return { stdout, stderr };
}

describe("npm run eval", () => {
  it("scores a right channel → thread suggestion and a missed conversation against the annotation", async () => {
    const exchange = backAndForth(0, "ana", "bob", "#help", 8);
    // A second conversation that should have moved to a thread, but only one person talks by name.
    const missed = Array.from({ length: 6 }, (_, i) =>
      msg(30 + i, i % 2 ? "eve" : "dan", "#help", `line ${i}`),
    );
    const truth: Record<string, string> = {};
    for (const l of exchange) truth[l.id] = "c1";
    for (const l of missed) truth[l.id] = "c2";
    const { stdout, stderr } = await evaluate([...exchange, ...missed], truth);
    expect(stdout).toMatch(/14 messages, 4 active person-days/);
    expect(stdout).toMatch(/\| channel-to-thread \| 1 \| 71\.43 \| 0\.2500 \|/);
    expect(stdout).toMatch(/precision 1\.000 \(1\/1\); recall 0\.500 \(1\/2 conversations/);
    expect(stdout).toMatch(/Most nudges one person received in a day: 1 /);
    expect(stderr).toBe(""); // quiet when not on a terminal
  }, 60_000);

  it("counts a suggestion about the wrong people as wrong", async () => {
    const exchange = backAndForth(0, "ana", "bob", "#help", 8);
    // The annotators split the exchange: bob's answers belong to a conversation with someone else.
    const truth: Record<string, string> = {};
    for (const l of exchange) truth[l.id] = l.user === "ana" ? "c1" : "c2";
    const { stdout } = await evaluate(exchange, truth);
    expect(stdout).toMatch(/precision 0\.000 \(0\/1\)/);
  }, 60_000);

  it("explains its usage when a file is missing", async () => {
    await expect(run("npx", ["tsx", "src/cli/eval.ts", join(dir, "nope.jsonl")])).rejects.toMatchObject({
      stderr: expect.stringMatching(/Usage: npm run eval -- FILE TRUTH/),
    });
  }, 60_000);

  it("names a malformed truth line in one line, without a stack trace", async () => {
    const corpus = join(dir, "malformed.jsonl");
    const annotation = join(dir, "malformed-truth.jsonl");
    writeFileSync(corpus, `${JSON.stringify(msg(0, "ana", "#team", "hello"))}\n`);
    writeFileSync(annotation, `${JSON.stringify({ id: "m1", conversation: "c1" })}\n{"id": 2}\n`);
    const failed = await run("npx", ["tsx", "src/cli/eval.ts", corpus, annotation], {
      env: { ...process.env, OUTLOUD_DATA_DIR: dir },
    }).catch((err: { code: number; stderr: string }) => err);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toBe(
      `${annotation}:2: not a truth line: expected {"id": "...", "conversation": "..."}\n`,
    );
  });
});
