/**
 * The export outbox end to end: real store (SQLite file), real Confluence exporter over HTTP to the
 * local fake, the scheduler on a virtual clock. Retries must end in ONE page, and work left by a
 * process that stopped mid-export must be delivered exactly once after a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Action } from "../../../src/core/actions.js";
import { VirtualClock } from "../../../src/core/clocks.js";
import { CommandSpelling } from "../../../src/core/commands/spelling.js";
import { OutboxWorker } from "../../../src/core/decisions/outbox-worker.js";
import type { CoreServices } from "../../../src/core/feature.js";
import { Scheduler } from "../../../src/core/scheduler.js";
import { ConfluenceExporter, confluenceSettings } from "../../../src/exporters/confluence.js";
import { silentLogger } from "../../../src/logging.js";
import { type DatabaseHandle, openDatabase } from "../../../src/storage/database.js";
import { SqlDecisionStore } from "../../../src/storage/decision-store.js";
import { SqlClaimStore } from "../../../src/storage/foundation-stores.js";
import { FakeConfluence } from "../../helpers/fake-docs-apis.js";
import { ScenarioSession } from "../../helpers/scenario.js";

const credentials = { CONFLUENCE_EMAIL: "bot@example.org", CONFLUENCE_API_TOKEN: "atl-token" };
let wiki: FakeConfluence;
beforeAll(async () => {
  wiki = await new FakeConfluence(credentials.CONFLUENCE_EMAIL, credentials.CONFLUENCE_API_TOKEN).start();
});
afterAll(() => wiki.stop());
beforeEach(() => {
  wiki.pages.clear();
  wiki.requests.length = 0;
});

const at = (minute: number, second = 0) =>
  `2026-11-25T09:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}Z`;
const cmd = (minute: number, text: string, user = "alice") => ({
  type: "command",
  at: at(minute),
  user,
  room: "#team",
  text,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "outloud-outbox-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function session(retry: Record<string, number> = {}) {
  return new ScenarioSession({
    env: { ...credentials, OUTLOUD_DATA_DIR: dir },
    databaseUrl: join(dir, "outloud.sqlite"),
    settings: {
      decisions: {
        retry: { firstDelaySeconds: 60, ...retry },
        export: {
          markdown: { enabled: false },
          confluence: { enabled: true, baseUrl: wiki.url, spaceKey: "ENG", parentId: "77" },
        },
      },
    },
  }).open();
}

describe("decision export outbox", () => {
  it("a target that fails twice then succeeds ends with ONE page, and /decision show tells the story", async () => {
    const s = await session();
    try {
      // Attempt 1: the page is created but the answer is lost; attempt 2: the API is down.
      wiki.dropAfterNext("POST");
      const [confirm] = await s.feed([cmd(0, "/decision Use PostgreSQL for events.")]);
      expect(confirm!.text).toMatch(
        /^Recorded decision \*D-1\*: Use PostgreSQL for events\. confluence: pending, will retry \(/,
      );
      wiki.failNext(1, 503, "GET");
      const [pending] = await s.feed([cmd(2, "/decision show D-1")]);
      expect(pending!.text).toMatch(
        /• confluence: pending \(2 failed: Confluence could not look for the page: HTTP 503 .*, next try 2026-11-25 09:03 UTC\)/,
      );
      const [done] = await s.feed([cmd(4, "/decision show D-1")]);
      const pages = [...wiki.pages.values()];
      expect(pages).toHaveLength(1);
      expect(pages[0]).toMatchObject({ title: "D-1: Use PostgreSQL for events", version: 2, parentId: "77" });
      expect(done!.text).toContain(
        `• confluence: exported (${wiki.url}/wiki/spaces/ENG/pages/${pages[0]!.id})`,
      );
      expect(wiki.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("resumes pending exports after a restart, delivering exactly once", async () => {
    const s = await session();
    try {
      // The process dies right after the wiki created the page but before we recorded it.
      wiki.dropAfterNext("POST");
      await s.feed([cmd(0, "/decision Deploy on Tuesdays.")]);
      expect(wiki.pages.size).toBe(1);
      await s.restart(at(0, 30));
      // Nothing is due yet (backoff); the restarted process re-armed the retry from the database.
      expect(s.platform.scheduler.has("decisions:outbox")).toBe(true);
      const [show] = await s.feed([cmd(2, "/decision show D-1")]);
      expect(show!.text).toContain("• confluence: exported");
      expect(wiki.pages.size).toBe(1);
      expect([...wiki.pages.values()][0]!.version).toBe(2);
      expect(wiki.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it("tells the author privately when the last retry fails, and /decision export tries again", async () => {
    const s = await session({ attempts: 2 });
    try {
      wiki.failNext(2, 500, "GET");
      await s.feed([
        { type: "user", at: at(0), user: "alice", name: "Alice" },
        cmd(0, "/decision Keep the monorepo."),
      ]);
      const out = await s.feed([{ type: "tick", at: at(5) }]);
      expect(out).toEqual([
        expect.objectContaining({
          action: "dm",
          user: "alice",
          source: "decision.export",
          text: expect.stringMatching(
            /^Your decision D-1 \("Keep the monorepo"\) could not be exported to confluence after 2 attempts: Confluence could not look up the space: HTTP 500 .*`\/decision export D-1` tries again\.$/,
          ),
        }),
      ]);
      const [show] = await s.feed([cmd(6, "/decision show D-1", "bob")]);
      expect(show!.text).toMatch(
        /• confluence: failed after 2 attempts \(Confluence could not look up the space: HTTP 500/,
      );
      expect(await s.feed([{ type: "tick", at: at(30) }])).toEqual([]);
      const [retried] = await s.feed([cmd(31, "/decision export D-1")]);
      expect(retried).toMatchObject({ action: "notice", user: "alice" });
      expect(retried!.text).toMatch(
        /^D-1: Exported to confluence \(http:\/\/127\.0\.0\.1:\d+\/wiki\/spaces\/ENG\/pages\/\d+\)\.$/,
      );
      expect(wiki.pages.size).toBe(1);
    } finally {
      await s.close();
    }
  });

  it("tells the author about a failure that happened after a restart at the first sign of their workspace, once", async () => {
    const s = await session({ attempts: 2 });
    try {
      wiki.failNext(2, 500, "GET");
      await s.feed([cmd(0, "/decision Keep the monorepo.")]);
      await s.restart(at(0, 30));
      // The final attempt fails before this process has heard from the workspace: no platform to tell yet.
      expect(await s.feed([{ type: "tick", at: at(5) }])).toEqual([]);
      const out = await s.feed([
        { type: "message", at: at(6), id: "m1", user: "bob", room: "#team", text: "morning" },
        { type: "message", at: at(7), id: "m2", user: "bob", room: "#team", text: "anyone?" },
      ]);
      expect(out.map((o) => [o.action, o.user, o.source])).toEqual([["dm", "alice", "decision.export"]]);
      expect(out[0]!.text).toMatch(
        /^Your decision D-1 \("Keep the monorepo"\) could not be exported to confluence after 2 attempts/,
      );
    } finally {
      await s.close();
    }
  });

  it("re-exports the old decision's page when it is superseded", async () => {
    const s = await session();
    try {
      await s.feed([
        cmd(0, "/decision Use PostgreSQL for events."),
        cmd(1, "/decision supersede D-1 Use Kafka for events."),
      ]);
      const titles = [...wiki.pages.values()].map((p) => [p.title, p.version]);
      expect(titles).toEqual([
        ["D-1: Use PostgreSQL for events", 2],
        ["D-2: Use Kafka for events", 1],
      ]);
      expect([...wiki.pages.values()][0]!.body).toContain("Superseded by D-2");
    } finally {
      await s.close();
    }
  });
});

describe("a process that hangs mid-export", () => {
  function services(clock: VirtualClock, emitted: Action[]): CoreServices {
    return {
      clock,
      scheduler: new Scheduler(silentLogger),
      directory: {
        user: async (workspace, id) => ({ workspace, id, displayName: id, tz: "UTC", bot: false }),
        roomMembers: async () => [],
        findUser: async () => undefined,
        permalink: async () => undefined,
      },
      emit: async (a) => {
        emitted.push(a);
      },
      atomically: (work) => work(),
      reserve: async (a) => ({
        send: async (text) => {
          emitted.push(text === undefined ? a : { ...a, text });
        },
      }),
      afterCommit: (work) => work(),
      commands: new CommandSpelling("/"),
      log: silentLogger,
    };
  }

  it("is taken over by another process after its lease; the page is written once and the late report ignored", async () => {
    const file = join(dir, "outloud.sqlite");
    const exporter = () =>
      new ConfluenceExporter(
        confluenceSettings.parse({ enabled: true, baseUrl: wiki.url, spaceKey: "ENG" }),
        {
          email: credentials.CONFLUENCE_EMAIL,
          token: credentials.CONFLUENCE_API_TOKEN,
        },
      );
    const notices = (h: DatabaseHandle) => ({
      claims: new SqlClaimStore(h.db),
      serves: () => true,
    });
    const policy = { attempts: 5, firstDelayMs: 60_000, maxDelayMs: 3_600_000, leaseMs: 300_000 };
    const t0 = new Date("2026-11-25T09:00:00Z");

    const dbA = await openDatabase({ url: file });
    const clockA = new VirtualClock(t0);
    const storeA = new SqlDecisionStore(dbA.db);
    await storeA.record(
      {
        workspace: "T1",
        title: "Use PostgreSQL for events",
        text: "Use PostgreSQL for events.",
        author: { id: "U1", name: "Alice" },
        room: { id: "C1", name: "team" },
        participants: [{ id: "U1", name: "Alice" }],
        at: t0,
      },
      ["confluence"],
    );
    // Process A starts the export; the wiki creates the page but A never hears back.
    wiki.holdNext("POST");
    const workerA = new OutboxWorker(services(clockA, []), storeA, [exporter()], policy, notices(dbA));
    const hung = workerA.deliver("T1", 1);
    while (wiki.pages.size === 0) await new Promise((r) => setTimeout(r, 10));

    // Process B starts on the same database: it cannot take the row while A's lease runs …
    const dbB = await openDatabase({ url: file });
    const clockB = new VirtualClock(new Date(t0.getTime() + 60_000));
    const servicesB = services(clockB, []);
    const storeB = new SqlDecisionStore(dbB.db);
    const workerB = new OutboxWorker(servicesB, storeB, [exporter()], policy, notices(dbB));
    await workerB.start();
    expect(servicesB.scheduler.next()).toEqual(new Date(t0.getTime() + 300_000));
    // … and takes it over once the lease has run out.
    await clockB.advanceTo(new Date(t0.getTime() + 301_000), servicesB.scheduler);
    expect(await storeB.exports("T1", 1)).toMatchObject([{ status: "exported" }]);

    // A finally hears its connection drop; its stale report must not undo B's success.
    wiki.releaseHeld();
    await hung;
    expect(await storeB.exports("T1", 1)).toMatchObject([{ status: "exported", attempts: 2 }]);
    expect(wiki.pages.size).toBe(1);
    expect([...wiki.pages.values()][0]!.version).toBe(2);
    workerA.stop();
    workerB.stop();
    await dbA.close();
    await dbB.close();
  });
});
