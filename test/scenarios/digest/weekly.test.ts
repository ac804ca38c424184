/**
 * The weekly team digest through the replay engine: set up with `/digest setup`, posted once a week
 * on a virtual clock, across restarts and with two engines on one database; silent weeks get nothing.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReplayOutput } from "../../../src/adapters/local/scenario.js";
import { runScenario, ScenarioSession } from "../../helpers/scenario.js";
import { commandLine, dayAt, messageLine } from "../../helpers/scenario-lines.js";

const ROOM = "#payments";
/** 2026-11-02 is a Monday. */
const at = (day: number, time: string) => dayAt(11, day, time);
const cmd = (when: string, user: string, text: string, room = ROOM) => commandLine(when, user, text, room);
const msg = (when: string, id: string, user: string, text: string, extra: Record<string, unknown> = {}) =>
  messageLine(when, id, user, text, ROOM, extra);
const start = [
  { type: "user", at: at(2, "07:00"), user: "ana", tz: "UTC" },
  { type: "user", at: at(2, "07:00"), user: "bob", tz: "UTC" },
  { type: "user", at: at(2, "07:00"), user: "carol", tz: "UTC" },
  { type: "room", at: at(2, "07:00"), room: ROOM, members: ["ana", "bob"] },
  cmd(at(2, "07:00"), "ana", "/rota setup @ana @bob at 09:00"),
  cmd(at(2, "07:01"), "ana", "/digest setup fri 16:00"),
];
const digests = (outputs: ReplayOutput[]) => outputs.filter((o) => o.source === "digest.weekly");

/** A busy week in #payments: a decision, carol's questions (one answered, one not), a call, an @here. */
const busyWeek = [
  msg(at(3, "10:00"), "q1", "carol", "How do I refund a card payment?"),
  msg(at(3, "10:45"), "a1", "bob", "Use the refunds page", { thread: "q1" }),
  msg(at(3, "11:00"), "q2", "carol", "Can someone check the payout report?"),
  msg(at(4, "09:30"), "t1", "ana", "The settlement job is failing again"),
  msg(at(4, "09:40"), "t2", "bob", "Let's talk: https://meet.jit.si/settlement", { thread: "t1" }),
  cmd(at(4, "10:00"), "ana", "/decision Retry settlements nightly"),
  msg(at(5, "12:00"), "h1", "ana", "@here deploy freeze until Monday"),
];

