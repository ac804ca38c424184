import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SlackEventJournal } from "../../../src/adapters/slack/event-journal.js";

const DB = "postgres://bot@127.0.0.1/test?options=-c%20search_path%3Dteam";

/** The one journal folder (per database) under a data directory. */
function journalDir(dataDir: string): string {
  const [db] = readdirSync(join(dataDir, "slack-journal"));
  return join(dataDir, "slack-journal", db!);
}

const body = (id: string, text = "hello") => ({
  type: "event_callback",
  team_id: "T1",
  event_id: id,
  event: { text },
});

describe("SlackEventJournal", () => {
  it("hands on the events a dead process had not finished, in the order they came, and leaves a live one's alone", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "journal-"));
    const mine = new SlackEventJournal(dataDir, DB);
    const dir = journalDir(dataDir);
    void mine.came("T1", "Ev-live", body("Ev-live"));
    // A process that no longer runs (no such pid), killed while writing its last line.
    const lines = [
      { k: "r", w: "T1", e: "Ev1", b: body("Ev1") },
      { k: "r", w: "T1", e: "Ev2", b: body("Ev2") },
      { k: "r", w: "T1", e: "Ev3", b: body("Ev3") },
      { k: "d", w: "T1", e: "Ev2" },
    ];
    const dead = join(dir, "slack-events-999999999.1-0.journal");
    writeFileSync(dead, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n{"k":"r","w":"T1`);

    const { events, release } = mine.abandoned();
    expect(events.map((e) => e.eventId)).toEqual(["Ev1", "Ev3"]);
    expect(events[0]!.body).toEqual(body("Ev1"));
    release();
    expect(existsSync(dead)).toBe(false);
    // A process never takes over its own file.
    expect(new SlackEventJournal(dataDir, DB).abandoned().events).toEqual([]);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
  });

  it("never hands on the events of a process that recorded them in another database", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "journal-"));
    const other = new SlackEventJournal(
      dataDir,
      "postgres://bot@127.0.0.1/test?options=-c%20search_path%3Dother",
    );
    const line = { k: "r", w: "T1", e: "Ev1", b: body("Ev1") };
    writeFileSync(
      join(journalDir(dataDir), "slack-events-999999999.1-0.journal"),
      `${JSON.stringify(line)}\n`,
    );
    expect(other.abandoned().events.map((e) => e.eventId)).toEqual(["Ev1"]);
    expect(new SlackEventJournal(dataDir, DB).abandoned().events).toEqual([]);
  });

  it("writes the end of an event that outlives a clean stop, and then removes its file", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "journal-"));
    const journal = new SlackEventJournal(dataDir, DB);
    const dir = journalDir(dataDir);
    await journal.came("T1", "Ev-slow", body("Ev-slow"));
    journal.close();
    expect(readdirSync(dir)).toHaveLength(1);
    journal.ended("T1", "Ev-slow");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("keeps the unfinished events when its file is rewritten, and leaves nothing once all have ended", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "journal-"));
    const journal = new SlackEventJournal(dataDir, DB);
    const dir = journalDir(dataDir);
    await journal.came("T1", "Ev-slow", body("Ev-slow"));
    const long = "x".repeat(2000);
    for (let i = 0; i < 600; i++) {
      await journal.came("T1", `Ev${i}`, body(`Ev${i}`, long));
      journal.ended("T1", `Ev${i}`);
    }
    // Past 1 MiB the file was rewritten: one file, with only the event still being handled.
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/-1\.journal$/);
    journal.ended("T1", "Ev-slow");
    journal.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("writes a body as its request carried it, on one line, and hands it on as it was", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "journal-"));
    const journal = new SlackEventJournal(dataDir, DB);
    const dir = journalDir(dataDir);
    const raw = Buffer.from(
      '{"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": {"text": "h\\u00e9 \\"x\\""}}',
    );
    await journal.came("T1", "Ev1", JSON.parse(raw.toString()), raw);
    // Text with a line break between its tokens is written serialised again.
    const broken = Buffer.from(
      '{"type": "event_callback",\n"team_id": "T1", "event_id": "Ev2", "event": {"text": "hello"}}',
    );
    await journal.came("T1", "Ev2", JSON.parse(broken.toString()), broken);
    const [file] = readdirSync(dir);
    const text = readFileSync(join(dir, file!), "utf8");
    expect(text).toContain(raw.toString());
    expect(text.split("\n")).toHaveLength(3);
    // As a process that died with them unfinished would leave them.
    writeFileSync(join(dir, "slack-events-999999999.1-0.journal"), text);
    const handedOn = journal.abandoned().events;
    expect(handedOn.map((e) => e.body)).toEqual([JSON.parse(raw.toString()), JSON.parse(broken.toString())]);
  });

  it("writes the ends of events with the next event that comes, or together within 100 ms when none comes", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "journal-"));
    const journal = new SlackEventJournal(dataDir, DB);
    const dir = journalDir(dataDir);
    const lines = () =>
      readFileSync(join(dir, readdirSync(dir)[0]!), "utf8")
        .split("\n")
        .filter(Boolean);
    await Promise.all([
      journal.came("T1", "Ev1", body("Ev1")),
      journal.came("T1", "Ev2", body("Ev2")),
      journal.came("T1", "Ev3", body("Ev3")),
    ]);
    journal.ended("T1", "Ev1");
    journal.ended("T1", "Ev2");
    // Not at the end of this turn of the event loop: an event may come meanwhile and take them along.
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines()).toHaveLength(3);
    // None came: both ends in one write, within 100 ms.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(lines().map((l) => JSON.parse(l).k)).toEqual(["r", "r", "r", "d", "d"]);
    // An end still waiting goes first, in the write of the next event that comes.
    journal.ended("T1", "Ev3");
    await journal.came("T1", "Ev4", body("Ev4"));
    expect(
      lines()
        .map((l) => `${JSON.parse(l).k}${JSON.parse(l).e}`)
        .slice(5),
    ).toEqual(["dEv3", "rEv4"]);
  });

  it("writes the events that come in one turn of the event loop in one write, before any is acknowledged", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "journal-"));
    const journal = new SlackEventJournal(dataDir, DB);
    const dir = journalDir(dataDir);
    const file = join(dir, readdirSync(dir)[0]!);
    const written: string[] = [];
    const coming = ["Ev1", "Ev2", "Ev3"].map((id) =>
      journal.came("T1", id, body(id)).then(() => {
        // What a crash right now would leave: this event and the others of its turn.
        written.push(readFileSync(file, "utf8").split("\n").filter(Boolean).length.toString());
      }),
    );
    expect(readFileSync(file, "utf8")).toBe("");
    await Promise.all(coming);
    expect(written).toEqual(["3", "3", "3"]);
  });

  it("fails the events of a write that failed (a full disk), so that none of them is acknowledged", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "journal-"));
    // This process's journal file, made a way to /dev/full: every write fails with ENOSPC.
    const first = new SlackEventJournal(dataDir, DB);
    const dir = journalDir(dataDir);
    const name = readdirSync(dir)[0]!;
    first.close();
    symlinkSync("/dev/full", join(dir, name));
    const journal = new SlackEventJournal(dataDir, DB);
    const results = await Promise.allSettled([
      journal.came("T1", "Ev1", body("Ev1")),
      journal.came("T1", "Ev2", body("Ev2")),
    ]);
    expect(
      results.map((r) => (r.status === "rejected" ? (r.reason as { code?: string }).code : "written")),
    ).toEqual(["ENOSPC", "ENOSPC"]);
  });
});
