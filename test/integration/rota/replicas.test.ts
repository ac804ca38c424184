/**
 * Several replicas on one database: a rota set up or changed through one engine is announced at its
 * new time by the others too (a stale timer re-reads the database before claiming, and every engine
 * re-syncs changed rotas periodically), still exactly once in total, also when the engine that took
 * the command has stopped. Runs on a shared SQLite file and on PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReplayOutput } from "../../../src/adapters/local/scenario.js";
import { POSTGRES_URL } from "../../helpers/databases.js";
import { ScenarioSession } from "../../helpers/scenario.js";

const ROOM = "#payments";
const room = (at: string) => ({ type: "room", at, room: ROOM, members: ["ana", "bob", "cy"] });
const command = (at: string, text: string) => ({ type: "command", at, user: "ana", room: ROOM, text });

/** The daily announcements: [UTC minute, responder]. */
const announcements = (outputs: ReplayOutput[]) =>
  outputs
    .filter((o) => o.source === "rota.announce" && o.action === "post")
    .map((o) => [o.at.slice(0, 16), o.mentions?.[0] ?? ""]);

/** Opens engine A, then engine B on the same database; `run` drives them; both are closed after. */
async function twoEngines(
  databaseUrl: string,
  run: (a: ScenarioSession, b: ScenarioSession) => Promise<void>,
  settings: Record<string, unknown> = {},
): Promise<void> {
  const a = await new ScenarioSession({ databaseUrl, settings }).open();
  const b = await new ScenarioSession({ databaseUrl, settings }).open();
  try {
    await run(a, b);
  } finally {
    await b.close();
    await a.close();
  }
}

/** Moves both clocks through the same instants, B first: whoever fires first claims. */
async function advanceBoth(a: ScenarioSession, b: ScenarioSession, ...instants: string[]) {
  const outputs: ReplayOutput[] = [];
  for (const at of instants) outputs.push(...(await b.advanceTo(at)), ...(await a.advanceTo(at)));
  return outputs;
}

/**
 * Moves a running replica's clock to `until` the way time passes for a live process, a sync interval at
 * a time. (One big `advanceTo` is a replay's jump: its missed syncs collapse into one at the end.)
 */
async function live(session: ScenarioSession, until: string, stepMs = 60_000): Promise<ReplayOutput[]> {
  const outputs: ReplayOutput[] = [];
  const end = Date.parse(until);
  for (let t = session.platform.clock.now().getTime() + stepMs; t < end; t += stepMs) {
    outputs.push(...(await session.advanceTo(new Date(t).toISOString())));
  }
  outputs.push(...(await session.advanceTo(until)));
  return outputs;
}

/** `/rota time 11:00` through A after both armed 09:00: nobody announces at 09:00, one post at 11:00. */
async function retimedThroughA(databaseUrl: string, settings: Record<string, unknown> = {}) {
  let outputs: ReplayOutput[] = [];
  await twoEngines(
    databaseUrl,
    async (a, b) => {
      await a.feed([
        room("2026-11-23T07:00:00Z"),
        command("2026-11-23T07:00:00Z", "/rota setup @ana @bob @cy"),
      ]);
      // B starts after the rota exists, so it arms 09:00 from the database.
      await b.feed([room("2026-11-23T07:30:00Z")]);
      // B runs up to just before the change (and has synced by then); then A takes the command.
      await b.advanceTo("2026-11-23T08:45:00Z");
      await a.feed([command("2026-11-23T08:50:00Z", "/rota time 11:00")]);
      outputs = await advanceBoth(
        a,
        b,
        "2026-11-23T09:30:00Z",
        "2026-11-23T12:00:00Z",
        "2026-11-24T12:00:00Z",
      );
    },
    settings,
  );
  expect(announcements(outputs)).toEqual([
    ["2026-11-23T11:00", "ana"],
    ["2026-11-24T11:00", "bob"],
  ]);
  // One hand-over per announcement: the turn was taken once.
  expect(outputs.filter((o) => o.action === "dm")).toHaveLength(2);
}

