// OAuth installs into several workspaces: tokens encrypted at rest, and no workspace sees another's data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SIGNING_SECRET,
  type SlackHarness,
  seedWorkspace,
  startSlackHarness,
  typeInTeamChannel,
} from "../../helpers/fake-slack-harness.js";
import { mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";

describe("two installed workspaces", () => {
  let h: SlackHarness;
  const command = (team: string, text: string) => typeInTeamChannel(h, team, "/rota", text);

  beforeAll(async () => {
    h = await startSlackHarness({
      seed: (s) => {
        seedWorkspace(s, "T1", "xoxb-t1");
        seedWorkspace(s, "T2", "xoxb-t2");
      },
      installed: [
        { team: "T1", botToken: "xoxb-t1" },
        { team: "T2", botToken: "xoxb-t2" },
      ],
      adapter: { perChannelIntervalMs: 0 },
    });
  });
  afterAll(() => h.close());

  it("stores installations encrypted: no token in the database", async () => {
    const rows = await h.db.db.selectFrom("slack_installations").selectAll().execute();
    expect(rows.map((r) => r.workspace).sort()).toEqual(["T1", "T2"]);
    for (const r of rows) {
      expect(r.installation).not.toContain("xoxb-");
      expect(r.installation).toMatch(/^v1:/);
    }
  });

  it("keeps each workspace's rota to itself, calling Slack with that workspace's own token", async () => {
    const setup = await command("T1", "setup <@UT1A|alice> <@UT1B|bob> at 09:30");
    expect(setup.status).toBe(200);
    await h.slack.waitFor((s) => s.succeeded("chat.postMessage").some((c) => c.args.channel === "CT1"));

    const who = await command("T2", "who");
    const answer = who.json() as { text: string };
    expect(answer.text).not.toMatch(/UT1A|UT1B/);
    expect(answer.text).toMatch(/no rota|setup/i);

    // Every call about T1's channel used T1's token, and none about T2 used T1's.
    for (const c of h.slack.calls) {
      if (c.args.channel === "CT1") expect(c.token).toBe("xoxb-t1");
      if (c.args.channel === "CT2") expect(c.token).toBe("xoxb-t2");
    }
    const t2Posts = h.slack.succeeded("chat.postMessage").filter((c) => c.team === "T2");
    expect(t2Posts.every((c) => !/UT1/.test(String(c.args.text)))).toBe(true);
  });

  it("keeps each workspace's decisions to itself", async () => {
    const send = (team: string, text: string) => typeInTeamChannel(h, team, "/decision", text);
    await send("T1", "Team one keeps its secrets in the vault.");
    await h.slack.waitFor((s) =>
      s.succeeded("chat.postMessage").some((c) => c.team === "T1" && /D-1/.test(String(c.args.text))),
    );
    const list = (await send("T2", "list")).json() as { text: string };
    expect(list.text).not.toContain("vault");
    const search = (await send("T2", "search vault")).json() as { text: string };
    expect(search.text).not.toMatch(/D-\d|secrets/);
    // T2's own first decision is D-1 too: numbering is per workspace.
    await send("T2", "Team two uses the wiki.");
    await h.slack.waitFor((s) =>
      s.succeeded("chat.postMessage").some((c) => c.team === "T2" && /D-1/.test(String(c.args.text))),
    );
  });

  it("refuses events from a workspace that never installed the app", async () => {
    const before = h.slack.calls.length;
    const res = await postSigned(
      h.url,
      SIGNING_SECRET,
      mkSlashCommand({
        team: "T9",
        user: "UT9A",
        channel: "CT9",
        command: "/rota",
        text: "who",
        responseUrl: h.slack.responseUrl(),
      }),
    );
    // Bolt acknowledges (so Slack does not retry) but nothing runs and nothing is posted.
    expect(res.text).not.toMatch(/rota/i);
    expect(h.slack.calls.slice(before).filter((c) => c.method.startsWith("chat."))).toHaveLength(0);
  });
});
