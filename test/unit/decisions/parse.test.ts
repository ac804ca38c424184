import { describe, expect, it } from "vitest";
import { retryDelay } from "../../../src/core/decisions/outbox-worker.js";
import {
  parseDate,
  parseList,
  parseOneId,
  parseSupersede,
  textAfterWords,
} from "../../../src/core/decisions/parse.js";

describe("/decision list arguments", () => {
  it("reads a room and a since date in any order", () => {
    expect(parseList([])).toEqual({ ok: true, value: {} });
    expect(parseList(["#team", "since", "2026-10-01"])).toEqual({
      ok: true,
      value: { room: "#team", since: new Date("2026-10-01T00:00:00Z") },
    });
    expect(parseList(["since", "2026-10-01", "~ops"])).toMatchObject({ ok: true, value: { room: "~ops" } });
  });

  it("names what is wrong", () => {
    expect(parseList(["since"])).toEqual({ ok: false, problem: "since needs a date like 2026-10-01" });
    expect(parseList(["since", "2026-02-30"])).toEqual({
      ok: false,
      problem: "since needs a date like 2026-10-01",
    });
    expect(parseList(["team"])).toEqual({ ok: false, problem: 'unexpected "team"' });
    expect(parseList(["#a", "#b"])).toEqual({ ok: false, problem: 'unexpected "#b"' });
  });

  it("reads dates strictly", () => {
    expect(parseDate("2026-10-01")).toEqual(new Date("2026-10-01T00:00:00Z"));
    expect(parseDate("2026-13-01")).toBeUndefined();
    expect(parseDate("01/10/2026")).toBeUndefined();
  });
});

describe("decision ids in commands", () => {
  it("takes exactly one id", () => {
    expect(parseOneId(["D-12"])).toEqual({ ok: true, value: { number: 12 } });
    expect(parseOneId([])).toMatchObject({ ok: false });
    expect(parseOneId(["D-12", "now"])).toEqual({ ok: false, problem: 'unexpected "now"' });
    expect(parseOneId(["twelve"])).toEqual({ ok: false, problem: '"twelve" is not a decision id like D-12' });
  });

  it("supersede needs an id and a new text", () => {
    expect(parseSupersede(["D-3", "Use", "Kafka"])).toEqual({ ok: true, value: { number: 3 } });
    expect(parseSupersede(["D-3"])).toEqual({
      ok: false,
      problem: "say what the new decision is, after its id",
    });
  });
});

describe("textAfterWords", () => {
  it("keeps the text as typed after the command words", () => {
    expect(textAfterWords('decision Use "quotes" and  spacing.\nSecond line', 1)).toBe(
      'Use "quotes" and  spacing.\nSecond line',
    );
    expect(textAfterWords("decision supersede D-2   New text", 3)).toBe("New text");
    expect(textAfterWords("decision", 1)).toBe("");
  });
});

describe("retry backoff", () => {
  it("doubles from the first delay up to the maximum", () => {
    const policy = { attempts: 6, firstDelayMs: 60_000, maxDelayMs: 600_000, leaseMs: 1 };
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelay(policy, a) / 60_000)).toEqual([1, 2, 4, 8, 10, 10]);
  });
});
