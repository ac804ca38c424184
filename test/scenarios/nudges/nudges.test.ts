import { describe, expect, it } from "vitest";
import { runScenario } from "../../helpers/scenario.js";
import { at, backAndForth, cmd, msg, user } from "./helpers.js";

const bySource = <T extends { source: string }>(outputs: T[], source: string) =>
  outputs.filter((o) => o.source === source);

describe("channel → thread", () => {
  it("suggests once, in a thread on the message, mentioning the two people", async () => {
    const { outputs } = await runScenario(backAndForth(0, "ana", "bob", "#team", 10));
    const suggestions = bySource(outputs, "nudge.channel-to-thread");
    expect(suggestions).toHaveLength(1);
    expect(suggestions[0]).toMatchObject({ action: "reply", room: "#team", mentions: ["ana", "bob"] });
    expect(suggestions[0]!.thread).toBe(suggestions[0]!.about);
    expect(suggestions[0]!.text).toMatch(/thread/);
    expect(suggestions[0]!.text).toMatch(/mute channel-to-thread/);
  });

  it("stays quiet for small talk among many people and for replies already in a thread", async () => {
    const crowd = ["a", "b", "c", "d", "e", "f", "g", "h"].map((u, i) =>
      msg(i, u, "#team", "happy friday everyone"),
    );
    const inThread = backAndForth(10, "ana", "bob", "#team", 10).map((l) => ({ ...l, thread: "root1" }));
    const { outputs } = await runScenario([...crowd, ...inThread]);
    expect(bySource(outputs, "nudge.channel-to-thread")).toEqual([]);
  });
});

describe("thread → call", () => {
  it("posts a call link once in a thread with 8 quick back-and-forth replies", async () => {
    const lines = backAndForth(0, "ana", "bob", "#team", 12).map((l) => ({ ...l, thread: "root1" }));
    const { outputs } = await runScenario(lines);
    const calls = bySource(outputs, "nudge.thread-to-call");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ action: "reply", room: "#team", thread: "root1" });
    expect(calls[0]!.text).toMatch(/https:\/\/meet\.jit\.si\/outloud-team-[0-9a-f]{10}/);
    expect(calls[0]!.text).toMatch(/\/decision/);
  });

  it("uses the configured link template", async () => {
    const lines = backAndForth(0, "ana", "bob", "#team", 8).map((l) => ({ ...l, thread: "root1" }));
    const { outputs } = await runScenario(lines, {
      settings: { nudges: { "thread-to-call": { linkTemplate: "https://call.element.io/{name}" } } },
    });
    expect(bySource(outputs, "nudge.thread-to-call")[0]!.text).toMatch(
      /https:\/\/call\.element\.io\/outloud-team-/,
    );
  });
});

describe("no hello", () => {
  it("tips privately after a bare greeting followed by a minute of silence", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "dm:ana,bob", "hi 👋"),
      { type: "tick", at: at(2) },
    ]);
    const tips = bySource(outputs, "nudge.no-hello");
    expect(tips).toHaveLength(1);
    expect(tips[0]).toMatchObject({ action: "notice", user: "ana", room: "dm:ana,bob", at: at(1) });
  });

  it("says nothing when the question follows within the minute, or came with the greeting", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "dm:ana,bob", "hi"),
      { ...msg(0, "ana", "dm:ana,bob", "can you check the release notes?"), at: at(0, 20) },
      msg(5, "carol", "dm:bob,carol", "hey, is the build green?"),
      { type: "tick", at: at(10) },
    ]);
    expect(bySource(outputs, "nudge.no-hello")).toEqual([]);
  });
});

describe("impatient pings", () => {
  it("tips the pinger after 3 unanswered mentions in 10 minutes, with the other's local time when away", async () => {
    const { outputs } = await runScenario([
      user("bob", { tz: "Asia/Tokyo" }),
      msg(0, "ana", "#team", "@bob can you look at the invoice?"),
      msg(2, "ana", "#team", "@bob ?"),
      msg(4, "ana", "#team", "@bob ping"),
    ]);
    const tips = bySource(outputs, "nudge.impatient-pings");
    expect(tips).toHaveLength(1);
    expect(tips[0]).toMatchObject({ action: "notice", user: "ana" });
    expect(tips[0]!.text).toMatch(/19:04 \(Wed\) for them, outside their working hours/);
  });

  it("counts DMs too, and an answer resets the count", async () => {
    const dm = await runScenario([
      msg(0, "ana", "dm:ana,bob", "are you there?"),
      msg(1, "ana", "dm:ana,bob", "need the numbers"),
      msg(2, "ana", "dm:ana,bob", "for the report"),
    ]);
    expect(bySource(dm.outputs, "nudge.impatient-pings")).toHaveLength(1);
    const answered = await runScenario([
      msg(0, "ana", "#team", "@bob can you look at the invoice?"),
      msg(1, "bob", "#team", "on it"),
      msg(2, "ana", "#team", "@bob thanks, and the other one?"),
      msg(4, "ana", "#team", "@bob also the third"),
    ]);
    expect(bySource(answered.outputs, "nudge.impatient-pings")).toEqual([]);
  });
});

