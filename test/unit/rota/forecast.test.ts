import { describe, expect, it } from "vitest";
import { nextDuty, upcomingTurns } from "../../../src/core/rota/forecast.js";
import { skipTurn, takeTurn } from "../../../src/core/rota/rotation.js";
import type { Rota, RotaState, Turn } from "../../../src/core/rota/store.js";
import { mkRota } from "../../helpers/rotas.js";

// Wednesday 25 November 2026; the rota announces at 09:30 in Madrid (08:30 UTC), Monday to Friday.
const BEFORE = new Date("2026-11-25T08:00:00Z");
const AFTER = new Date("2026-11-25T12:00:00Z");

function state(queue: string[], changes: Partial<Rota> = {}, extra: Partial<RotaState> = {}): RotaState {
  const rota = mkRota(changes);
  return { rota, queue, away: [], left: [], ...extra };
}

const turn = (date: string, responder: string, skipped: string[] = []): Turn => ({
  date,
  responder,
  announcedAt: AFTER,
  late: false,
  skipped,
});

describe("the next duty of a member", () => {
  it("is today when today's turn is still to come and theirs, then one working day each in line", () => {
    const s = state(["ana", "ben", "cy", "dee"]);
    expect(nextDuty(s, "ana", BEFORE, undefined)).toBe("2026-11-25");
    expect(nextDuty(s, "cy", BEFORE, undefined)).toBe("2026-11-27");
    // The weekend is not a working day: the fourth in line serves on Monday.
    expect(nextDuty(s, "dee", BEFORE, undefined)).toBe("2026-11-30");
  });

  it("starts tomorrow once today's turn is taken, and is today for whoever has it", () => {
    const taken = takeTurn(["ana", "ben"], () => true);
    const s = state(taken.queue);
    const today = turn("2026-11-25", taken.responder!);
    expect(nextDuty(s, "ana", AFTER, today)).toBe("2026-11-25");
    expect(nextDuty(s, "ben", AFTER, today)).toBe("2026-11-26");
    // Taken today, back at the end of the line: Friday.
    expect(upcomingTurns(s, AFTER, today, 2)).toEqual([
      { date: "2026-11-26", responder: "ben" },
      { date: "2026-11-27", responder: "ana" },
    ]);
  });

  it("passes over public holidays of the rota's calendar", () => {
    // Friday 4 December, after the announcement; Tuesday 8 December is a public holiday in Spain.
    const now = new Date("2026-12-04T12:00:00Z");
    const s = state(["ana", "ben", "cy"], { holidays: "ES" });
    expect(nextDuty(s, "ben", now, turn("2026-12-04", "zed"))).toBe("2026-12-09");
    expect(nextDuty(state(["ana", "ben", "cy"]), "ben", now, turn("2026-12-04", "zed"))).toBe("2026-12-08");
  });

  it("passes over someone while away, who keeps their place and serves first when back", () => {
    const s = state(
      ["ana", "ben", "cy"],
      {},
      { away: [{ member: "ben", from: "2026-11-26", to: "2026-11-27" }] },
    );
    expect(upcomingTurns(s, BEFORE, undefined, 4).map((t) => t.responder)).toEqual([
      "ana",
      "cy",
      "ana",
      "ben",
    ]);
    expect(nextDuty(s, "ben", BEFORE, undefined)).toBe("2026-11-30");
    expect(nextDuty(s, "cy", BEFORE, undefined)).toBe("2026-11-26");
  });

  it("puts today's skipper first in line for the next working day", () => {
    const taken = takeTurn(["ana", "ben", "cy"], () => true);
    const skipped = skipTurn(taken.queue, "ana", [], () => true);
    const s = state(skipped.queue);
    const today = turn("2026-11-25", skipped.responder!, ["ana"]);
    expect(today.responder).toBe("ben");
    expect(nextDuty(s, "ana", AFTER, today)).toBe("2026-11-26");
    expect(nextDuty(s, "cy", AFTER, today)).toBe("2026-11-27");
  });

  it("is none for a paused rota, someone gone from the room, or someone not in the rota", () => {
    expect(nextDuty(state(["ana", "ben"], { paused: true }), "ana", BEFORE, undefined)).toBeUndefined();
    expect(nextDuty(state(["ana", "ben"], {}, { left: ["ben"] }), "ben", BEFORE, undefined)).toBeUndefined();
    expect(nextDuty(state(["ana", "ben"]), "zed", BEFORE, undefined)).toBeUndefined();
  });

  it("reads the days in the rota's zone, not UTC's", () => {
    // 23:30 UTC on Friday is already Saturday in Auckland: the next working day there is Monday.
    const now = new Date("2026-11-27T23:30:00Z");
    const s = state(["ana"], { zone: "Pacific/Auckland" });
    expect(nextDuty(s, "ana", now, undefined)).toBe("2026-11-30");
    expect(nextDuty(state(["ana"], { zone: "America/Los_Angeles" }), "ana", now, undefined)).toBe(
      "2026-11-30",
    );
  });
});
