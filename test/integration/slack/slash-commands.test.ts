/**
 * Slack's slash commands come from the command table: manifest.yaml declares one per root word, and the
 * adapter answers every one of them. A feature that adds a root gets its slash command routed without
 * touching the Slack listener (the manifest still has to declare it, which this test asks for).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type SlackHarness,
  seedWorkspace,
  startSlackHarness,
  typeInTeamChannel,
} from "../../helpers/fake-slack-harness.js";

const declared: string[] = parse(readFileSync("manifest.yaml", "utf8")).features.slash_commands.map(
  (c: { command: string }) => c.command,
);

describe("slash commands", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ seed: (slack) => seedWorkspace(slack) });
  });
  afterAll(async () => {
    await h.close();
  });

  it("manifest.yaml declares exactly one slash command per root of the command table", () => {
    const roots = h.adapter.engine.commands.rootWords().map((root) => `/${root}`);
    expect([...declared].sort()).toEqual([...roots].sort());
  });

  it("each declared slash command gets its own answer, not Slack's 'failed with the error' page", async () => {
    for (const command of declared) {
      const res = await typeInTeamChannel(h, "T1", command, "help");
      expect(res.status).toBe(200);
      const body = res.json() as { response_type: string; text: string };
      expect(body.response_type).toBe("ephemeral");
      expect(body.text).not.toMatch(/I don't know/);
      expect(body.text.length).toBeGreaterThan(0);
    }
  });
});
