/**
 * "Not helpful": one step after any private nudge; twice for the same kind within 30 days mutes that
 * kind for the person, who is told how to undo it. Counts per kind, never text.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../helpers/scenario.js";
import { at, cmd, msg } from "./helpers.js";

const HARSH = "@bob did you even read the ticket? RTFM";
const DAY = 24 * 60;

describe("not helpful", () => {
  it("mutes a kind for the person the second time it did not help, and says how to undo it", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "#team", HARSH),
      cmd(1, "ana", "#team", "/outloud unhelpful"),
      msg(DAY, "ana", "#team", HARSH),
      cmd(DAY + 1, "ana", "#team", "/outloud unhelpful be-kind"),
      msg(2 * DAY, "ana", "#team", HARSH),
      cmd(2 * DAY + 1, "ana", "#team", "/outloud unmute be-kind"),
      msg(5 * DAY, "ana", "#team", HARSH), // the next Monday: @bob is in working hours
    ]);
    expect(outputs.map((o) => [o.source, o.at])).toEqual([
      ["nudge.be-kind", at(0)],
      ["command.outloud", at(1)],
      ["nudge.be-kind", at(DAY)],
      ["command.outloud", at(DAY + 1)],
      // Muted: no nudge on day 2.
      ["command.outloud", at(2 * DAY + 1)],
      ["nudge.be-kind", at(5 * DAY)],
    ]);
    expect(outputs[1]).toMatchObject({ action: "notice", user: "ana" });
    expect(outputs[1]!.text).toMatch(/noted: that be-kind nudge did not help/);
    expect(outputs[3]!.text).toMatch(/twice in 30 days, so be-kind nudges for you until you unmute them/);
    expect(outputs[3]!.text).toMatch(/To undo it: `\/outloud unmute be-kind`/);
  });

  it("forgets a mark after 30 days, and counts each kind apart", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "#team", HARSH),
      cmd(1, "ana", "#team", "/outloud unhelpful be-kind"),
      cmd(2, "ana", "#team", "/outloud unhelpful no-hello"),
      cmd(31 * DAY, "ana", "#team", "/outloud unhelpful be-kind"),
      msg(31 * DAY + 1, "ana", "#team", HARSH),
    ]);
    expect(outputs.filter((o) => o.source === "nudge.be-kind")).toHaveLength(2);
    expect(outputs.filter((o) => /noted/.test(o.text))).toHaveLength(3);
  });

  it("shows the per-kind counts, and nothing else about them, in /outloud privacy", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "#team", HARSH),
      cmd(1, "ana", "#team", "/outloud unhelpful"),
      cmd(2, "bob", "#team", "/outloud unhelpful no-hello"),
      cmd(3, "carol", "#team", "/outloud privacy"),
    ]);
    const privacy = outputs.at(-1)!;
    expect(privacy).toMatchObject({ action: "notice", user: "carol" });
    expect(privacy.text).toMatch(/In this workspace so far: be-kind 1, no-hello 1\./);
    expect(privacy.text).not.toMatch(/RTFM|ana|bob/);
  });

  it("answers with the right form when there is nothing to mark, or the kind is unknown", async () => {
    const { outputs } = await runScenario([
      cmd(0, "ana", "#team", "/outloud unhelpful"),
      cmd(1, "ana", "#team", "/outloud unhelpful nagging"),
    ]);
    expect(outputs).toHaveLength(2);
    expect(outputs[0]!.text).toMatch(/you had no nudge lately; name one of: be-kind/i);
    expect(outputs[1]!.text).toMatch(/"nagging" is not a nudge/);
    expect(outputs[1]!.text).toMatch(/\/outloud unhelpful \[kind\]/);
  });
});
