/**
 * The rota's rules where a team meets their edges (docs/rota.md, "Rules"): who has today when today's
 * responder is away or removed, an empty rota, people outside the room, a re-timed rota after today's
 * post, who may change a rota, and a profile time zone the tz data does not know.
 */
import { describe, expect, it } from "vitest";
import type { ReplayOutput } from "../../../src/adapters/local/scenario.js";
import { runScenario } from "../../helpers/scenario.js";
import { commandLine, dayAt } from "../../helpers/scenario-lines.js";

const ROOM = "#payments";
// Monday 7 December 2026; the rota announces at 09:00 UTC.
const at = (day: number, time: string) => dayAt(12, day, time);
const cmd = (when: string, user: string, text: string) => commandLine(when, user, text, ROOM);
const start = [
  { type: "room", at: at(7, "07:00"), room: ROOM, members: ["ana", "bob", "cy", "zed"] },
  cmd(at(7, "07:00"), "ana", "/rota setup @ana @bob @cy"),
];
const announced = (outputs: ReplayOutput[]) =>
  outputs
    .filter((o) => o.action === "post" && /responder is (now )?@/.test(o.text))
    .map((o) => o.mentions?.[0]);
const said = (outputs: ReplayOutput[], when: string) =>
  outputs.filter((o) => o.at === new Date(when).toISOString()).map((o) => o.text);