/** A rota set up through A while B runs, then A stops: B announces it, at the time A last set. */
async function setUpThroughAThenAStops(databaseUrl: string) {
  const b = await new ScenarioSession({ databaseUrl }).open();
  try {
    await b.feed([room("2026-11-23T06:00:00Z")]);
    const a = await new ScenarioSession({ databaseUrl }).open();
    try {
      await a.feed([
        room("2026-11-23T07:00:00Z"),
        command("2026-11-23T07:00:00Z", "/rota setup @ana @bob @cy"),
      ]);
      // Moved earlier than B could know from any timer of its own.
      await a.feed([command("2026-11-23T07:10:00Z", "/rota time 08:30")]);
    } finally {
      await a.close();
    }
    const outputs = await live(b, "2026-11-24T12:00:00Z");
    expect(announcements(outputs)).toEqual([
      ["2026-11-23T08:30", "ana"],
      ["2026-11-24T08:30", "bob"],
    ]);
  } finally {
    await b.close();
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "outloud-rota-replicas-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A PostgreSQL URL whose every connection works in a fresh schema of the test's own, dropped after. */
async function withPostgres(run: (url: string) => Promise<void>): Promise<void> {
  const schema = `t_rota_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    await run(`${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`);
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

describe("a rota re-timed through another replica", () => {
  it("is announced at the new time only, once in total, on SQLite", async () => {
    await retimedThroughA(join(dir, "shared.sqlite"));
  });

  it("is announced at the new time only, once in total, on PostgreSQL", async () => {
    await withPostgres((url) => retimedThroughA(url));
  });

  it("is not announced at the old time even before the next sync: the timer re-reads the rota", async () => {
    // An hour between syncs: B's 09:00 timer fires before B could have re-synced the 08:50 change.
    await retimedThroughA(join(dir, "shared.sqlite"), { rota: { syncSeconds: 3600 } });
  });
});

describe("a rota paused through another replica", () => {
  it("is not announced by the replica whose timer was armed before, and resumed on it after", async () => {
    let outputs: ReplayOutput[] = [];
    await twoEngines(
      join(dir, "shared.sqlite"),
      async (a, b) => {
        await a.feed([
          room("2026-11-23T07:00:00Z"),
          command("2026-11-23T07:00:00Z", "/rota setup @ana @bob @cy"),
        ]);
        await b.feed([room("2026-11-23T07:30:00Z")]);
        await a.feed([command("2026-11-23T08:59:00Z", "/rota pause")]);
        outputs = await advanceBoth(a, b, "2026-11-24T12:00:00Z");
        await a.feed([command("2026-11-24T12:00:00Z", "/rota resume")]);
        // Only B runs on Wednesday: it learnt of the resume through its own sync.
        outputs.push(...(await live(b, "2026-11-25T12:00:00Z", 3_600_000)));
      },
      { rota: { syncSeconds: 3600 } },
    );
    expect(announcements(outputs)).toEqual([["2026-11-25T09:00", "ana"]]);
  });
});

describe("a question in a room whose rota was set up through another replica", () => {
  it("is escalated by the replica that sees it, once that replica has synced", async () => {
    let outputs: ReplayOutput[] = [];
    await twoEngines(join(dir, "shared.sqlite"), async (a, b) => {
      // B is running before the rota exists: only its periodic sync can tell it about the room.
      await b.feed([room("2026-11-23T06:00:00Z")]);
      await a.feed([
        room("2026-11-23T07:00:00Z"),
        command("2026-11-23T07:00:00Z", "/rota setup @ana @bob @cy"),
      ]);
      await live(b, "2026-11-23T08:00:00Z");
      await b.feed([
        {
          type: "message",
          at: "2026-11-23T10:00:00Z",
          id: "q1",
          user: "zed",
          room: ROOM,
          text: "Does the refund API support EUR?",
        },
      ]);
      outputs = await live(b, "2026-11-23T11:00:00Z");
    });
    expect(outputs.filter((o) => o.source === "rota.question").map((o) => [o.at, o.thread, o.text])).toEqual([
      [
        "2026-11-23T10:30:00.000Z",
        "q1",
        "@ana, today's responder: could you pick up this question from @zed?",
      ],
    ]);
  });
});

describe("a rota set up through a replica that then stops", () => {
  it("is announced by the replica still running, on SQLite", async () => {
    await setUpThroughAThenAStops(join(dir, "shared.sqlite"));
  });

  it("is announced by the replica still running, on PostgreSQL", async () => {
    await withPostgres((url) => setUpThroughAThenAStops(url));
  });
});
