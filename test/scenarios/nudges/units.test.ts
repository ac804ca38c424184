/**
 * A nudge is one file and one line in nudges/index.ts: its kind can be muted, its settings are a
 * section of `nudges:` (described once, in the unit), and rooms can tune it, with nothing else to edit.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { configReference } from "../../../src/config/reference.js";
import { NUDGES } from "../../../src/core/nudges/index.js";
import { runScenario } from "../../helpers/scenario.js";

const config = (nudges: Record<string, unknown>) =>
  loadConfig([{ path: "t.yaml", text: JSON.stringify({ nudges }) }], {});

describe.each(NUDGES.map((unit) => [unit.kind, unit] as const))("the %s nudge", (kind, unit) => {
  it("can be muted by its kind", async () => {
    const { outputs } = await runScenario([
      {
        type: "command",
        at: "2026-11-25T09:00:00Z",
        user: "ana",
        room: "#team",
        text: `/outloud mute ${kind}`,
      },
    ]);
    expect(outputs.map((o) => o.text)).toEqual([expect.stringMatching(/^Muted /)]);
  });

  it("has its section in the config reference, described by the unit", () => {
    expect(configReference()).toContain(`# ${unit.title}: ${unit.description}.\n  ${kind}:\n`);
    expect(config({ [kind]: { enabled: false } }).ok).toBe(true);
  });

  it(unit.perRoom === false ? "is not tuned per room" : "can be switched off in one room", () => {
    const result = config({ rooms: { support: { [kind]: { enabled: false } } } });
    expect(result.ok).toBe(unit.perRoom !== false);
  });
});