describe("out of hours", () => {
  it("notes privately that a mentioned person is outside their working hours", async () => {
    const { outputs } = await runScenario([
      user("kenji", { tz: "Asia/Tokyo" }),
      msg(0, "ana", "#team", "@kenji the deploy is done"),
    ]);
    const notes = bySource(outputs, "nudge.out-of-hours");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ action: "notice", user: "ana", room: "#team" });
    expect(notes[0]!.text).toMatch(/@kenji \(19:00 \(Wed\) for them\)/);
  });

  it("stays quiet within their hours, for personal hours that cover now, and for someone active a moment ago", async () => {
    const { outputs } = await runScenario([
      user("kenji", { tz: "Asia/Tokyo" }),
      user("lee", { tz: "Asia/Tokyo" }),
      msg(0, "ana", "#team", "@bob the deploy is done"),
      cmd(1, "kenji", "#team", "/outloud hours 15:00-23:00 mon-fri"),
      msg(2, "ana", "#team", "@kenji the deploy is done"),
      msg(3, "lee", "#team", "still up, fixing the build"),
      msg(4, "carol", "#team", "@lee thanks!"),
    ]);
    expect(bySource(outputs, "nudge.out-of-hours")).toEqual([]);
  });
});

describe("@channel / @here / @room", () => {
  it("tells the sender privately how many people it notified and how many are off hours", async () => {
    const members = ["ana", "b1", "b2", "b3", "b4", "b5", "b6", "kenji"];
    const { outputs } = await runScenario([
      user("kenji", { tz: "Asia/Tokyo" }),
      { type: "room", at: at(0), room: "#all", members },
      msg(0, "ana", "#all", "@here the office is closed tomorrow"),
    ]);
    const tips = bySource(outputs, "nudge.broadcast");
    expect(tips).toHaveLength(1);
    expect(tips[0]).toMatchObject({ action: "notice", user: "ana" });
    expect(tips[0]!.text).toMatch(/@here just notified 7 people \(1 of them outside working hours\)/);
  });

  it("leaves small rooms alone", async () => {
    const { outputs } = await runScenario([
      { type: "room", at: at(0), room: "#small", members: ["ana", "bob"] },
      msg(0, "ana", "#small", "@channel lunch?"),
    ]);
    expect(bySource(outputs, "nudge.broadcast")).toEqual([]);
  });
});

describe("be kind", () => {
  it("sends a private, gentle note about a harsh message, never a public one", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "#team", "WHO BROKE THE BUILD AGAIN?!!! this is ridiculous, you are useless"),
    ]);
    expect(outputs.every((o) => o.action === "notice")).toBe(true);
    const notes = bySource(outputs, "nudge.be-kind");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ user: "ana", room: "#team" });
  });

  it("says nothing about ordinary messages", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "#team", "the build is broken again, looking into it"),
      msg(1, "bob", "#team", "thanks!!! you rock"),
    ]);
    expect(bySource(outputs, "nudge.be-kind")).toEqual([]);
  });
});

describe("social", () => {
  it("is off by default", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "#random", "hello"),
      { type: "tick", at: "2026-12-05T00:00:00Z" },
    ]);
    expect(bySource(outputs, "nudge.social")).toEqual([]);
  });

  it("announces a weekly open call in the chosen room when switched on", async () => {
    const { outputs } = await runScenario(
      [msg(0, "ana", "#random", "hello"), { type: "tick", at: "2026-12-05T00:00:00Z" }],
      {
        settings: { nudges: { social: { enabled: true, room: "random", day: "fri", time: "15:00" } } },
      },
    );
    const posts = bySource(outputs, "nudge.social");
    expect(posts.map((p) => p.at)).toEqual(["2026-11-27T15:00:00.000Z", "2026-12-04T15:00:00.000Z"]);
    expect(posts[0]).toMatchObject({ action: "post", room: "#random" });
    expect(posts[0]!.text).toMatch(/https:\/\/meet\.jit\.si\/outloud-social-random/);
  });
});