describe("weekly digest", () => {
  it("setup confirms in the room, with the workspace's defaults where the command does not say", async () => {
    const run = await runScenario([...start.slice(0, 4), cmd(at(2, "07:01"), "ana", "/digest setup")]);
    expect(run.outputs.at(-1)).toMatchObject({
      action: "post",
      room: ROOM,
      source: "command.digest",
    });
    expect(run.outputs.at(-1)!.text).toContain("every mon at 09:30 (UTC)");
  });

  it("is posted on its day with, in order, decisions, questions from other teams, calls, responders and @here", async () => {
    const run = await runScenario([...start, ...busyWeek, { type: "tick", at: at(6, "16:05") }]);
    const posted = digests(run.outputs);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({
      at: new Date(at(6, "16:00")).toISOString(),
      action: "post",
      room: ROOM,
    });
    expect(posted[0]!.text).toBe(
      [
        "*Weekly digest for #payments*, Fri 30 Oct – Fri 6 Nov",
        "*Decisions* (1)",
        "• D-1 Retry settlements nightly (@ana)",
        "*Questions from other teams*: 2 asked, 1 answered, median first answer 45 working minutes, 1 still open:",
        // The still-open question is linked (the replay's permalinks are outloud:// links).
        "• from @carol: outloud://local/%23payments/q2",
        "*Threads that moved to a call*: 1",
        // The seven days from the digest's own day: today's turn (already announced) first.
        "*Next week's responders*: Fri 6 Nov @ana, Mon 9 Nov @bob, Tue 10 Nov @ana, Wed 11 Nov @bob, Thu 12 Nov @ana",
        "*@channel / @here*: 1",
      ].join("\n"),
    );
  });

  it("never quotes a message: only ids, counts, decision titles and names", async () => {
    const run = await runScenario([...start, ...busyWeek, { type: "tick", at: at(6, "16:05") }]);
    const text = digests(run.outputs)[0]!.text;
    for (const said of ["refund", "payout", "settlement job", "deploy freeze"])
      expect(text).not.toContain(said);
  });

  it("says a quiet week in one line, and says nothing at all after a silent week", async () => {
    const run = await runScenario([
      ...start,
      msg(at(3, "10:00"), "m1", "ana", "morning"),
      { type: "tick", at: at(6, "16:05") },
      // The next week nobody speaks.
      { type: "tick", at: at(13, "16:05") },
    ]);
    const posted = digests(run.outputs);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.text.split("\n")).toEqual([
      "*Weekly digest for #payments*, Fri 30 Oct – Fri 6 Nov",
      "A quiet week: no decisions recorded, no questions from other teams, no @channel.",
      "*Next week's responders*: Fri 6 Nov @ana, Mon 9 Nov @bob, Tue 10 Nov @ana, Wed 11 Nov @bob, Thu 12 Nov @ana",
    ]);
  });

  it("comes every week, once, for weeks of virtual time; `/digest off` stops it", async () => {
    const weeks = [3, 10, 17].map((d) => msg(at(d, "10:00"), `m${d}`, "ana", "status update"));
    const run = await runScenario([
      ...start,
      ...weeks,
      { type: "tick", at: at(20, "17:00") },
      cmd(at(20, "17:01"), "ana", "/digest off"),
      msg(at(24, "10:00"), "m24", "ana", "status update"),
      { type: "tick", at: at(27, "17:00") },
    ]);
    expect(digests(run.outputs).map((o) => o.at)).toEqual(
      [6, 13, 20].map((d) => new Date(at(d, "16:00")).toISOString()),
    );
  });

  it("is posted once across a restart, and a digest missed while down comes late the same day", async () => {
    const session = await new ScenarioSession().open();
    try {
      await session.feed([...start, ...busyWeek]);
      // Down from before Friday 16:00 until 18:00: the digest is still owed, and posted on start.
      await session.feed([{ type: "tick", at: at(6, "15:00") }]);
      await session.restart(at(6, "18:00"));
      await session.advanceTo(at(6, "18:01"));
      expect(digests(session.outputs).map((o) => o.at)).toEqual([new Date(at(6, "18:00")).toISOString()]);
      // Another restart the same evening owes nothing.
      await session.restart(at(6, "19:00"));
      await session.advanceTo(at(7, "12:00"));
      expect(digests(session.outputs)).toHaveLength(1);
    } finally {
      await session.close();
    }
  });

  it("two engines on one database post it once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "outloud-digest-replicas-"));
    const databaseUrl = join(dir, "shared.sqlite");
    const env = { OUTLOUD_DATA_DIR: dir };
    const first = await new ScenarioSession({ databaseUrl, env }).open();
    const second = await new ScenarioSession({ databaseUrl, env }).open();
    try {
      await first.feed([...start, ...busyWeek]);
      // The second replica starts after the setup, so it arms the same digest from the database.
      await second.platform.startAt(new Date(at(5, "13:00")));
      await first.advanceTo(at(6, "16:05"));
      await second.advanceTo(at(6, "16:05"));
      expect(digests(first.outputs).length + digests(second.outputs).length).toBe(1);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("`/digest now` shows the last seven days at once; in a silent room it says so privately", async () => {
    const run = await runScenario([
      ...start,
      ...busyWeek,
      cmd(at(5, "13:00"), "ana", "/digest now"),
      cmd(at(5, "13:00"), "ana", "/digest now", "#quiet"),
    ]);
    const [here, quiet] = run.outputs.filter((o) => o.source === "command.digest").slice(-2);
    expect(here).toMatchObject({ action: "post", room: ROOM });
    expect(here!.text).toContain("*Decisions* (1)");
    expect(quiet).toMatchObject({ action: "notice", room: "#quiet", user: "ana" });
    expect(quiet!.text).toBe("Nothing to sum up: this room was silent for the last seven days.");
  });

  it("a malformed setup gets a short usage reply and sets nothing up", async () => {
    const run = await runScenario([
      ...start.slice(0, 4),
      cmd(at(2, "07:01"), "ana", "/digest setup someday 25:00"),
      msg(at(3, "10:00"), "m1", "ana", "hello team"),
      { type: "tick", at: at(9, "10:00") },
    ]);
    const reply = run.outputs.find((o) => o.source === "command.digest");
    expect(reply).toMatchObject({ action: "notice", user: "ana" });
    expect(reply!.text).toContain('"someday" is neither a day');
    expect(reply!.text).toContain("Usage: `/digest setup [weekly] [mon] [09:30] [tz Europe/Madrid]`");
    expect(digests(run.outputs)).toEqual([]);
  });
});
