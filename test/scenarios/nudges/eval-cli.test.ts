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
    expect(stdout).toMatch(/\| channel-to-thread \| 1 \| 71\.43 \| 0\.2500 \| 1 \|/);
    // Every nudge has its row, also those that never spoke.
    expect(stdout).toMatch(/\| no-hello \| 0 \| 0\.00 \| 0\.0000 \| 0 \|/);
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

  it("scores the be-kind hints against tone labels, without a conversation annotation", async () => {
    const lines = [
      msg(0, "ana", "#review", "you are an idiot, did you even read the ticket?"),
      msg(1, "bob", "#review", "this test crashes with a fatal error, kill the job"),
      msg(2, "cat", "#review", "ugh, what a mess"),
      msg(3, "dan", "#review", "looks good to me"),
    ];
    const corpus = join(dir, "tone.jsonl");
    const labels = join(dir, "tone.truth.jsonl");
    writeFileSync(corpus, lines.map((l) => JSON.stringify(l)).join("\n"));
    const harsh = [true, false, true, false];
    writeFileSync(labels, lines.map((l, i) => JSON.stringify({ id: l.id, harsh: harsh[i] })).join("\n"));
    const { stdout } = await run("npx", ["tsx", "src/cli/eval.ts", corpus, "--tone-truth", labels], {
      env: { ...process.env, OUTLOUD_DATA_DIR: dir },
    });
    expect(stdout).toMatch(/\| be-kind \| 1 \|/);
    expect(stdout).toMatch(
      /be-kind: 1 labelled messages hinted \(2 harsh, 2 civil\); precision 1\.000 \(1\/1\); recall 0\.500 \(1\/2\); false alarms 0\.00 per 1,000 civil messages/,
    );
    expect(stdout).not.toMatch(/channel-to-thread:/);
  }, 60_000);

  it.each([
    ["a line that is not JSON", '{"id": "m1", "harsh": true}\nnot json'],
    ["a label of the wrong type", '{"id": "m1", "harsh": "yes"}'],
  ])(
    "refuses a tone truth file with %s in one short line, no stack trace",
    async (_case, text) => {
      const corpus = join(dir, "one.jsonl");
      const labels = join(dir, `bad${Math.random()}.jsonl`);
      writeFileSync(corpus, JSON.stringify(msg(0, "ana", "#review", "hello")));
      writeFileSync(labels, text);
      const failed = await run("npx", ["tsx", "src/cli/eval.ts", corpus, "--tone-truth", labels]).catch(
        (e) => e,
      );
      expect(failed.code).toBe(2);
      expect(failed.stderr).toMatch(
        /bad[\d.]+\.jsonl:\d: expected a JSON line \{"id": "\.\.\.", "harsh": \.\.\.\}/,
      );
      expect(failed.stderr).not.toMatch(/\n\s+at /);
    },
    60_000,
  );

  it("refuses a malformed conversation annotation the same way", async () => {
    const corpus = join(dir, "one.jsonl");
    const annotation = join(dir, "bad-conversations.jsonl");
    writeFileSync(corpus, JSON.stringify(msg(0, "ana", "#help", "hello")));
    writeFileSync(annotation, '{"id": "m1"}');
    const failed = await run("npx", ["tsx", "src/cli/eval.ts", corpus, annotation]).catch((e) => e);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(
      /bad-conversations\.jsonl:1: expected a JSON line \{"id": "\.\.\.", "conversation": \.\.\.\}/,
    );
  }, 60_000);

  it("explains its usage when a file is missing", async () => {
    await expect(run("npx", ["tsx", "src/cli/eval.ts", join(dir, "nope.jsonl")])).rejects.toMatchObject({
      stderr: expect.stringMatching(/Usage: npm run eval -- FILE TRUTH/),
    });
  }, 60_000);
});
