/**
 * `/outloud report` hands out report links only where the platform knows room admins (Matrix, see
 * test/integration/matrix/report-link.test.ts). Elsewhere (the replay's local platform, like Slack,
 * whose admins sign in with Slack) it says so privately and hands out nothing.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../helpers/scenario.js";

describe("/outloud report where rooms have no admins", () => {
  it("answers privately that the command is not available here", async () => {
    const run = await runScenario([
      { type: "room", at: "2026-03-02T09:00:00Z", room: "#team", members: ["ana", "bob"] },
      { type: "command", at: "2026-03-02T09:01:00Z", user: "ana", room: "#team", text: "/outloud report" },
      {
        type: "command",
        at: "2026-03-02T09:02:00Z",
        user: "ana",
        room: "#team",
        text: "/outloud report now",
      },
    ]);
    const [answer, usage, ...more] = run.outputs.filter((o) => o.source === "command.outloud");
    expect(more).toEqual([]);
    expect(answer).toMatchObject({
      action: "notice",
      user: "ana",
      text: "This command is not available here.",
    });
    expect(usage).toMatchObject({ action: "notice", user: "ana" });
    expect(usage!.text).toBe('Unexpected "now". Usage: `/outloud report`');
    expect(run.outputs.map((o) => o.text).join("\n")).not.toContain("/report?token=");
  });
});
