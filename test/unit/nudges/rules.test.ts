import { describe, expect, it } from "vitest";
import { parseDuration, parseHoursArgs, parseMute, parseUnmute } from "../../../src/core/nudges/commands.js";
import { answersPings, type PingState, recordPing } from "../../../src/core/nudges/impatient-pings.js";
import { nextSocialCall } from "../../../src/core/nudges/social.js";
import {
  callLink,
  observeThreadReply,
  stableCallName,
  type ThreadState,
} from "../../../src/core/nudges/thread-to-call.js";
import { isWorkingTime, localDate, parseHours } from "../../../src/core/nudges/working-hours.js";

const nineToSix = { start: "09:00", end: "18:00", days: [1, 2, 3, 4, 5] };

describe("working hours", () => {
  it("reads hours in the person's own time zone", () => {
    const at = new Date("2026-11-25T17:30:00Z"); // a Wednesday
    expect(isWorkingTime(at, "Europe/London", nineToSix)).toBe(true);
    expect(isWorkingTime(at, "Europe/Berlin", nineToSix)).toBe(false); // 18:30 there
    expect(isWorkingTime(at, "America/New_York", nineToSix)).toBe(true);
    expect(isWorkingTime(new Date("2026-11-28T12:00:00Z"), "UTC", nineToSix)).toBe(false); // Saturday
  });

  it("handles a night shift past midnight, and unknown zones as UTC", () => {
    const night = { start: "22:00", end: "06:00", days: [1] };
    expect(isWorkingTime(new Date("2026-11-23T23:00:00Z"), "UTC", night)).toBe(true); // Monday 23:00
    expect(isWorkingTime(new Date("2026-11-24T05:00:00Z"), "UTC", night)).toBe(true); // Tuesday 05:00, Monday's shift
    expect(isWorkingTime(new Date("2026-11-24T23:00:00Z"), "UTC", night)).toBe(false);
    expect(isWorkingTime(new Date("2026-11-25T10:00:00Z"), "Not/AZone", nineToSix)).toBe(true);
  });

  it("counts days in local time", () => {
    expect(localDate(new Date("2026-11-25T23:30:00Z"), "Asia/Tokyo")).toBe("2026-11-26");
  });

  it("parses /outloud hours arguments and names the problem otherwise", () => {
    expect(parseHours("08:00-16:00", "mon-thu")).toEqual({
      start: "08:00",
      end: "16:00",
      days: [1, 2, 3, 4],
    });
    expect(parseHoursArgs(["8:30-17:00"])).toEqual({
      ok: true,
      // Without days, the person's current days are kept (the command fills them in).
      value: { hours: { start: "08:30", end: "17:00", days: [1, 2, 3, 4, 5] }, keepDays: true },
    });
    expect(parseHoursArgs([])).toEqual({ ok: true, value: {} });
    expect(parseHoursArgs(["25:00-16:00"]).ok).toBe(false);
    expect(parseHoursArgs(["08:00-16:00", "someday"]).ok).toBe(false);
    expect(parseHoursArgs(["08:00-08:00"]).ok).toBe(false);
  });
});

describe("mute commands", () => {
  it("parses kind and duration", () => {
    expect(parseMute([])).toEqual({ ok: true, value: { kind: "all" } });
    expect(parseMute(["be-kind"])).toEqual({ ok: true, value: { kind: "be-kind" } });
    expect(parseMute(["for", "7d"])).toEqual({ ok: true, value: { kind: "all", minutes: 7 * 24 * 60 } });
    expect(parseMute(["no-hello", "for", "12h"])).toEqual({
      ok: true,
      value: { kind: "no-hello", minutes: 720 },
    });
    expect(parseUnmute(["be-kind"])).toEqual({ ok: true, value: { kind: "be-kind" } });
  });

  it("refuses unknown kinds and bad durations with a reason", () => {
    const bad = parseMute(["everything"]);
    expect(bad.ok || bad.problem).toMatch(/not a nudge/);
    expect(parseMute(["all", "for", "ever"]).ok).toBe(false);
    expect(parseMute(["all", "7d"]).ok).toBe(false);
    expect(parseDuration("0d")).toBeUndefined();
    expect(parseDuration("30m")).toBe(30);
    expect(parseUnmute(["x"]).ok).toBe(false);
  });
});