describe("today's responder away or removed after the announcement", () => {
  it("away today: the day passes to the next person, announced once more, exactly once", async () => {
    const run = await runScenario([
      ...start,
      cmd(at(7, "10:00"), "bob", "/rota away @ana 2026-12-07"),
      cmd(at(7, "10:05"), "bob", "/rota who"),
      { type: "tick", at: at(8, "12:00") },
    ]);
    const now = run.outputs.filter((o) => o.at === new Date(at(7, "10:00")).toISOString());
    expect(now.map((o) => [o.action, o.source])).toEqual([
      ["post", "command.rota"],
      ["topic", "rota.reassign"],
      ["group", "rota.reassign"],
      ["dm", "rota.handover"],
    ]);
    expect(now[0]?.text).toBe(
      "@bob marked @ana away on 2026-12-07: skipped then, keeping their place in line. Today's responder is now @bob.",
    );
    expect(now[2]?.mentions).toEqual(["bob"]);
    expect(said(run.outputs, at(7, "10:05"))[0]).toMatch(/^Today's responder: @bob\./);
    // Monday: ana, then bob in her place; Tuesday: ana, first in line again.
    expect(announced(run.outputs)).toEqual(["ana", "bob", "ana"]);
  });

  it("removed: the day passes to the next person, and they are out of the topic and group", async () => {
    const run = await runScenario([...start, cmd(at(7, "10:00"), "bob", "/rota remove @ana")]);
    const now = run.outputs.filter((o) => o.at === new Date(at(7, "10:00")).toISOString());
    expect(now.map((o) => [o.action, o.text])).toEqual([
      ["post", "@bob removed @ana from the rota. Today's responder is now @bob."],
      ["topic", "Today's responder: @bob"],
      ["group", "payments-responder"],
      ["dm", expect.stringContaining("@ana had it before you.")],
    ]);
  });

  it("away another day, or someone not on duty removed: no hand-over", async () => {
    const run = await runScenario([
      ...start,
      cmd(at(7, "10:00"), "bob", "/rota away @ana 2026-12-08"),
      cmd(at(7, "10:01"), "ana", "/rota remove @cy"),
    ]);
    expect(run.outputs.filter((o) => o.source === "rota.reassign")).toEqual([]);
  });
});

describe("an empty rota", () => {
  it("is refused: removing the last member changes nothing", async () => {
    const run = await runScenario([
      ...start,
      cmd(at(7, "07:10"), "ana", "/rota remove @bob"),
      cmd(at(7, "07:11"), "ana", "/rota remove @cy"),
      cmd(at(7, "07:12"), "ana", "/rota remove @ana"),
      { type: "tick", at: at(7, "12:00") },
    ]);
    expect(said(run.outputs, at(7, "07:12"))).toEqual([
      "@ana is the rota's last member: add someone first, or `/rota pause` it. Usage: `/rota remove @x`",
    ]);
    expect(announced(run.outputs)).toEqual(["ana"]);
  });
});

describe("people outside the room", () => {
  it("are named in the confirmation, skipped without a later 'left' message, and take turns once they join", async () => {
    const run = await runScenario([
      ...start.slice(0, 1),
      // Known in the workspace, but not in the room.
      { type: "user", at: at(7, "07:00"), user: "zoe" },
      { type: "user", at: at(7, "07:00"), user: "yan" },
      cmd(at(7, "07:00"), "ana", "/rota setup @ana @zoe"),
      cmd(at(7, "07:01"), "ana", "/rota add @yan"),
      { type: "tick", at: at(8, "12:00") },
      { type: "join", at: at(8, "12:00"), user: "zoe", room: ROOM },
      { type: "tick", at: at(9, "12:00") },
    ]);
    expect(said(run.outputs, at(7, "07:00"))[0]).toBe(
      "@ana set up this room's rota: @ana, @zoe, announced at 09:00 UTC on mon-fri. @zoe is not in this room, so the rota skips them until they join. Next announcement: Mon 7 Dec at 09:00 (UTC).",
    );
    expect(said(run.outputs, at(7, "07:01"))[0]).toBe(
      "@ana added @yan to the rota, last in line. @yan is not in this room, so the rota skips them until they join.",
    );
    expect(run.outputs.filter((o) => o.source === "rota.left")).toEqual([]);
    expect(announced(run.outputs)).toEqual(["ana", "ana", "zoe"]);
  });
});

describe("a confirmation's promise", () => {
  it("after today's post, a later time today is promised (and announced) from the next working day", async () => {
    const run = await runScenario([
      ...start,
      cmd(at(7, "10:00"), "ana", "/rota time 11:00"),
      { type: "tick", at: at(8, "12:00") },
    ]);
    expect(said(run.outputs, at(7, "10:00"))).toEqual([
      "@ana moved the announcement to 11:00 UTC. Next announcement: Tue 8 Dec at 11:00 (UTC).",
    ]);
    expect(
      run.outputs.filter((o) => o.source === "rota.announce" && o.action === "post").map((o) => o.at),
    ).toEqual(["2026-12-07T09:00:00.000Z", "2026-12-08T11:00:00.000Z"]);
  });
});

describe("who may change a rota", () => {
  it("its members and the person who set it up; anyone else gets a private no", async () => {
    const run = await runScenario([
      ...start.slice(0, 1),
      cmd(at(7, "07:00"), "zed", "/rota setup @ana @bob"),
      cmd(at(7, "10:00"), "cy", "/rota skip"),
      cmd(at(7, "10:01"), "zed", "/rota time 10:00"),
      cmd(at(7, "10:02"), "bob", "/rota skip"),
    ]);
    expect(run.outputs.filter((o) => o.at === new Date(at(7, "10:00")).toISOString())).toEqual([
      expect.objectContaining({
        action: "notice",
        user: "cy",
        text: "Only this rota's members and @zed, who set it up, may change it or skip a turn. Usage: `/rota skip`",
      }),
    ]);
    expect(said(run.outputs, at(7, "10:01"))[0]).toMatch(/^@zed moved the announcement to 10:00 UTC/);
    expect(said(run.outputs, at(7, "10:02"))[0]).toMatch(/^@bob skipped @ana's turn/);
  });

  it("anyone in the room, when rota.whoMayChange is anyone", async () => {
    const run = await runScenario([...start, cmd(at(7, "10:00"), "zed", "/rota skip")], {
      settings: { rota: { whoMayChange: "anyone" } },
    });
    expect(said(run.outputs, at(7, "10:00"))[0]).toMatch(/^@zed skipped @ana's turn/);
  });
});

describe("a profile time zone the tz data does not know", () => {
  it("falls back to UTC, and the confirmation says so", async () => {
    const run = await runScenario([
      { type: "user", at: at(7, "07:00"), user: "ana", tz: "Mars/Base" },
      ...start,
    ]);
    expect(said(run.outputs, at(7, "07:00"))[0]).toBe(
      "@ana set up this room's rota: @ana, @bob, @cy, announced at 09:00 UTC on mon-fri (your time zone Mars/Base is unknown here, so UTC). Next announcement: Mon 7 Dec at 09:00 (UTC).",
    );
  });
});

describe("a rota in a private room", () => {
  it("names the room as private in the hand-over, never as #secret", async () => {
    const run = await runScenario([
      { type: "room", at: at(7, "07:00"), room: "~secret", members: ["ana", "bob"] },
      { type: "command", at: at(7, "07:00"), user: "ana", room: "~secret", text: "/rota setup @ana @bob" },
      { type: "tick", at: at(7, "12:00") },
    ]);
    const handOver = run.outputs.find((o) => o.action === "dm");
    expect(handOver?.text).toMatch(/^You are today's responder in 🔒secret: /);
    expect(run.outputs.map((o) => o.text).join("\n")).not.toContain("#secret");
  });
});
