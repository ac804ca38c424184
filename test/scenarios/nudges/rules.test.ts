import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { LocalPlatform } from "../../../src/adapters/local/local-platform.js";
import { replayLines } from "../../../src/adapters/local/replay.js";
import type { Action } from "../../../src/core/actions.js";
import { shareOfferOf } from "../../../src/core/nudges/share.js";
import { silentLogger } from "../../../src/logging.js";
import { openDatabase } from "../../../src/storage/database.js";
import { runScenario, ScenarioSession, scenarioConfig } from "../../helpers/scenario.js";
import { at, backAndForth, cmd, msg, user } from "./helpers.js";

const nudges = <T extends { source: string }>(outputs: T[]) =>
  outputs.filter((o) => o.source.startsWith("nudge."));
const HARSH = "you are useless, this is ridiculous";

describe("DM → channel", () => {
  const setup = [
    msg(0, "ana", "#payments", "morning"),
    msg(0, "bob", "#payments", "morning"),
    msg(1, "ana", "#random", "cat pictures"),
  ];

  it("suggests privately the public room both use, once per pair per day, and never for small talk", async () => {
    const { outputs } = await runScenario([
      ...setup,
      msg(2, "ana", "dm:ana,bob", "want to grab lunch on friday?"),
      msg(3, "ana", "dm:ana,bob", "how do I rerun the failed deploy on staging?"),
      msg(3, "bob", "dm:ana,bob", "not sure"),
      msg(4, "ana", "dm:ana,bob", "and where is the config for the payment api?"),
      msg(300, "ana", "dm:ana,bob", "can you review my pull request for the invoice export?"),
      { ...msg(0, "ana", "dm:ana,bob", "is the release branch frozen?"), at: "2026-11-26T10:00:00.000Z" },
    ]);
    const tips = nudges(outputs);
    expect(tips.map((t) => [t.source, t.at])).toEqual([
      ["nudge.dm-to-channel", at(3)],
      ["nudge.dm-to-channel", "2026-11-26T10:00:00.000Z"],
    ]);
    expect(tips[0]).toMatchObject({ action: "notice", user: "ana", room: "dm:ana,bob" });
    expect(tips[0]!.text).toMatch(/#payments/);
  });

  it("reposts the question in the suggested room with /share, and only when asked", async () => {
    const { outputs } = await runScenario([
      ...setup,
      msg(2, "ana", "dm:ana,bob", "how do I rerun the failed deploy on staging?"),
      cmd(3, "ana", "dm:ana,bob", "/share how do I rerun a failed staging deploy?"),
      cmd(4, "ana", "dm:ana,bob", "/share again"),
    ]);
    const posts = outputs.filter((o) => o.action === "post");
    expect(posts).toEqual([
      expect.objectContaining({
        room: "#payments",
        source: "nudge.dm-to-channel.share",
        mentions: ["ana"],
        text: "@ana asks: how do I rerun a failed staging deploy?",
      }),
    ]);
    expect(outputs.at(-1)).toMatchObject({
      action: "notice",
      user: "ana",
      text: expect.stringMatching(/no suggested question/),
    });
  });

  it("never writes the DM's text to the database", async () => {
    // Not a credential question: those are never suggested at all (personal-matters.ts).
    const secret = "how do I restart the zebra-42 database replica on prod?";
    const session = await new ScenarioSession().open();
    try {
      await session.feed([
        ...setup,
        msg(2, "ana", "dm:ana,bob", secret),
        msg(3, "ana", "dm:ana,bob", "hi"),
        { type: "tick", at: at(5) },
      ]);
      expect(nudges(session.outputs).length).toBeGreaterThanOrEqual(2);
      const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
        session.db.db,
      );
      for (const { name } of tables.rows) {
        const rows = await sql`select * from ${sql.table(name)}`.execute(session.db.db);
        expect(JSON.stringify(rows.rows)).not.toMatch(/zebra-42/);
      }
    } finally {
      await session.close();
    }
  });
});