describe("thread → call", () => {
  const rules = { maxReplies: 20, pairReplies: 8, pairWindowMinutes: 30, heatedMessages: 2 };
  const fresh = (): ThreadState => ({ replies: 0, recent: [], harsh: 0, done: false });
  const at = (min: number) => new Date(Date.parse("2026-11-25T10:00:00Z") + min * 60_000);

  it("fires at 8 back-and-forth replies between two people within 30 minutes", () => {
    const s = fresh();
    const reasons = Array.from({ length: 8 }, (_, i) =>
      observeThreadReply(s, { at: at(i), author: i % 2 ? "a" : "b", harsh: false }, rules),
    );
    expect(reasons.slice(0, 7).every((r) => r === undefined)).toBe(true);
    expect(reasons[7]).toBe("back-and-forth");
  });

  it("fires at 20 replies among many people, and when heated", () => {
    const s = fresh();
    const reasons = Array.from({ length: 20 }, (_, i) =>
      observeThreadReply(s, { at: at(i * 5), author: `p${i % 5}`, harsh: false }, rules),
    );
    expect(reasons.indexOf("long")).toBe(19);
    const h = fresh();
    observeThreadReply(h, { at: at(0), author: "a", harsh: true }, rules);
    expect(observeThreadReply(h, { at: at(1), author: "b", harsh: true }, rules)).toBe("heated");
  });

  it("does not count slow ping-pong spread over hours", () => {
    const s = fresh();
    const reasons = Array.from({ length: 10 }, (_, i) =>
      observeThreadReply(s, { at: at(i * 10), author: i % 2 ? "a" : "b", harsh: false }, rules),
    );
    expect(reasons.filter(Boolean)).toEqual([]);
  });

  it("builds a stable call link that reveals nothing of the thread", () => {
    const a = stableCallName("T1", "Team Payments", "1700000000.000100");
    expect(stableCallName("T1", "Team Payments", "1700000000.000100")).toBe(a);
    expect(stableCallName("T1", "Team Payments", "1700000000.000200")).not.toBe(a);
    expect(a).toMatch(/^outloud-team-payments-[0-9a-f]{10}$/);
    expect(
      callLink("https://meet.jit.si/{name}", { name: a, workspace: "T1", room: "C1", thread: "x" }),
    ).toBe(`https://meet.jit.si/${a}`);
  });
});

describe("impatient pings", () => {
  it("counts unanswered pings within the window only", () => {
    const s: PingState = { times: [], rooms: new Set() };
    const rules = { pings: 3, windowMinutes: 10 };
    const t = (m: number) => new Date(Date.parse("2026-11-25T10:00:00Z") + m * 60_000);
    expect(recordPing(s, t(0), "#a", rules)).toBe(false);
    expect(recordPing(s, t(11), "#a", rules)).toBe(false);
    expect(recordPing(s, t(12), "#a", rules)).toBe(false);
    expect(recordPing(s, t(13), "#a", rules)).toBe(true);
    expect(answersPings({ user: "bob", room: { id: "#a" }, mentions: [] }, "ana", s)).toBe(true);
    expect(answersPings({ user: "bob", room: { id: "#b" }, mentions: [] }, "ana", s)).toBe(false);
    expect(answersPings({ user: "bob", room: { id: "#b" }, mentions: ["ana"] }, "ana", s)).toBe(true);
  });
});

describe("social call", () => {
  it("is next on the chosen weekday and time in the chosen zone", () => {
    const wed = new Date("2026-11-25T12:00:00Z");
    expect(nextSocialCall(wed, "fri", "15:00", "Europe/Madrid").toISOString()).toBe(
      "2026-11-27T14:00:00.000Z",
    );
    const friAfter = new Date("2026-11-27T14:00:00Z");
    expect(nextSocialCall(friAfter, "fri", "15:00", "Europe/Madrid").toISOString()).toBe(
      "2026-12-04T14:00:00.000Z",
    );
  });
});
