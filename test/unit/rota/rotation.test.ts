import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMember, forecast, skipTurn, swapTurns, takeTurn } from "../../../src/core/rota/rotation.js";

const everyone = () => true;

describe("rotation queue", () => {
  it("always gives the turn to the available person who has waited longest", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 3 }), {
          minLength: 1,
          maxLength: 120,
        }),
        (size, awayByDay) => {
          const members = Array.from({ length: size }, (_, i) => `m${i}`);
          let queue = [...members];
          // The model: when each person last served (-1: never, then by their place in the first queue).
          const lastTurn = new Map(members.map((m, i) => [m, -1 - size + i]));
          awayByDay.forEach((away, day) => {
            const available = (m: string) => !away.includes(Number(m.slice(1)));
            const turn = takeTurn(queue, available);
            queue = turn.queue;
            const waiting = members.filter(available).sort((a, b) => lastTurn.get(a)! - lastTurn.get(b)!);
            expect(turn.responder).toBe(waiting[0]);
            if (turn.responder) lastTurn.set(turn.responder, day);
            expect([...queue].sort()).toEqual([...members].sort());
          });
        },
      ),
    );
  });

  it("gives everyone the same number of turns, give or take one, when nobody is away", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 100 }), (size, days) => {
        let queue = Array.from({ length: size }, (_, i) => `m${i}`);
        const turns = new Map(queue.map((m) => [m, 0]));
        for (let i = 0; i < days; i++) {
          const turn = takeTurn(queue, everyone);
          queue = turn.queue;
          turns.set(turn.responder!, turns.get(turn.responder!)! + 1);
        }
        const counts = [...turns.values()];
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("puts an away person first in line when they are back", () => {
    const days = ["d1", "d2", "d3"];
    const plan = forecast(["ana", "bob", "cy"], days, (m, d) => !(m === "ana" && d === "d1"));
    expect(plan.map((p) => p.responder)).toEqual(["bob", "ana", "cy"]);
  });

  it("skip: the skipped person is first in line next time and nobody loses a turn", () => {
    let { queue } = takeTurn(["ana", "bob", "cy"], everyone); // ana on duty
    const skip = skipTurn(queue, "ana", [], everyone);
    expect(skip.responder).toBe("bob");
    queue = skip.queue;
    expect(takeTurn(queue, everyone).responder).toBe("ana");
    // A second skip the same day hands over to cy; ana then bob come first after that.
    const again = skipTurn(queue, "bob", ["ana"], everyone);
    expect(again.responder).toBe("cy");
    expect(forecast(again.queue, ["x", "y", "z"], everyone).map((p) => p.responder)).toEqual([
      "ana",
      "bob",
      "cy",
    ]);
  });

  it("skip with nobody else available finds no one", () => {
    expect(skipTurn(["ana"], "ana", [], everyone).responder).toBeUndefined();
  });

  it("swap exchanges next turns; add goes last or after someone", () => {
    expect(swapTurns(["ana", "bob", "cy"], "ana", "cy")).toEqual(["cy", "bob", "ana"]);
    expect(addMember(["ana", "bob"], "dee")).toEqual(["ana", "bob", "dee"]);
    expect(addMember(["ana", "bob"], "dee", "ana")).toEqual(["ana", "dee", "bob"]);
  });
});
