// "Not helpful" in the playground: the command, typed after a private nudge, in `npm start` without credentials.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEntry } from "../../helpers/processes.js";

describe("playground: not helpful", () => {
  it("marks the last nudge not helpful, and mutes its kind the second time with how to undo it", async () => {
    const input = [
      ":room #team",
      "did you even read the ticket? RTFM",
      "/outloud unhelpful",
      // Piped, the clock stands still: two marks at the same instant are one double click.
      ":ff 1m",
      "/outloud unhelpful be-kind",
      "did you even read the ticket? RTFM",
      "",
    ].join("\n");
    const result = await runEntry("src/main.ts", [], {
      env: { OUTLOUD_DATA_DIR: mkdtempSync(join(tmpdir(), "outloud-feedback-")) },
      input,
    });
    expect(result.code).toBe(0);
    const tips = result.stdout.match(/harsher than you meant/g) ?? [];
    expect(tips).toHaveLength(1); // the second harsh message came after the mute
    expect(result.stdout).toContain("Not helpful? `/outloud unhelpful`");
    expect(result.stdout).toMatch(
      /\(private: only you can see this\) outloud: Thanks, noted: that be-kind nudge/,
    );
    expect(result.stdout).toMatch(/twice in 30 days, so be-kind nudges for you until you unmute them/);
    expect(result.stdout).toContain("To undo it: `/outloud unmute be-kind`");
  }, 60_000);
});
