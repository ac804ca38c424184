import { expect, it } from "vitest";
import type { Rota } from "../../src/core/rota/store.js";
import { SqlRotaStore } from "../../src/storage/rota-store.js";
import { describeEachDatabase } from "../helpers/databases.js";
import { mkRota } from "../helpers/rotas.js";

const t0 = new Date("2026-11-25T09:00:00Z");

function rota(overrides: Partial<Rota> = {}): Rota {
  return mkRota({ roomName: "payments", updatedAt: t0, ...overrides });
}

describeEachDatabase("RotaStore", (db) => {
  it("creates, replaces and lists rotas per workspace and room", async () => {
    const store = new SqlRotaStore(db().handle.db);
    await store.saveRota(rota());
    await store.saveRota(rota({ workspace: "T2", time: "10:00" }));
    await store.saveRota(rota({ holidays: "ES-MD", paused: true, lateAnnouncement: "none", days: [1, 3] }));
    expect(await store.getRota("T1", "C1")).toEqual(
      rota({ holidays: "ES-MD", paused: true, lateAnnouncement: "none", days: [1, 3] }),
    );
    expect((await store.getRota("T2", "C1"))?.time).toBe("10:00");
    expect(await store.getRota("T3", "C1")).toBeUndefined();
    expect((await store.listRotas()).map((r) => r.workspace)).toEqual(["T1", "T2"]);
  });

  it("lists the rotas set up or changed since a time, for replicas to re-sync", async () => {
    const store = new SqlRotaStore(db().handle.db);
    const later = new Date("2026-11-25T10:00:00Z");
    await store.saveRota(rota({ room: "C1" }));
    await store.saveRota(rota({ room: "C2" }));
    await store.saveRota(rota({ workspace: "T2", room: "C3", updatedAt: later }));
    expect(await store.rotasChangedSince(later)).toEqual([{ workspace: "T2", room: "C3" }]);
    // A change of members or absences touches the rota without changing its own settings.
    await store.touchRota("T1", "C2", later);
    await store.touchRota("T1", "nowhere", later);
    expect(await store.rotasChangedSince(later)).toEqual([
      { workspace: "T1", room: "C2" },
      { workspace: "T2", room: "C3" },
    ]);
    expect((await store.getRota("T1", "C2"))?.updatedAt).toEqual(t0);
    expect(await store.rotasChangedSince(new Date("2026-11-25T10:00:00.001Z"))).toEqual([]);
    expect(await store.rotasChangedSince(t0)).toHaveLength(3);
  });

  it("after finding no change, sees the next one whether made here, by another store, or by another process a second later", async () => {
    const handle = db().handle;
    const store = new SqlRotaStore(handle.db, { externalChanges: handle.externalChanges });
    const sameProcess = new SqlRotaStore(handle.db, { externalChanges: handle.externalChanges });
    const otherHandle = await db().reopen();
    const otherProcess = new SqlRotaStore(otherHandle.db, { externalChanges: otherHandle.externalChanges });
    const at = (minute: number) => new Date(t0.getTime() + minute * 60_000);
    await store.saveRota(rota({ room: "C1" }));
    expect(await store.rotasChangedSince(at(1))).toEqual([]);
    expect(await store.rotasChangedSince(at(2))).toEqual([]);
    await store.touchRota("T1", "C1", at(3));
    expect(await store.rotasChangedSince(at(3))).toEqual([{ workspace: "T1", room: "C1" }]);
    expect(await store.rotasChangedSince(at(4))).toEqual([]);
    await sameProcess.saveRota(rota({ room: "C2", updatedAt: at(5) }));
    expect(await store.rotasChangedSince(at(5))).toEqual([{ workspace: "T1", room: "C2" }]);
    expect(await store.rotasChangedSince(at(6))).toEqual([]);
    // Another process's commits are asked about at most once a second (a replica asks once a minute).
    const aSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));
    await otherProcess.touchRota("T1", "C1", at(7));
    await aSecond();
    expect(await store.rotasChangedSince(at(6))).toEqual([{ workspace: "T1", room: "C1" }]);
    expect(await store.rotasChangedSince(at(8))).toEqual([]);
    await otherProcess.saveRota(rota({ room: "C3", updatedAt: at(9) }));
    await aSecond();
    expect(await store.rotasChangedSince(at(8))).toEqual([{ workspace: "T1", room: "C3" }]);
    // An earlier time than any asked before is read afresh.
    expect(await store.rotasChangedSince(t0)).toHaveLength(3);
  });

  it("keeps the member queue in order and the left-the-room mark across reorders", async () => {
    const store = new SqlRotaStore(db().handle.db);
    await store.setMembers("T1", "C1", ["ana", "bob", "cy"]);
    expect(await store.members("T1", "C1")).toEqual(["ana", "bob", "cy"]);
    expect(await store.markLeft("T1", "C1", "bob", t0)).toBe(true);
    expect(await store.markLeft("T1", "C1", "bob", t0)).toBe(false);
    await store.setMembers("T1", "C1", ["cy", "bob", "dee"]);
    expect(await store.members("T1", "C1")).toEqual(["cy", "bob", "dee"]);
    expect(await store.leftMembers("T1", "C1")).toEqual(["bob"]);
    await store.markPresent("T1", "C1", "bob");
    expect(await store.leftMembers("T1", "C1")).toEqual([]);
    expect(await store.members("T2", "C1")).toEqual([]);
  });

  it("loads rotas with their queue, absences and departures, one or all at once, as the per-room reads do", async () => {
    const store = new SqlRotaStore(db().handle.db);
    await store.saveRota(rota({ room: "C2" }));
    await store.saveRota(rota({ room: "C1" }));
    await store.saveRota(rota({ workspace: "T2", room: "C1" }));
    // Inserted out of order, and a room with members but no rota: the rota's reads decide.
    await store.setMembers("T1", "C2", ["cy", "ana", "bob"]);
    await store.setMembers("T1", "C1", ["bob", "ana"]);
    await store.setMembers("T1", "C9", ["zed"]);
    await store.markLeft("T1", "C2", "bob", t0);
    await store.markLeft("T1", "C2", "cy", t0);
    await store.addAway("T1", "C2", { member: "ana", from: "2026-12-24", to: "2026-12-31" });
    await store.addAway("T1", "C2", { member: "cy", from: "2026-11-01", to: "2026-11-03" });
    await store.addAway("T2", "C1", { member: "ana", from: "2026-12-01", to: "2026-12-01" });
    const states = await store.listRotaStates();
    expect(states.map((s) => [s.rota.workspace, s.rota.room])).toEqual([
      ["T1", "C1"],
      ["T1", "C2"],
      ["T2", "C1"],
    ]);
    for (const state of states) {
      const { workspace, room } = state.rota;
      expect(state).toEqual({
        rota: await store.getRota(workspace, room),
        queue: await store.members(workspace, room),
        away: await store.awayRanges(workspace, room),
        left: await store.leftMembers(workspace, room),
      });
      expect(await store.rotaState(workspace, room)).toEqual(state);
    }
    expect(await store.rotaState("T1", "C9")).toBeUndefined();
    expect(states[1]).toMatchObject({ queue: ["cy", "ana", "bob"], left: ["cy", "bob"] });
    expect(states[2]?.queue).toEqual([]);
  });

  it("stores absences and ends the current and future ones on back", async () => {
    const store = new SqlRotaStore(db().handle.db);
    await store.addAway("T1", "C1", { member: "ana", from: "2026-11-01", to: "2026-11-03" });
    await store.addAway("T1", "C1", { member: "ana", from: "2026-12-24", to: "2026-12-31" });
    await store.addAway("T1", "C1", { member: "bob", from: "2026-12-24", to: "2026-12-25" });
    expect(await store.endAway("T1", "C1", "ana", "2026-12-01")).toBe(1);
    expect(await store.awayRanges("T1", "C1")).toEqual([
      { member: "ana", from: "2026-11-01", to: "2026-11-03" },
      { member: "bob", from: "2026-12-24", to: "2026-12-25" },
    ]);
  });

  it("records one turn per local date, replaced by a skip, with history and counts", async () => {
    const store = new SqlRotaStore(db().handle.db);
    await store.recordTurn("T1", "C1", {
      date: "2026-11-23",
      responder: "ana",
      announcedAt: t0,
      late: false,
      skipped: [],
    });
    await store.recordTurn("T1", "C1", {
      date: "2026-11-24",
      responder: "bob",
      announcedAt: t0,
      late: true,
      skipped: [],
    });
    await store.recordTurn("T1", "C1", {
      date: "2026-11-25",
      responder: "ana",
      announcedAt: t0,
      late: false,
      skipped: [],
    });
    await store.recordTurn("T1", "C1", {
      date: "2026-11-25",
      responder: "cy",
      announcedAt: t0,
      late: false,
      skipped: ["ana"],
    });
    expect(await store.turnOn("T1", "C1", "2026-11-25")).toEqual({
      date: "2026-11-25",
      responder: "cy",
      announcedAt: t0,
      late: false,
      skipped: ["ana"],
    });
    expect((await store.recentTurns("T1", "C1", 2)).map((t) => t.date)).toEqual(["2026-11-25", "2026-11-24"]);
    expect(await store.turnCounts("T1", "C1", "2026-11-24")).toEqual(
      new Map([
        ["bob", 1],
        ["cy", 1],
      ]),
    );
    expect(await store.turnOn("T2", "C1", "2026-11-25")).toBeUndefined();
  });

  it("tracks questions: answered ones leave the hand-over, a nudge happens once", async () => {
    const store = new SqlRotaStore(db().handle.db);
    const q = {
      workspace: "T1",
      room: "C1",
      messageId: "m1",
      asker: "zed",
      askedAt: t0,
      dueAt: new Date("2026-11-25T09:30:00Z"),
      answeredAt: null,
      nudgedAt: null,
    };
    await store.addQuestion(q);
    await store.addQuestion({ ...q, messageId: "m2", askedAt: new Date("2026-11-25T10:00:00Z") });
    await store.addQuestion({ ...q, asker: "someone-else" });
    expect(await store.getQuestion("T1", "C1", "m1")).toEqual(q);
    expect((await store.questionsAwaitingNudge()).map((x) => x.messageId)).toEqual(["m1", "m2"]);
    expect(await store.markNudged("T1", "C1", "m1", t0)).toBe(true);
    expect(await store.markNudged("T1", "C1", "m1", t0)).toBe(false);
    expect((await store.questionsAwaitingNudge()).map((x) => x.messageId)).toEqual(["m2"]);
    await store.markAnswered("T1", "C1", "m2", t0);
    expect(await store.questionsAwaitingNudge()).toEqual([]);
    expect((await store.unansweredQuestions("T1", "C1", t0)).map((x) => x.messageId)).toEqual(["m1"]);
    expect(await store.unansweredQuestions("T2", "C1", t0)).toEqual([]);
    expect(await store.purgeQuestions(new Date("2026-11-25T09:30:00Z"))).toBe(1);
    expect(await store.getQuestion("T1", "C1", "m1")).toBeUndefined();
    expect(await store.getQuestion("T1", "C1", "m2")).toBeDefined();
  });

  it("lets only one of two connections mark a member as left", async () => {
    const a = new SqlRotaStore(db().handle.db);
    const b = new SqlRotaStore((await db().reopen()).db);
    await a.setMembers("T1", "C1", ["ana"]);
    const results = await Promise.all([a.markLeft("T1", "C1", "ana", t0), b.markLeft("T1", "C1", "ana", t0)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
