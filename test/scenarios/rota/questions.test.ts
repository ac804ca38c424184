/**
 * Questions from other teams and people leaving the room, through the replay engine.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../helpers/scenario.js";

const ROOM = "#payments";
const start = [
  { type: "room", at: "2026-11-23T07:00:00Z", room: ROOM, members: ["ana", "bob", "cy", "zed", "yan"] },
  { type: "command", at: "2026-11-23T07:00:00Z", user: "ana", room: ROOM, text: "/rota setup @ana @bob @cy" },
];
const message = (at: string, id: string, user: string, text: string, thread?: string) => ({
  type: "message",
  at,
  id,
  user,
  room: ROOM,
  text,
  ...(thread ? { thread } : {}),
});

describe("questions from other teams", () => {
  it("mentions today's responder in the thread after 30 working minutes, once, unless a member answered", async () => {
    const run = await runScenario([
      ...start,
      message("2026-11-23T10:00:00Z", "q1", "zed", "Does the refund API support EUR?"),
      message("2026-11-23T10:05:00Z", "q2", "yan", "anyone know how to rotate the webhook secret"),
      message("2026-11-23T10:06:00Z", "n1", "yan", "Deployed the new checkout to staging"),
      message("2026-11-23T10:07:00Z", "m1", "bob", "Is the build broken?"),
      // A member answers q2 in its thread; a non-member's reply to q1 does not count.
      message("2026-11-23T10:20:00Z", "a2", "cy", "Yes: see the runbook", "q2"),
      message("2026-11-23T10:25:00Z", "a1", "yan", "same question here", "q1"),
      { type: "tick", at: "2026-11-23T16:00:00Z" },
    ]);
    const nudges = run.outputs.filter((o) => o.source === "rota.question");
    expect(nudges).toEqual([
      {
        at: "2026-11-23T10:30:00.000Z",
        action: "reply",
        room: ROOM,
        thread: "q1",
        mentions: ["ana"],
        text: "@ana, today's responder: could you pick up this question from @zed?",
        source: "rota.question",
        about: "q1",
      },
    ]);
  });

  it("counts working time only, and mentioning the team handle counts as a question", async () => {
    const run = await runScenario([
      ...start,
      // Friday 17:50 UTC (working hours 09:00-18:00 UTC by default): 10 minutes today, 20 on Monday.
      message("2026-11-27T17:50:00Z", "q1", "zed", "@payments-responder the refund job failed again"),
      { type: "tick", at: "2026-11-30T12:00:00Z" },
    ]);
    const nudge = run.outputs.find((o) => o.source === "rota.question");
    expect(nudge?.at).toBe("2026-11-30T09:20:00.000Z");
    // Monday's responder is the one mentioned (announced at 09:00, before the nudge).
    const monday = run.outputs.find((o) => o.source === "rota.announce" && o.at.startsWith("2026-11-30"));
    expect(nudge?.mentions).toEqual(monday?.mentions);
    // The unanswered question is in Monday's private hand-over, by id and asker only.
    const handover = run.outputs.find((o) => o.action === "dm" && o.at.startsWith("2026-11-30"));
    expect(handover?.text).toContain(
      "Questions from other teams still unanswered (1):\n• from @zed at Fri 27 Nov 17:50",
    );
    expect(handover?.text).not.toContain("refund");
  });
});

describe("a member who left the room", () => {
  it("is skipped, the room is told once, and they take turns again when back", async () => {
    const run = await runScenario([
      ...start,
      { type: "leave", at: "2026-11-23T12:00:00Z", user: "bob", room: ROOM },
      { type: "tick", at: "2026-11-25T12:00:00Z" },
      { type: "join", at: "2026-11-25T12:00:00Z", user: "bob", room: ROOM },
      { type: "tick", at: "2026-11-26T12:00:00Z" },
    ]);
    const told = run.outputs.filter((o) => o.source === "rota.left");
    expect(told.map((o) => [o.at, o.text])).toEqual([
      [
        "2026-11-23T12:00:00.000Z",
        "@bob left this room, so the rota skips them until they are back (or `/rota remove @bob`).",
      ],
    ]);
    const daily = run.outputs.filter((o) => o.source === "rota.announce" && o.action === "post");
    expect(daily.map((o) => o.mentions?.[0])).toEqual(["ana", "cy", "ana", "bob"]);
  });

  it("is noticed at announcement time even without a leave event, and the room is told once", async () => {
    const run = await runScenario([
      ...start,
      // The platform's member list changes without telling us (a missed event, a restart).
      { type: "room", at: "2026-11-23T12:00:00Z", room: ROOM, members: ["ana", "cy", "zed"] },
      { type: "tick", at: "2026-11-26T12:00:00Z" },
    ]);
    expect(run.outputs.filter((o) => o.source === "rota.left").map((o) => o.at)).toEqual([
      "2026-11-24T09:00:00.000Z",
    ]);
    const daily = run.outputs.filter((o) => o.source === "rota.announce" && o.action === "post");
    expect(daily.map((o) => o.mentions?.[0])).toEqual(["ana", "cy", "ana", "cy"]);
  });
});