describe("rules for all nudges", () => {
  it("never reacts to a bot's messages", async () => {
    const { outputs } = await runScenario([
      user("ci-bot", { bot: true }),
      msg(0, "ci-bot", "#team", "BUILD FAILED!!! this is ridiculous, useless tests"),
      msg(1, "ci-bot", "dm:ana,ci-bot", "hi"),
      { type: "tick", at: at(5) },
    ]);
    expect(nudges(outputs)).toEqual([]);
  });

  it("respects a mute, for one kind or all, until it ends or is lifted", async () => {
    const { outputs } = await runScenario([
      cmd(0, "ana", "#team", "/outloud mute be-kind for 1h"),
      msg(1, "ana", "#team", HARSH),
      msg(61, "ana", "#team", HARSH),
      cmd(62, "bob", "#team", "/outloud mute"),
      msg(63, "bob", "#team", HARSH),
      cmd(64, "bob", "#team", "/outloud unmute"),
      msg(65, "bob", "#team", HARSH),
    ]);
    expect(nudges(outputs).map((o) => [o.user, o.at])).toEqual([
      ["ana", at(61)],
      ["bob", at(65)],
    ]);
    expect(outputs.filter((o) => o.source === "command.outloud").map((o) => o.text)).toEqual([
      expect.stringMatching(/^Muted be-kind nudges for you until 2026-11-25 11:00 UTC/),
      expect.stringMatching(/^Muted all nudges/),
      "Unmuted all nudges.",
    ]);
  });

  it("keeps a cooldown per person and kind", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "#team", HARSH),
      msg(30, "ana", "#team", HARSH),
      msg(300, "ana", "#team", HARSH),
    ]);
    expect(nudges(outputs).map((o) => o.at)).toEqual([at(0), at(300)]);
  });

  it("caps nudges per person per day, and the cap survives a restart", async () => {
    const session = await new ScenarioSession().open();
    try {
      await session.feed([
        user("kenji", { tz: "Asia/Tokyo" }),
        msg(0, "ana", "#team", HARSH),
        msg(1, "ana", "#team", "@kenji see above"),
        msg(2, "ana", "dm:ana,bob", "hello"),
        { type: "tick", at: at(5) },
      ]);
      expect(nudges(session.outputs)).toHaveLength(3);
      await session.restart(at(10));
      const after = await session.feed([
        msg(11, "ana", "#team", "@here anyone around?"),
        { type: "room", at: at(12), room: "#all", members: ["ana", "a", "b", "c", "d", "e", "f", "g"] },
        msg(13, "ana", "#all", "@channel the office is closed"),
        { ...msg(0, "ana", "#team", HARSH), at: "2026-11-26T10:00:00.000Z" },
      ]);
      // Nothing more that day; the next day she can be nudged again.
      expect(nudges(after).map((o) => o.at)).toEqual(["2026-11-26T10:00:00.000Z"]);
    } finally {
      await session.close();
    }
  });

  it("a public thread suggestion mentions only those under the cap, naming the others plainly", async () => {
    const { outputs } = await runScenario(backAndForth(0, "ana", "bob", "#team", 8), {
      settings: { nudges: { dailyCap: 0 } },
    });
    expect(nudges(outputs)).toEqual([]);
    const session = await new ScenarioSession().open();
    try {
      await session.feed([
        msg(0, "bob", "#x", HARSH),
        msg(300, "bob", "#x", HARSH),
        msg(600, "bob", "#x", HARSH),
      ]);
      const out = await session.feed(backAndForth(700, "ana", "bob", "#team", 8));
      const suggestion = out.find((o) => o.source === "nudge.channel-to-thread");
      expect(suggestion?.mentions).toEqual(["ana"]);
      expect(suggestion?.text).toMatch(/^@ana and bob,/);
    } finally {
      await session.close();
    }
  });

  it("can be switched off per room, per nudge in a room, and for the whole workspace", async () => {
    const lines = [
      msg(0, "ana", "#random", HARSH),
      msg(1, "bob", "#support", HARSH),
      ...backAndForth(2, "cai", "dee", "#support", 8),
    ];
    const perRoom = await runScenario(lines, {
      settings: {
        nudges: { rooms: { random: { enabled: false }, support: { "be-kind": { enabled: false } } } },
      },
    });
    expect(nudges(perRoom.outputs).map((o) => o.source)).toEqual(["nudge.channel-to-thread"]);
    const off = await runScenario(lines, { settings: { nudges: { enabled: false } } });
    expect(nudges(off.outputs)).toEqual([]);
  });

  it("gives a busy room at most roomCapPerDay tone notes a day, when a room asks for a cap", async () => {
    // Four people are harsh in #ubuntu within the hour, and one in #team: the cap is per room.
    const lines = [
      msg(0, "ana", "#ubuntu", HARSH),
      msg(1, "bob", "#ubuntu", HARSH),
      msg(2, "cai", "#ubuntu", HARSH),
      msg(3, "dee", "#team", HARSH),
      msg(24 * 60 + 5, "eve", "#ubuntu", HARSH),
    ];
    const capped = await runScenario(lines, {
      settings: { nudges: { rooms: { ubuntu: { "be-kind": { roomCapPerDay: 2 } } } } },
    });
    expect(nudges(capped.outputs).map((o) => o.user)).toEqual(["ana", "bob", "dee", "eve"]);
    const uncapped = await runScenario(lines);
    expect(nudges(uncapped.outputs).map((o) => o.user)).toEqual(["ana", "bob", "cai", "dee", "eve"]);
  });

  it("speaks less in a busy room: only harshness aimed at someone, and once a day", async () => {
    const OATH = "wtf, the build is red again";
    // #ubuntu has had a message a minute for a quarter of an hour, from many people; #team is quiet.
    const chatter = Array.from({ length: 15 }, (_, i) =>
      msg(i, `asker${i}`, "#ubuntu", "does anyone know how to mount a second drive at boot?"),
    );
    const lines = [
      ...chatter,
      msg(15, "zed", "#ubuntu", OATH),
      msg(16, "ana", "#ubuntu", HARSH),
      msg(17, "bob", "#ubuntu", HARSH),
      msg(17, "cai", "#team", OATH),
    ];
    const { outputs } = await runScenario(lines);
    expect(nudges(outputs).map((o) => `${o.user} ${o.source}`)).toEqual([
      "ana nudge.be-kind",
      "cai nudge.be-kind",
    ]);
    // The same room at half that pace is not busy: the oath and both harsh messages get their notes.
    const calmer = await runScenario([...chatter.filter((_, i) => i % 2 === 0), ...lines.slice(15)]);
    expect(nudges(calmer.outputs).map((o) => o.user)).toEqual(["zed", "ana", "bob", "cai"]);
    // A room that wants every note can say so.
    const everyNote = await runScenario(lines, {
      settings: { nudges: { "be-kind": { busyRoomPerMinute: 0 } } },
    });
    expect(nudges(everyNote.outputs).map((o) => o.user)).toEqual(["zed", "ana", "bob", "cai"]);
  });

  it("can be tuned per room", async () => {
    const lines = backAndForth(0, "ana", "bob", "#support", 8);
    const tuned = await runScenario(lines, {
      settings: { nudges: { rooms: { support: { "channel-to-thread": { minMessages: 12 } } } } },
    });
    expect(nudges(tuned.outputs)).toEqual([]);
  });

  it("rejects an unknown nudge setting as a likely typo", async () => {
    await expect(runScenario([], { settings: { nudges: { "be-kind": { harshScor: -3 } } } })).rejects.toThrow(
      /harshScor/,
    );
  });

  it("explains privately what it keeps and for how long", async () => {
    const { outputs } = await runScenario([cmd(0, "ana", "#team", "/outloud privacy")], {
      settings: { privacy: { retentionDays: 14 } },
    });
    expect(outputs).toHaveLength(1);
    expect(outputs[0]).toMatchObject({ action: "notice", user: "ana" });
    expect(outputs[0]!.text).toMatch(/deleted after 14 days/);
    expect(outputs[0]!.text).toMatch(/never stores the text of DMs/);
  });

  it("sets and shows personal working hours, with a usage reply for nonsense", async () => {
    const { outputs } = await runScenario([
      cmd(0, "ana", "#team", "/outloud hours 08:00-16:00 mon-thu"),
      cmd(1, "ana", "#team", "/outloud hours"),
      cmd(2, "ana", "#team", "/outloud hours eight to four"),
    ]);
    expect(outputs.map((o) => o.text)).toEqual([
      "Your working hours are now 08:00-16:00 mon-thu (UTC).",
      "Your working hours: 08:00-16:00 mon-thu (UTC).",
      expect.stringMatching(/Usage: `\/outloud hours/),
    ]);
    expect(outputs.every((o) => o.action === "notice")).toBe(true);
  });
});

describe("once means once, across restarts", () => {
  it("suggests a call in a thread only once, even after a restart", async () => {
    const session = await new ScenarioSession().open();
    try {
      const thread = (lines: Record<string, unknown>[]) => lines.map((l) => ({ ...l, thread: "root1" }));
      await session.feed(thread(backAndForth(0, "ana", "bob", "#team", 8)));
      expect(nudges(session.outputs).map((o) => o.source)).toEqual(["nudge.thread-to-call"]);
      await session.restart(at(10));
      const after = await session.feed(thread(backAndForth(11, "ana", "bob", "#team", 24)));
      expect(nudges(after)).toEqual([]);
    } finally {
      await session.close();
    }
  });
});

describe("the Slack share button's data", () => {
  it("rides on the DM → channel notice as `share`: the target room and the DM message's id, no text", async () => {
    const db = await openDatabase({ url: ":memory:" });
    const actions: Action[] = [];
    const platform = new LocalPlatform({
      app: { config: scenarioConfig(), db, log: silentLogger },
      onAction: (_o, action) => actions.push(action),
    });
    try {
      const question = msg(2, "ana", "dm:ana,bob", "how do I rerun the failed deploy on staging?");
      await replayLines(
        [msg(0, "ana", "#payments", "morning"), msg(0, "bob", "#payments", "morning"), question].map((l) =>
          JSON.stringify(l),
        ),
        platform,
      );
      const offers = actions.map(shareOfferOf).filter(Boolean);
      expect(offers).toEqual([
        { room: expect.objectContaining({ id: "#payments", kind: "public" }), message: question.id },
      ]);
      expect(JSON.stringify(offers)).not.toMatch(/staging/);
    } finally {
      await platform.stop();
      await db.close();
    }
  });
});

describe("mutes and working hours in the person's own terms", () => {
  it("tells when a mute ends in the person's time zone", async () => {
    const { outputs } = await runScenario([
      user("ana", { tz: "Europe/Madrid" }),
      cmd(0, "ana", "#team", "/outloud mute for 2h"),
    ]);
    // 10:00 UTC + 2 h is 13:00 in Madrid (UTC+1 in November).
    expect(outputs.map((o) => o.text)).toEqual([
      "Muted all nudges for you until 2026-11-25 13:00 Europe/Madrid.",
    ]);
  });

  it("keeps the person's working days when only the times change", async () => {
    const { outputs } = await runScenario([
      cmd(0, "ana", "#team", "/outloud hours 08:00-16:00 mon-thu"),
      cmd(1, "ana", "#team", "/outloud hours 16:00-08:00"),
      cmd(2, "ana", "#team", "/outloud hours"),
    ]);
    expect(outputs.map((o) => o.text)).toEqual([
      "Your working hours are now 08:00-16:00 mon-thu (UTC).",
      "Your working hours are now 16:00-08:00 mon-thu (UTC).",
      "Your working hours: 16:00-08:00 mon-thu (UTC).",
    ]);
  });
});
