/**
 * Restarts and several processes on one file database: announcements survive restarts, a missed one is
 * posted once, late (or not at all, as configured), and two engines claim each occurrence once.
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
const setup = [
  { type: "room", at: "2026-11-23T07:00:00Z", room: ROOM, members: ["ana", "bob", "cy"] },
  {
    type: "command",
    at: "2026-11-23T07:00:00Z",
    user: "ana",
    room: ROOM,
    text: "/rota setup @ana @bob @cy at 09:00",
  },
];
const posts = (outputs: ReplayOutput[]) =>
  outputs
    .filter((o) => o.source === "rota.announce" && o.action === "post")
    .map((o) => [o.at.slice(0, 16), o.text] as const);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "outloud-rota-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("restart across the announcement time", () => {
  it("posts one late announcement for today only, never a burst of missed days", async () => {
    const session = await new ScenarioSession({ databaseUrl: join(dir, "outloud.sqlite") }).open();
    try {
      await session.feed([...setup, { type: "tick", at: "2026-11-23T12:00:00Z" }]);
      // Down from Monday noon until Thursday 10:30: Tuesday, Wednesday and Thursday 09:00 were missed.
      const atStart = await session.restart("2026-11-26T10:30:00Z");
      expect(posts(atStart)).toEqual([
        [
          "2026-11-26T10:30",
          "Today's responder is @bob (late: I was offline at announcement time): they answer questions from other teams here today, so everyone else can focus.",
        ],
      ]);
      // The queue moved once for the missed days: cy is next on Friday, at the normal time.
      const friday = await session.advanceTo("2026-11-27T12:00:00Z");
      expect(posts(friday).map(([at, text]) => [at, text.split(":")[0]])).toEqual([
        ["2026-11-27T09:00", "Today's responder is @cy"],
      ]);
      // A second restart the same day announces nothing more.
      expect(posts(await session.restart("2026-11-27T13:00:00Z"))).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("announces at the normal time when back before it, and nothing late when configured so", async () => {
    const session = await new ScenarioSession({
      databaseUrl: join(dir, "outloud.sqlite"),
      settings: { rota: { lateAnnouncement: "none" } },
    }).open();
    try {
      await session.feed([...setup, { type: "tick", at: "2026-11-23T12:00:00Z" }]);
      expect(posts(await session.restart("2026-11-24T08:00:00Z"))).toEqual([]);
      expect(posts(await session.advanceTo("2026-11-24T10:00:00Z")).map(([at]) => at)).toEqual([
        "2026-11-24T09:00",
      ]);
      // Down over Wednesday's announcement: with `none`, Wednesday has no announcement at all.
      expect(posts(await session.restart("2026-11-25T11:00:00Z"))).toEqual([]);
      const thursday = await session.advanceTo("2026-11-26T10:00:00Z");
      expect(posts(thursday).map(([at, text]) => [at, text.split(":")[0]])).toEqual([
        ["2026-11-26T09:00", "Today's responder is @cy"],
      ]);
    } finally {
      await session.close();
    }
  });
});

describe("restart on the day a rota was set up", () => {
  it("posts nothing late when the rota did not exist at today's time", async () => {
    const session = await new ScenarioSession({ databaseUrl: join(dir, "outloud.sqlite") }).open();
    try {
      await session.feed([
        { type: "room", at: "2026-11-23T12:00:00Z", room: ROOM, members: ["ana", "bob"] },
        {
          type: "command",
          at: "2026-11-23T12:00:00Z",
          user: "ana",
          room: ROOM,
          text: "/rota setup @ana @bob",
        },
      ]);
      expect(posts(await session.restart("2026-11-23T13:00:00Z"))).toEqual([]);
      const tuesday = await session.advanceTo("2026-11-24T10:00:00Z");
      expect(posts(tuesday).map(([when]) => when)).toEqual(["2026-11-24T09:00"]);
    } finally {
      await session.close();
    }
  });
});

/** Two ScenarioSessions on one database, each arming its own timers: what both posted, in order. */
async function twoEngines(databaseUrl: string): Promise<ReplayOutput[]> {
  const first = await new ScenarioSession({ databaseUrl }).open();
  const second = await new ScenarioSession({ databaseUrl }).open();
  try {
    await first.feed(setup);
    // The second process starts after the rota exists and arms its own timer from the database.
    await second.feed([
      { type: "room", at: "2026-11-23T07:30:00Z", room: ROOM, members: ["ana", "bob", "cy"] },
    ]);
    const outputs: ReplayOutput[] = [];
    for (const at of ["2026-11-23T10:00:00Z", "2026-11-24T10:00:00Z", "2026-11-25T10:00:00Z"]) {
      outputs.push(...(await second.advanceTo(at)), ...(await first.advanceTo(at)));
    }
    return outputs;
  } finally {
    await second.close();
    await first.close();
  }
}

describe("two engines on one database", () => {
  const expectOnceADay = (outputs: ReplayOutput[]) => {
    const daily = posts(outputs).map(([at, text]) => [at, text.split(":")[0]]);
    expect(daily).toEqual([
      ["2026-11-23T09:00", "Today's responder is @ana"],
      ["2026-11-24T09:00", "Today's responder is @bob"],
      ["2026-11-25T09:00", "Today's responder is @cy"],
    ]);
    expect(outputs.filter((o) => o.action === "dm")).toHaveLength(3);
  };

  it("claims each occurrence once on SQLite: one announcement a day, one turn taken", async () => {
    expectOnceADay(await twoEngines(join(dir, "shared.sqlite")));
  });

  it("claims each occurrence once on PostgreSQL", async () => {
    const schema = `t_rota_${randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    try {
      // Each connection of both engines works in the test's own schema.
      const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      expectOnceADay(await twoEngines(url));
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });
});
