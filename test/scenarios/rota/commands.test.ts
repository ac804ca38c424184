/**
 * The `/rota` commands through the replay engine: what each one shows or changes, and that bad input
 * gets a short private reply naming the problem and the right form, and changes nothing.
 */
import { describe, expect, it } from "vitest";
import type { ReplayOutput } from "../../../src/adapters/local/scenario.js";
import { runScenario } from "../../helpers/scenario.js";
import { commandLine, dayAt } from "../../helpers/scenario-lines.js";

const ROOM = "#payments";
const at = (day: number, time: string) => dayAt(11, day, time);
const cmd = (when: string, user: string, text: string, room = ROOM) => commandLine(when, user, text, room);
const start = [
  { type: "user", at: at(23, "07:00"), user: "ana", tz: "Europe/Madrid" },
  { type: "room", at: at(23, "07:00"), room: ROOM, members: ["ana", "bob", "cy", "dee"] },
  cmd(at(23, "07:00"), "ana", "/rota setup @ana @bob @cy"),
];
const replies = (outputs: ReplayOutput[], when: string) =>
  outputs.filter((o) => o.at === new Date(when).toISOString());

describe("bad input", () => {
  it.each([
    [
      "/rota time 25:00",
      '"25:00" is not a time: use HH:MM, e.g. 09:30. Usage: `/rota time 10:00 [tz Europe/Madrid]`',
    ],
    [
      "/rota time 10:00 tz Mars/Base",
      'Unknown time zone "Mars/Base": use an IANA name such as Europe/Madrid. Usage: `/rota time 10:00 [tz Europe/Madrid]`',
    ],
    [
      "/rota holidays XX",
      'Unknown holiday country or region "XX": use a code such as ES or ES-MD. Usage: `/rota holidays ES[-MD] | none`',
    ],
    ["/rota add @nobody", "I don't know @nobody. Usage: `/rota add @x [after @y]`"],
    ["/rota remove @dee", "@dee is not in this room's rota. Usage: `/rota remove @x`"],
    ["/rota swap @ana", "Swap needs two people. Usage: `/rota swap @a @b`"],
    [
      "/rota away @bob 2026-12-31..2026-12-24",
      "The range 2026-12-31..2026-12-24 ends before it starts. Usage: `/rota away @x 2026-12-24..2026-12-31`",
    ],
    ["/rota skip", "Nobody is on duty yet today, so there is no turn to skip. Usage: `/rota skip`"],
    [
      "/rota days someday",
      '"someday" is not a list of days: use e.g. mon-fri or mon,tue,thu. Usage: `/rota days mon,tue,thu`',
    ],
  ])("%s → a private usage reply, and nothing changes", async (text, reply) => {
    const when = at(23, "07:30");
    const run = await runScenario([
      ...start,
      cmd(when, "bob", text),
      cmd(at(23, "07:31"), "bob", "/rota who"),
    ]);
    expect(replies(run.outputs, when)).toEqual([
      {
        at: new Date(when).toISOString(),
        action: "notice",
        room: ROOM,
        user: "bob",
        text: reply,
        source: "command.rota",
      },
    ]);
    const who = replies(run.outputs, at(23, "07:31"))[0]?.text;
    expect(who).toBe(
      "Nobody has been announced as responder today yet.\nNext:\n• Mon 23 Nov: @ana\n• Tue 24 Nov: @bob\n• Wed 25 Nov: @cy\n• Thu 26 Nov: @ana\n• Fri 27 Nov: @bob",
    );
  });

  it("a room without a rota, an empty rota, and a rota in a direct message", async () => {
    const run = await runScenario([
      cmd(at(23, "07:00"), "ana", "/rota who"),
      cmd(at(23, "07:01"), "ana", "/rota setup"),
      cmd(at(23, "07:02"), "ana", "/rota setup @bob", "dm:ana,bob"),
      cmd(at(23, "07:03"), "ana", "/rota setup @ana at 9"),
      { type: "room", at: at(23, "07:04"), room: ROOM, members: ["ana"] },
      cmd(at(23, "07:04"), "ana", "/rota setup @ana"),
      cmd(at(23, "07:05"), "ana", "/rota remove @ana"),
    ]);
    expect(run.outputs.map((o) => [o.action, o.text])).toEqual([
      ["notice", "This room has no rota yet: start one with `/rota setup @a @b @c`. Usage: `/rota who`"],
      [
        "notice",
        "A rota needs at least one @member. Usage: `/rota setup @a @b @c [at 09:30] [tz Europe/Madrid] [days mon-fri]`",
      ],
      [
        "notice",
        "A rota belongs in a team room, not a direct message. Usage: `/rota setup @a @b @c [at 09:30] [tz Europe/Madrid] [days mon-fri]`",
      ],
      [
        "notice",
        '"9" is not a time: use HH:MM, e.g. 09:30. Usage: `/rota setup @a @b @c [at 09:30] [tz Europe/Madrid] [days mon-fri]`',
      ],
      ["post", expect.stringMatching(/^@ana set up this room's rota: @ana,/)],
      // An empty rota is refused (docs/rota.md): a private problem, and nothing changes.
      [
        "notice",
        "@ana is the rota's last member: add someone first, or `/rota pause` it. Usage: `/rota remove @x`",
      ],
    ]);
  });
});

describe("changing the rota", () => {
  it("setup defaults to the caller's time zone, 09:00, mon-fri", async () => {
    const run = await runScenario(start);
    expect(run.outputs[0]?.text).toBe(
      "@ana set up this room's rota: @ana, @bob, @cy, announced at 09:00 Europe/Madrid on mon-fri. Next announcement: Mon 23 Nov at 09:00 (Europe/Madrid).",
    );
  });

  it("add after someone, remove, time, days, away and back shape the next turns", async () => {
    const run = await runScenario([
      ...start,
      cmd(at(23, "07:10"), "bob", "/rota add @dee after @ana"),
      cmd(at(23, "07:11"), "bob", "/rota remove @cy"),
      cmd(at(23, "07:12"), "bob", "/rota time 10:15 tz Europe/London"),
      cmd(at(23, "07:13"), "bob", "/rota days mon,wed,fri"),
      cmd(at(23, "07:14"), "bob", "/rota away @dee 2026-11-25"),
      cmd(at(23, "07:15"), "bob", "/rota who"),
      cmd(at(23, "07:16"), "bob", "/rota back @dee"),
      cmd(at(23, "07:17"), "bob", "/rota who"),
    ]);
    expect(run.outputs.filter((o) => o.action === "post").map((o) => o.text)).toEqual([
      expect.stringContaining("@ana set up"),
      "@bob added @dee to the rota, right after @ana.",
      "@bob removed @cy from the rota.",
      "@bob moved the announcement to 10:15 Europe/London. Next announcement: Mon 23 Nov at 10:15 (Europe/London).",
      "@bob set the rota's working days to mon,wed,fri. Next announcement: Mon 23 Nov at 10:15 (Europe/London).",
      "@bob marked @dee away on 2026-11-25: skipped then, keeping their place in line.",
      "@bob marked @dee back: they take turns again.",
    ]);
    const [away, back] = run.outputs.filter((o) => o.action === "notice").map((o) => o.text);
    expect(away).toBe(
      "Nobody has been announced as responder today yet.\nNext:\n• Mon 23 Nov: @ana\n• Wed 25 Nov: @bob\n• Fri 27 Nov: @dee\n• Mon 30 Nov: @ana\n• Wed 2 Dec: @bob",
    );
    expect(back).toBe(
      "Nobody has been announced as responder today yet.\nNext:\n• Mon 23 Nov: @ana\n• Wed 25 Nov: @dee\n• Fri 27 Nov: @bob\n• Mon 30 Nov: @ana\n• Wed 2 Dec: @dee",
    );
  });

  it("announce posts today's now (once), history and stats count the turns", async () => {
    const run = await runScenario([
      ...start,
      cmd(at(23, "07:30"), "cy", "/rota announce"),
      { type: "tick", at: at(26, "12:00") },
      cmd(at(26, "12:00"), "cy", "/rota announce"),
      cmd(at(26, "12:01"), "cy", "/rota history"),
      cmd(at(26, "12:02"), "cy", "/rota stats"),
    ]);
    const daily = run.outputs.filter((o) => o.source === "rota.announce" && o.action === "post");
    // 07:30 on demand for Monday (the 08:00 UTC timer then finds it claimed), then Tue-Thu, and a repeat.
    expect(daily.map((o) => [o.at.slice(0, 16), o.mentions?.[0]])).toEqual([
      ["2026-11-23T07:30", "ana"],
      ["2026-11-24T08:00", "bob"],
      ["2026-11-25T08:00", "cy"],
      ["2026-11-26T08:00", "ana"],
      ["2026-11-26T12:00", "ana"],
    ]);
    // The repeat changes nothing else: no second topic, group or hand-over.
    expect(run.outputs.filter((o) => o.action === "dm")).toHaveLength(4);
    const [history, stats] = run.outputs.filter((o) => o.action === "notice").map((o) => o.text);
    expect(history).toBe(
      "Last responders:\n• Thu 26 Nov: @ana\n• Wed 25 Nov: @cy\n• Tue 24 Nov: @bob\n• Mon 23 Nov: @ana",
    );
    expect(stats).toBe("Turns since 2026-08-29:\n• @ana: 2\n• @bob: 1\n• @cy: 1");
  });

  it("announce on a day the rota does not work is refused privately, and takes nobody's turn", async () => {
    // Saturday 28 November: not one of mon-fri.
    const run = await runScenario([
      ...start,
      { type: "tick", at: at(27, "12:00") },
      cmd(at(28, "10:00"), "cy", "/rota announce"),
      { type: "tick", at: at(30, "12:00") },
    ]);
    expect(replies(run.outputs, at(28, "10:00")).map((o) => [o.action, o.user, o.text])).toEqual([
      [
        "notice",
        "cy",
        "Today is not a working day for this rota (mon-fri), so there is nothing to announce; next announcement: Mon 30 Nov at 09:00 (Europe/Madrid). Usage: `/rota announce`",
      ],
    ]);
    // Monday's responder is the one next in line after Friday's, as if nobody had asked on Saturday.
    const daily = run.outputs.filter((o) => o.source === "rota.announce" && o.action === "post");
    expect(daily.map((o) => [o.at.slice(0, 10), o.mentions?.[0]])).toEqual([
      ["2026-11-23", "ana"],
      ["2026-11-24", "bob"],
      ["2026-11-25", "cy"],
      ["2026-11-26", "ana"],
      ["2026-11-27", "bob"],
      ["2026-11-30", "cy"],
    ]);
  });

  it("replacing a rota keeps its holidays and says so", async () => {
    const run = await runScenario([
      ...start,
      cmd(at(23, "07:01"), "ana", "/rota holidays ES"),
      cmd(at(23, "07:02"), "ana", "/rota setup @cy @bob at 08:30 days mon-thu"),
    ]);
    expect(run.outputs.at(-1)?.text).toBe(
      "@ana replaced this room's rota: @cy, @bob, announced at 08:30 Europe/Madrid on mon-thu, skipping ES public holidays. Next announcement: Mon 23 Nov at 08:30 (Europe/Madrid).",
    );
  });
});
