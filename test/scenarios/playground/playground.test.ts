/**
 * The terminal playground as a newcomer meets it: the README's quick start and docs/rota.md's tutorial
 * typed as written, on every day of the week, and a second session on the same data folder.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runPlayground } from "../../../src/adapters/local/playground.js";
import { silentLogger } from "../../../src/logging.js";
import { openDatabase } from "../../../src/storage/database.js";
import { playgroundSession, typedLines } from "../../helpers/playground.js";
import { scenarioConfig } from "../../helpers/scenario.js";

const fresh = () => mkdtempSync(join(tmpdir(), "outloud-playground-"));
const README = "README.md";
const ROTA_DOC = "docs/rota.md";
// Sunday 6 Dec 2026 to Saturday 12 Dec, at 15:00 UTC: after that day's 09:30 in Madrid.
const EVERY_WEEKDAY = [6, 7, 8, 9, 10, 11, 12].map((d) => new Date(Date.UTC(2026, 11, d, 15)));

const announced = (transcript: string) =>
  [...transcript.matchAll(/outloud: Today's responder is @(\w+)/g)].map((m) => m[1]);

describe("the README's quick start", () => {
  const typed = typedLines(README, "### The playground");

  it.each(
    EVERY_WEEKDAY.map((d) => [d.toUTCString().slice(0, 3), d]),
  )("typed on a %s gives one rota week taking turns, as the README shows", async (_day, start) => {
    const transcript = await playgroundSession(fresh(), typed, { start });
    expect(announced(transcript)).toEqual(["alice", "bob", "alice", "bob", "alice"]);
    expect(transcript).toContain("set up this room's rota: @alice, @bob, announced at 09:30 Europe/Madrid");
    expect(transcript).not.toContain("left this room");
    expect(transcript).toMatch(/Last responders:\n• Fri .*: @alice\n• Thu .*: @bob\n• Wed .*: @alice/);
  });
});

describe("docs/rota.md's tutorial", () => {
  it.each(
    EVERY_WEEKDAY.map((d) => [d.toUTCString().slice(0, 3), d]),
  )("typed on a %s gives the announcement, the question mention, Tuesday and the skip", async (_day, start) => {
    const transcript = await playgroundSession(fresh(), typedLines(ROTA_DOC, "## Try it in the playground"), {
      start,
    });
    expect(announced(transcript)).toEqual(["ana", "bob"]);
    expect(transcript).toContain(
      "[#payments thread m1] outloud: @ana, today's responder: could you pick up this question from @zed?",
    );
    expect(transcript).toContain("@bob passed today's turn: today's responder is now @cy.");
    expect(transcript).not.toContain("in the past");
  });
});

describe("playground rooms", () => {
  it("count the people a command names and everyone who spoke as members, so a question from outside reaches the responder", async () => {
    const transcript = await playgroundSession(fresh(), [
      ":at next monday 06:00",
      ":user alice tz Europe/Madrid",
      "/rota setup @alice @bob at 09:30",
      ":user zed",
      "does anyone know where the refund keys live?",
      ":ff 1d",
      ":ff 1d",
    ]);
    expect(announced(transcript)).toEqual(["alice", "bob"]);
    expect(transcript).toContain("@alice, today's responder: could you pick up this question from @zed?");
    expect(transcript).not.toContain("left this room");
    expect(transcript).not.toContain("Nobody in the rota is available");
  });

  it("follow :members when it is given", async () => {
    const transcript = await playgroundSession(fresh(), [
      ":at next monday 06:00",
      ":members alice",
      "/rota setup @alice @bob at 09:30",
      ":ff 1d",
    ]);
    expect(transcript).toContain("@bob is not in this room, so the rota skips them until they join.");
    expect(announced(transcript)).toEqual(["alice"]);
  });
});

describe("a second playground session", () => {
  it("resumes at the virtual time where the first stopped, and never reuses a message id", async () => {
    const dir = fresh();
    const start = new Date("2026-12-06T15:00:00Z");
    await playgroundSession(
      dir,
      [":at next monday 06:00", "/rota setup @alice @bob at 09:30", "hello", "again", ":ff 3d"],
      { start },
    );
    const second = await playgroundSession(
      dir,
      [":time", "/rota history", "/rota who", "later", ":ff 1d"],
      {},
    );
    expect(second).toContain("Resuming where the last session stopped: 2026-12-10 06:00 UTC (Thursday).");
    expect(second).toContain("it is 2026-12-10 06:00 UTC (Thursday)");
    expect(second).toContain("Last responders:\n• Wed 9 Dec: @alice\n• Tue 8 Dec: @bob\n• Mon 7 Dec: @alice");
    expect(second).toContain("[m3] you in #general: later");
    // Thursday's announcement comes in this session.
    expect(announced(second)).toEqual(["bob"]);
  });
});

describe(":at", () => {
  it("jumps to the coming weekday from any day, and says when a time is in the past", async () => {
    for (const start of EVERY_WEEKDAY) {
      const transcript = await playgroundSession(fresh(), [":at next monday 09:00"], { start });
      expect(transcript).toMatch(/it is now 2026-12-(07|14) 09:00 UTC \(Monday\)/);
    }
    const past = await playgroundSession(fresh(), [":at 2026-11-26T09:00Z"], { start: EVERY_WEEKDAY[0] });
    expect(past).toContain("2026-11-26 09:00 UTC (Thursday) is in the past: it is 2026-12-06 15:00 UTC");
  });
});

describe(":user", () => {
  it("refuses a time zone the tz data does not know, and stays who you were", async () => {
    const transcript = await playgroundSession(fresh(), [":user alice tz Mars/Base", "hello"]);
    expect(transcript).toContain("unknown time zone Mars/Base: use an IANA name such as Europe/Madrid");
    expect(transcript).toContain("[m1] you in #general: hello");
  });
});

describe("a slash word that is no command", () => {
  it("is refused like Slack does, not posted to the room", async () => {
    const transcript = await playgroundSession(fresh(), ["/rtoa who", "/rota help"]);
    expect(transcript).toContain("/rtoa is not a command: try /rota help, /decision help or /outloud help");
    expect(transcript).not.toContain("you in #general: /rtoa who");
    expect(transcript).not.toContain("[m1]");
  });
});

describe("at a terminal", () => {
  it("prints what arrives while you type above the prompt, and redraws the prompt with your text", async () => {
    const dir = fresh();
    const config = scenarioConfig({}, { OUTLOUD_DATA_DIR: dir });
    const db = await openDatabase({ url: config.databaseUrl });
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = "";
    output.on("data", (chunk) => {
      screen += chunk;
    });
    // Two seconds before a 09:30 announcement: the wall clock brings it while "hel" is half typed.
    const session = runPlayground({
      app: { config, db, log: silentLogger },
      input,
      output,
      interactive: true,
      start: new Date("2026-12-07T09:29:58Z"),
    });
    input.write("/rota setup @alice @bob at 09:30\r");
    input.write("hel");
    await expect
      .poll(() => screen, { timeout: 20_000, interval: 200 })
      .toContain("Today's responder is @alice");
    input.end("lo\r:quit\r");
    await session;
    await db.close();
    const announcement = screen.indexOf("[#general] outloud: Today's responder is @alice");
    // The half-typed line is cleared first, and the prompt comes back with it after the notice.
    expect(screen.slice(announcement - 10, announcement)).toContain("\x1b[2K");
    expect(screen.slice(announcement)).toMatch(/\n(\x1b\[\d*[A-Za-z])*you in #general> hel/);
  }, 30_000);
});
