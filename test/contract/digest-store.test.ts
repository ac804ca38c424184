import { expect, it } from "vitest";
import type { MessageFacts } from "../../src/core/digest/store.js";
import { SqlDigestStore } from "../../src/storage/digest-store.js";
import { describeEachDatabase } from "../helpers/databases.js";

const t0 = new Date("2026-11-02T09:00:00Z");
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const room = { id: "C1", name: "payments", kind: "public" as const };
const facts = (id: string, at: Date, extra: Partial<MessageFacts> = {}): MessageFacts => ({
  workspace: "T1",
  room,
  id,
  user: "U1",
  at,
  mentions: [],
  broadcast: false,
  question: false,
  decisionLanguage: false,
  callLink: false,
  ...extra,
});

describeEachDatabase("DigestStore", (db) => {
  it("keeps a room's digest schedule, replaces it on a new setup, and forgets it on off", async () => {
    const store = new SqlDigestStore(db().handle.db);
    await store.saveRoom({ workspace: "T1", room, weekday: 1, time: "09:30", zone: "UTC" }, t0);
    await store.saveRoom(
      { workspace: "T1", room, weekday: 5, time: "16:00", zone: "Europe/Madrid" },
      later(1),
    );
    expect(await store.rooms()).toEqual([
      { workspace: "T1", room, weekday: 5, time: "16:00", zone: "Europe/Madrid", since: later(1) },
    ]);
    expect(await store.removeRoom("T1", "C1")).toBe(true);
    expect(await store.removeRoom("T1", "C1")).toBe(false);
    expect(await store.room("T1", "C1")).toBeUndefined();
  });

  it("keeps a person's catch-up with a pending address, then the confirmed one", async () => {
    const store = new SqlDigestStore(db().handle.db);
    await store.savePerson(
      { workspace: "T1", user: "U1", cadence: "daily", pending: { email: "a@x.org", code: "123456" } },
      t0,
    );
    expect(await store.person("T1", "U1")).toEqual({
      workspace: "T1",
      user: "U1",
      cadence: "daily",
      pending: { email: "a@x.org", code: "123456" },
    });
    await store.savePerson({ workspace: "T1", user: "U1", cadence: "weekly", email: "a@x.org" }, later(1));
    expect(await store.people()).toEqual([
      { workspace: "T1", user: "U1", cadence: "weekly", email: "a@x.org" },
    ]);
    expect(await store.removePerson("T1", "U1")).toBe(true);
  });

  it("records a message's facts once, returns them by time and room, and purges the old ones", async () => {
    const store = new SqlDigestStore(db().handle.db);
    const question = facts("m1", t0, { question: true, mentions: ["U2"] });
    await store.recordMessage(question);
    // A redelivered event is recorded once.
    await store.recordMessage(question);
    await store.recordMessage(facts("m2", later(5), { thread: "m1", user: "U2", callLink: true }));
    await store.recordMessage(facts("m3", later(10), { room: { id: "C2", name: "ops", kind: "private" } }));
    await store.recordMessage(facts("m4", later(10), { workspace: "T2" }));
    const all = await store.messages("T1", t0, later(60));
    expect(all.map((f) => f.id)).toEqual(["m1", "m2", "m3"]);
    expect(all[0]).toEqual(question);
    expect(all[1]).toMatchObject({ thread: "m1", callLink: true, question: false });
    expect((await store.messages("T1", t0, later(60), "C1")).map((f) => f.id)).toEqual(["m1", "m2"]);
    expect((await store.messages("T1", later(1), later(10), "C1")).map((f) => f.id)).toEqual(["m2"]);
    expect(await store.purgeMessages(later(6))).toBe(2);
    expect((await store.messages("T1", t0, later(60))).map((f) => f.id)).toEqual(["m3"]);
  });
  it("writes a burst of facts together: all of them, a redelivery among them once, seen by another process after a flush", async () => {
    const store = new SqlDigestStore(db().handle.db);
    // 300 is not a power of two: the burst goes out as several inserts.
    const burst = Array.from({ length: 300 }, (_, i) =>
      facts(`b${i}`, later(i), { mentions: i % 7 === 0 ? ["U2", "U3"] : [], question: i % 2 === 0 }),
    );
    for (const f of burst) await store.recordMessage(f);
    await store.recordMessage(burst[299]!);
    await store.flush();
    const other = new SqlDigestStore((await db().reopen()).db);
    const seen = await other.messages("T1", t0, later(1000));
    expect(seen).toEqual(burst);
  });

  it("purges to the minute inside facts written together, and keeps the rest readable", async () => {
    const store = new SqlDigestStore(db().handle.db);
    // One flush: the ten facts are kept together, and the purge's cutoff falls among them.
    for (let i = 0; i < 10; i++) await store.recordMessage(facts(`p${i}`, later(i * 10)));
    await store.flush();
    expect(await store.purgeMessages(later(35))).toBe(4);
    expect((await store.messages("T1", t0, later(1000))).map((f) => f.id)).toEqual([
      "p4",
      "p5",
      "p6",
      "p7",
      "p8",
      "p9",
    ]);
    // Nothing older than the cutoff is left to find, even when asked for.
    expect(await store.messages("T1", t0, later(35))).toEqual([]);
    expect(await store.purgeMessages(later(35))).toBe(0);
    expect(await store.purgeMessages(later(1000))).toBe(6);
    expect(await store.messages("T1", t0, later(1000))).toEqual([]);
  });
});
