// OAuth installs into several workspaces: tokens encrypted at rest, no workspace sees another's data,
// and a workspace that uninstalled the app gets nothing from the bot until it installs it again.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logging.js";
import { openDatabase } from "../../../src/storage/database.js";
import { SqlRotaStore } from "../../../src/storage/rota-store.js";
import { FakeSlackApi } from "../../helpers/fake-slack-api.js";
import {
  SIGNING_SECRET,
  type SlackHarness,
  seedWorkspace,
  startSlackHarness,
  typeInTeamChannel,
} from "../../helpers/fake-slack-harness.js";
import { eventCallback, mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";
import { mkRota } from "../../helpers/rotas.js";

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
    // With the default config each exports into a folder of its own, and is told only of its own file.
    const decisions = join(h.app.config.dataDir, "decisions");
    expect(readdirSync(decisions).sort()).toEqual(["t1", "t2"]);
    expect(readdirSync(join(decisions, "t1"))).toContain("0001-team-one-keeps-its-secrets-in-the-vault.md");
    expect(readdirSync(join(decisions, "t2"))).toEqual(["0001-team-two-uses-the-wiki.md", "README.md"]);
    const toT2 = h.slack.calls.filter((c) => c.team === "T2").map((c) => JSON.stringify(c.args));
    expect(toT2.join("\n")).toContain("decisions/t2/0001-team-two-uses-the-wiki.md");
    expect(toT2.join("\n")).not.toMatch(/vault|secrets|t1\//);
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

describe("a workspace that uninstalled the app", () => {
  const T1 = { team: "T1", botToken: "xoxb-t1" };
  const T2 = { team: "T2", botToken: "xoxb-t2" };
  let dir: string;
  let slack: FakeSlackApi;
  let logged = "";
  const log = createLogger(
    "info",
    new Writable({
      write(chunk, _encoding, done) {
        logged += String(chunk);
        done();
      },
    }),
  );
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "outloud-uninstall-"));
    slack = await new FakeSlackApi().start();
    seedWorkspace(slack, "T1", "xoxb-t1");
    seedWorkspace(slack, "T2", "xoxb-t2");
  });
  afterAll(async () => {
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const databaseUrl = () => join(dir, "outloud.sqlite");
  const start = (installed: Array<typeof T1>) =>
    startSlackHarness({
      slack,
      databaseUrl: databaseUrl(),
      installed,
      log,
      adapter: { perChannelIntervalMs: 0 },
    });
  const announcementsIn = (channel: string) =>
    slack
      .succeeded("chat.postMessage")
      .filter((c) => c.args.channel === channel && /responder/.test(String(c.args.text)));

  it("keeps its rota but announces nothing there while uninstalled, and again once reinstalled", async () => {
    const first = await start([T1, T2]);
    const uninstalled = eventCallback("T1", { type: "app_uninstalled" });
    expect((await postSigned(first.url, SIGNING_SECRET, uninstalled)).status).toBe(200);
    await expect
      .poll(
        async () =>
          (await first.db.db.selectFrom("slack_installations").select("workspace").execute()).length,
      )
      .toBe(1);
    await first.close();

    // Both workspaces have a rota announced every day at midnight UTC, set up days ago: the bot
    // was down at that time today, so it announces late when it starts, where it may.
    const db = await openDatabase({ url: databaseUrl() });
    const rotas = new SqlRotaStore(db.db);
    for (const team of ["T1", "T2"]) {
      const room = `C${team}`;
      await rotas.saveRota(
        mkRota({
          workspace: team,
          room,
          time: "00:00",
          zone: "UTC",
          days: [1, 2, 3, 4, 5, 6, 7],
          updatedAt: new Date(Date.now() - 2 * 86_400_000),
        }),
      );
      await rotas.setMembers(team, room, [`U${team}A`, `U${team}B`]);
    }
    await db.close();

    const callsBefore = slack.calls.length;
    const second = await start([]);
    await slack.waitFor(() => announcementsIn("CT2").length === 1);
    await second.close();
    // Nothing was tried in T1: no call with its revoked token, no failure logged, no turn taken.
    expect(slack.calls.slice(callsBefore).filter((c) => c.token === "xoxb-t1")).toEqual([]);
    expect(announcementsIn("CT1")).toEqual([]);
    expect(logged).not.toMatch(/slack action failed/);
    expect(logged).toMatch(/rota not announced: the bot is not installed/);

    // Reinstalled the same day: the rota was kept, and today's announcement is made (late) at start.
    const third = await start([T1]);
    await slack.waitFor(() => announcementsIn("CT1").length === 1);
    await third.close();
    expect(announcementsIn("CT2")).toHaveLength(1);
  });
});
