import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { HealthReport } from "../../../src/report/health.js";
import { runEntry } from "../../helpers/processes.js";
import { mkExportMessage, writeSlackExport } from "../../helpers/slack-export.js";
import { PUBLIC_TEXT, SECRET_TEXTS, writeFixture } from "./slack-export-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "outloud-report-"));
const env = { OUTLOUD_DATA_DIR: dir };
const zip = join(dir, "slack-export.zip");
let html: string;
let figures: HealthReport;
let stderr: string;

beforeAll(async () => {
  await writeFixture(zip);
  const out = join(dir, "report.html");
  const json = join(dir, "figures.json");
  const result = await runEntry("src/cli/report.ts", [zip, "--out", out, "--json", json], { env });
  stderr = result.stderr;
  expect(result.code, result.stderr).toBe(0);
  html = readFileSync(out, "utf8");
  figures = JSON.parse(readFileSync(json, "utf8"));
}, 60_000);

describe("npm run report on a Slack export ZIP", () => {
  it("writes one self-contained page with a chart per figure and says what it read", () => {
    expect(stderr).toContain("17 messages, 2 weeks, 3 rooms");
    expect(html.match(/<section class="chart"/g)).toHaveLength(11);
    expect(html.match(/<svg /g)).toHaveLength(11);
    // Nothing to fetch at view time: no script, no external source or style sheet.
    expect(html).not.toMatch(/<script|<link|\bsrc=|url\(/i);
  });

  it("quotes no message: neither the private room's and DM's nor the public channel's", () => {
    for (const text of [...SECRET_TEXTS, PUBLIC_TEXT, "deploy freeze"]) expect(html).not.toContain(text);
  });

  it("splits messages between public rooms, private rooms and DMs per week; bots and joins are not talk", () => {
    expect(figures.weeks.map((w) => [w.week, w.messages])).toEqual([
      ["2026-11-02", { public: 12, private: 2, direct: 1 }],
      ["2026-11-09", { public: 2, private: 0, direct: 0 }],
    ]);
    expect(figures.direct).toEqual({ conversations: 1, messages: 1 });
    // The DM is counted, never named; rooms are.
    expect(figures.rooms.map((r) => [r.name, r.visibility])).toEqual([
      ["payments", "public"],
      ["general", "public"],
      ["leads", "private"],
    ]);
  });

  it("finds the long back-and-forth that stayed in the channel, and the share of thread replies", () => {
    const [first, second] = figures.weeks;
    expect(first!.longConversations).toEqual({ stayed: 1, moved: 0 });
    expect(first!.threadReplies).toBe(1);
    expect(second!.threadReplies / second!.roomMessages).toBe(0.5);
  });

  it("counts the other team's question, its first answer in working time, and who answered", () => {
    expect(figures.weeks[0]!.questions).toMatchObject({
      asked: 1,
      answered: 1,
      medianMinutes: 45,
      medianClockMinutes: 45,
    });
    expect(figures.responders).toEqual([{ name: "Bob", answers: 1 }]);
  });

  it("counts the @channel with the people it reached, and the late mention of bob in New York", () => {
    // bob and carol: the author and the bot are not reached.
    expect(figures.weeks[0]!.broadcasts).toEqual({ count: 1, reached: 2 });
    expect(figures.weeks[0]!.mentions).toEqual({ inHours: 0, offHours: 1 });
  });

  it("sets the decision Outloud recorded beside the decision language in chat", () => {
    expect(figures.weeks[0]!.decisions).toEqual({ recorded: 1, language: 1 });
  });

  it("shows what Outloud's nudges would have said, from the real engine", () => {
    // alice's 23:30 UTC mention reaches bob at 18:30 in New York: the out-of-hours note would have fired.
    expect(figures.nudgeKinds).toEqual(["out-of-hours"]);
    expect(figures.weeks[0]!.nudges).toEqual({ "out-of-hours": 1 });
    expect(html).toContain("out-of-hours");
  });

  it("names a day file it cannot read, reports the rest, and exits 1", async () => {
    const broken = join(dir, "broken.zip");
    await writeSlackExport(broken, {
      users: [{ id: "U01", name: "ann" }],
      channels: [{ id: "C01", name: "ops", members: ["U01"] }],
      days: {
        ops: {
          "2026-11-02": [mkExportMessage("2026-11-02T10:00:00Z", { user: "U01", text: "hi" })],
          "2026-11-03": "[{ not json",
        },
      },
    });
    const out = join(dir, "broken.html");
    const json = join(dir, "broken.json");
    const result = await runEntry("src/cli/report.ts", [broken, "--out", out, "--json", json], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ops/2026-11-03.json: not valid JSON");
    expect(JSON.parse(readFileSync(json, "utf8")).messages).toBe(1);
  });

  it("answers a malformed command line with its usage", async () => {
    const result = await runEntry("src/cli/report.ts", [], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: npm run report -- INPUT");
  });
});
