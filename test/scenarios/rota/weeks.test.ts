/**
 * Weeks of virtual time through the replay engine: the daily announcement lands at the rota's local
 * time across both daylight-saving weekends, skips public holidays and weekends, passes over people who
 * are away, and honours skip and swap.
 */
import { describe, expect, it } from "vitest";
import type { ReplayOutput } from "../../../src/adapters/local/scenario.js";
import { runScenario } from "../../helpers/scenario.js";

const ROOM = "#payments";
const command = (at: string, user: string, text: string, room = ROOM) => ({
  type: "command",
  at,
  user,
  room,
  text,
});

/** The daily announcements posted in a room: [UTC instant, responder]. */
function announcements(outputs: ReplayOutput[], room = ROOM): [string, string][] {
  return outputs
    .filter((o) => o.source === "rota.announce" && o.action === "post" && o.room === room)
    .map((o) => [o.at.slice(0, 16), o.mentions?.[0] ?? ""]);
}

describe("a Madrid team over the spring daylight-saving weekend and Easter", () => {
  it("announces at 09:30 local each working day, with swap, skip, away and holidays", async () => {
    const run = await runScenario([
      { type: "user", at: "2026-03-20T09:00:00Z", user: "ana", tz: "Europe/Madrid" },
      { type: "room", at: "2026-03-20T09:00:00Z", room: ROOM, members: ["ana", "bob", "cy", "zed"] },
      command("2026-03-20T09:00:00Z", "ana", "/rota setup @ana @bob @cy at 09:30"),
      command("2026-03-20T09:01:00Z", "ana", "/rota holidays ES-MD"),
      // Tuesday, after bob's turn: cy was next; swapping gives ana cy's turn.
      command("2026-03-24T10:00:00Z", "cy", "/rota swap @cy @ana"),
      // Thursday: cy is on duty but passes; bob takes today, cy is first in line tomorrow.
      command("2026-03-26T11:00:00Z", "cy", "/rota skip"),
      command("2026-03-27T10:00:00Z", "ana", "/rota away @bob 2026-03-30..2026-03-31"),
      { type: "tick", at: "2026-04-08T12:00:00Z" },
    ]);
    expect(run.problems).toEqual([]);
    expect(announcements(run.outputs)).toEqual([
      ["2026-03-23T08:30", "ana"],
      ["2026-03-24T08:30", "bob"],
      ["2026-03-25T08:30", "ana"],
      ["2026-03-26T08:30", "cy"],
      ["2026-03-27T08:30", "cy"],
      // Clocks went forward on Sunday 29 March: 09:30 in Madrid is now 07:30 UTC.
      ["2026-03-30T07:30", "ana"],
      ["2026-03-31T07:30", "cy"], // bob is away
      ["2026-04-01T07:30", "bob"], // back, and first in line
      // Thursday 2 and Friday 3 April are public holidays in Madrid.
      ["2026-04-06T07:30", "ana"],
      ["2026-04-07T07:30", "cy"],
      ["2026-04-08T07:30", "bob"],
    ]);
    const skip = run.outputs.find((o) => o.at.startsWith("2026-03-26T11:00") && o.action === "post");
    expect(skip?.text).toBe(
      "@cy passed today's turn: today's responder is now @bob. @cy is first in line next time.",
    );
    // The skip moved the topic and the responder group to bob, and handed over to him privately.
    const afterSkip = run.outputs
      .filter((o) => o.at.startsWith("2026-03-26T11:00"))
      .map((o) => [o.action, o.mentions]);
    expect(afterSkip).toEqual([
      ["post", ["bob"]],
      ["topic", undefined],
      ["group", ["bob"]],
      ["dm", undefined],
    ]);
    // Every change was confirmed publicly, naming who made it.
    const confirmations = run.outputs
      .filter((o) => o.source === "command.rota" && o.action === "post")
      .map((o) => o.text);
    expect(confirmations).toEqual([
      expect.stringMatching(
        /^@ana set up this room's rota: @ana, @bob, @cy, announced at 09:30 Europe\/Madrid on mon-fri\./,
      ),
      expect.stringMatching(/^@ana set the rota to skip ES-MD public holidays\./),
      "@cy swapped the next turns of @cy and @ana.",
      expect.stringMatching(/^@cy passed today's turn/),
      "@ana marked @bob away from 2026-03-30 to 2026-03-31: skipped then, keeping their place in line.",
    ]);
  });
});

describe("the autumn daylight-saving changes in Madrid and New York", () => {
  it("keeps each room's local time through its own change, and skips the Madrid holiday", async () => {
    const run = await runScenario([
      { type: "room", at: "2026-10-16T12:00:00Z", room: ROOM, members: ["ana", "bob"] },
      { type: "room", at: "2026-10-16T12:00:00Z", room: "#ny", members: ["kim", "lee"] },
      command("2026-10-16T12:00:00Z", "ana", "/rota setup @ana @bob at 09:30 tz Europe/Madrid"),
      command("2026-10-16T12:00:00Z", "ana", "/rota holidays ES-MD"),
      command("2026-10-16T12:00:00Z", "kim", "/rota setup @kim @lee at 10:00 tz America/New_York", "#ny"),
      { type: "tick", at: "2026-11-04T18:00:00Z" },
    ]);
    const madrid = announcements(run.outputs);
    // CEST (+2) until Sunday 25 October, then CET (+1); Monday 2 November is a holiday in Madrid.
    expect(madrid.map(([at]) => at)).toEqual([
      "2026-10-19T07:30",
      "2026-10-20T07:30",
      "2026-10-21T07:30",
      "2026-10-22T07:30",
      "2026-10-23T07:30",
      "2026-10-26T08:30",
      "2026-10-27T08:30",
      "2026-10-28T08:30",
      "2026-10-29T08:30",
      "2026-10-30T08:30",
      "2026-11-03T08:30",
      "2026-11-04T08:30",
    ]);
    expect(madrid.map(([, who]) => who).join(" ")).toBe("ana bob ana bob ana bob ana bob ana bob ana bob");
    // EDT (-4) until Sunday 1 November, then EST (-5); no holidays configured there.
    const ny = announcements(run.outputs, "#ny").map(([at]) => at);
    // Set up at 08:00 New York time on Friday 16 October, so that day's 10:00 still comes.
    expect(ny[0]).toBe("2026-10-16T14:00");
    expect(ny.slice(10)).toEqual([
      "2026-10-30T14:00",
      "2026-11-02T15:00",
      "2026-11-03T15:00",
      "2026-11-04T15:00",
    ]);
    expect(ny).toHaveLength(14);
  });
});

describe("pause and resume", () => {
  it("announces nothing while paused, and refuses to skip", async () => {
    const run = await runScenario([
      { type: "room", at: "2026-11-23T07:00:00Z", room: ROOM, members: ["ana", "bob"] },
      command("2026-11-23T07:00:00Z", "ana", "/rota setup @ana @bob"),
      command("2026-11-23T10:00:00Z", "bob", "/rota pause"),
      command("2026-11-24T10:00:00Z", "bob", "/rota skip"),
      command("2026-11-25T10:00:00Z", "bob", "/rota resume"),
      { type: "tick", at: "2026-11-26T12:00:00Z" },
    ]);
    expect(announcements(run.outputs)).toEqual([
      ["2026-11-23T09:00", "ana"],
      ["2026-11-26T09:00", "bob"],
    ]);
    expect(run.outputs.find((o) => o.at.startsWith("2026-11-24"))).toMatchObject({
      action: "notice",
      user: "bob",
      text: "The rota is paused: `/rota resume` first. Usage: `/rota skip`",
    });
  });
});
