import { describe, expect, it } from "vitest";
import { type NewDecision, SupersedeError } from "../../src/core/decisions/store.js";
import { SqlDecisionStore, searchTerms } from "../../src/storage/decision-store.js";
import { describeEachDatabase } from "../helpers/databases.js";

const t0 = new Date("2026-11-25T09:00:00Z");
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

function mkDecision(overrides: Partial<NewDecision> = {}): NewDecision {
  return {
    workspace: "T1",
    title: "Use PostgreSQL for events",
    text: "Use PostgreSQL for events. SQLite stays for the playground.",
    author: { id: "U1", name: "Alice" },
    room: { id: "C1", name: "team" },
    thread: "1700000000.000100",
    link: "https://example.slack.com/archives/C1/p1700000000000100",
    participants: [
      { id: "U1", name: "Alice" },
      { id: "U2", name: "Bob" },
    ],
    at: t0,
    ...overrides,
  };
}

describeEachDatabase("DecisionStore", (db) => {
  it("numbers decisions per workspace and reads them back whole", async () => {
    const store = new SqlDecisionStore(db().handle.db);
    const first = await store.record(mkDecision(), ["markdown"]);
    const second = await store.record(mkDecision({ title: "Second" }), ["markdown"]);
    const other = await store.record(mkDecision({ workspace: "T2" }), ["markdown"]);
    expect([first.id, second.id, other.id]).toEqual(["D-1", "D-2", "D-1"]);
    const read = await store.get("T1", 1);
    expect(read).toEqual(first);
    expect(read).toMatchObject({
      status: "accepted",
      author: { id: "U1", name: "Alice" },
      participants: [{ name: "Alice" }, { name: "Bob" }],
      thread: "1700000000.000100",
    });
    expect(await store.get("T2", 2)).toBeUndefined();
  });

  it("writes one pending outbox row per target with the decision", async () => {
    const store = new SqlDecisionStore(db().handle.db);
    await store.record(mkDecision(), ["webhook", "markdown"]);
    const states = await store.exports("T1", 1);
    expect(states.map((s) => [s.target, s.status, s.attempts])).toEqual([
      ["markdown", "pending", 0],
      ["webhook", "pending", 0],
    ]);
    expect(await store.nextDue()).toEqual(t0);
    await store.record(mkDecision({ workspace: "T2" }), ["markdown"]);
    expect(await store.pendingCount()).toBe(3);
  });

  it("records nothing, exports and number included, when the transaction fails half-way", async () => {
    const store = new SqlDecisionStore(db().handle.db);
    // Superseding a decision that does not exist fails after the new row and its outbox rows were written.
    await expect(store.record(mkDecision({ supersedes: 9 }), ["markdown"])).rejects.toThrow(SupersedeError);
    expect(await store.get("T1", 1)).toBeUndefined();
    expect(await store.list("T1", { limit: 10 })).toEqual([]);
    expect(await store.exports("T1", 1)).toEqual([]);
    expect(await store.nextDue()).toBeUndefined();
    const next = await store.record(mkDecision(), ["markdown"]);
    expect(next.id).toBe("D-1");
  });

  it("lets only one of two connections claim a due row, and lets it be claimed again after its lease", async () => {
    const second = await db().reopen();
    const a = new SqlDecisionStore(db().handle.db);
    const b = new SqlDecisionStore(second.db);
    await a.record(mkDecision(), ["markdown"]);
    const [claimA, claimB] = await Promise.all([a.claimDue(t0, 60_000, 10), b.claimDue(t0, 60_000, 10)]);
    expect(claimA.length + claimB.length).toBe(1);
    expect(await a.claimDue(minutes(0.5), 60_000, 10)).toEqual([]);
    // The claimer "died": after the lease, the row is due again, with its attempt counted.
    const again = await b.claimDue(minutes(2), 60_000, 10);
    expect(again).toMatchObject([{ number: 1, target: "markdown", attempts: 2 }]);
    // The dead claimer's late report is ignored; the live one's counts.
    const stale = claimA[0] ?? claimB[0]!;
    expect(await a.markExported(stale, { ref: "x", location: "x" }, minutes(2))).toBe(false);
    expect(
      await b.markExported(again[0]!, { ref: "0001-a.md", location: "decisions/0001-a.md" }, minutes(2)),
    ).toBe(true);
    expect(await a.exports("T1", 1)).toMatchObject([{ status: "exported", location: "decisions/0001-a.md" }]);
    expect(await a.nextDue()).toBeUndefined();
    expect(await a.pendingCount()).toBe(0);
  });

  it("claims with many parallel workers hand each row to exactly one of them", async () => {
    const handles = [db().handle, await db().reopen(), await db().reopen()];
    const stores = handles.map((h) => new SqlDecisionStore(h.db));
    for (let i = 0; i < 12; i++) await stores[0]!.record(mkDecision(), ["markdown", "webhook"]);
    const claimed = (
      await Promise.all(stores.flatMap((s) => [s.claimDue(t0, 60_000, 5), s.claimDue(t0, 60_000, 5)]))
    ).flat();
    const more = await stores[1]!.claimDue(t0, 60_000, 100);
    const keys = [...claimed, ...more].map((c) => `${c.number}:${c.target}`);
    expect(keys.length).toBe(24);
    expect(new Set(keys).size).toBe(24);
  });

  it("retries, fails for good, and is made due again by requeue with the document's receipt kept", async () => {
    const store = new SqlDecisionStore(db().handle.db);
    await store.record(mkDecision(), ["confluence"]);
    const [first] = await store.claimDue(t0, 60_000, 1);
    await store.markExported(first!, { ref: "page-1", location: "https://wiki/pages/1" }, t0);
    await store.requeue("T1", 1, minutes(1));
    const [second] = await store.claimDue(minutes(1), 60_000, 1);
    expect(second!.previous).toEqual({ ref: "page-1", location: "https://wiki/pages/1" });
    await store.markAttemptFailed(second!, "HTTP 503 from wiki", minutes(1), minutes(5));
    expect(await store.claimDue(minutes(2), 60_000, 1)).toEqual([]);
    expect(await store.nextDue()).toEqual(minutes(5));
    const [third] = await store.claimDue(minutes(5), 60_000, 1);
    await store.markAttemptFailed(third!, "HTTP 401 from wiki", minutes(5), undefined);
    expect(await store.exports("T1", 1)).toMatchObject([
      { status: "failed", attempts: 2, lastError: "HTTP 401 from wiki" },
    ]);
    expect(await store.failures("T1")).toEqual([
      { number: 1, target: "confluence", attempts: 2, error: "HTTP 401 from wiki", failedAt: minutes(5) },
    ]);
    expect(await store.failures("T2")).toEqual([]);
    expect(await store.nextDue()).toBeUndefined();
    expect(await store.requeue("T1", 1, minutes(6))).toBe(1);
    expect(await store.exports("T1", 1)).toMatchObject([{ status: "pending", attempts: 0 }]);
  });

  it("supersedes in the same transaction and queues the old decision's re-export", async () => {
    const store = new SqlDecisionStore(db().handle.db);
    await store.record(mkDecision(), ["markdown"]);
    const [c] = await store.claimDue(t0, 60_000, 1);
    await store.markExported(c!, { ref: "0001.md", location: "0001.md" }, t0);
    const newer = await store.record(
      mkDecision({ title: "Use Kafka", text: "Use Kafka.", supersedes: 1, at: minutes(3) }),
      ["markdown"],
    );
    expect(newer.supersedes).toBe("D-1");
    expect(await store.get("T1", 1)).toMatchObject({ status: "superseded", supersededBy: "D-2" });
    expect((await store.exports("T1", 1))[0]!.status).toBe("pending");
    // Undo of the newer one restores the old and queues its re-export again.
    const states = await store.remove("T1", 2, minutes(4), []);
    expect(states.map((s) => s.target)).toEqual(["markdown"]);
    expect(await store.get("T1", 2)).toBeUndefined();
    const old = await store.get("T1", 1);
    expect(old?.status).toBe("accepted");
    expect(old?.supersededBy).toBeUndefined();
    expect(await store.exports("T1", 2)).toEqual([]);
    // Numbers are not reused after an undo.
    expect((await store.record(mkDecision(), ["markdown"])).id).toBe("D-3");
  });

  it("keeps an undone decision's withdrawal in the outbox, with the decision, until it is carried out", async () => {
    const store = new SqlDecisionStore(db().handle.db);
    const recorded = await store.record(mkDecision(), ["email", "markdown", "webhook"]);
    for (const c of await store.claimDue(t0, 60_000, 3)) {
      if (c.target === "webhook") await store.markAttemptFailed(c, "HTTP 503", t0, minutes(10));
      else await store.markExported(c, { ref: c.target, location: c.target }, t0);
    }
    // Email cannot take it back; markdown was exported; the webhook was tried (its answer may have been lost).
    await store.remove("T1", 1, minutes(2), ["markdown", "webhook"]);
    expect(await store.get("T1", 1)).toBeUndefined();
    expect(await store.nextDue()).toEqual(minutes(2));
    const claimed = (await store.claimDue(minutes(2), 60_000, 5)).sort((a, b) =>
      a.target.localeCompare(b.target),
    );
    expect(claimed.map((c) => [c.target, c.attempts, c.withdraw])).toEqual([
      ["markdown", 1, recorded],
      ["webhook", 1, recorded],
    ]);
    const [markdown, webhook] = claimed;
    expect(await store.finishWithdrawal(markdown!)).toBe(true);
    // A failed withdrawal is retried like an export, and still carries the decision.
    await store.markAttemptFailed(webhook!, "HTTP 503", minutes(2), minutes(3));
    expect(await store.pendingCount()).toBe(1);
    const [again] = await store.claimDue(minutes(3), 60_000, 5);
    expect(again).toMatchObject({ target: "webhook", attempts: 2, withdraw: recorded });
    expect(await store.finishWithdrawal(webhook!)).toBe(false); // a stale claim's report is ignored
    expect(await store.finishWithdrawal(again!)).toBe(true);
    expect(await store.pendingCount()).toBe(0);
    expect(await store.failures("T1")).toEqual([]);
  });

  it("lists newest first, by room and since a date", async () => {
    const store = new SqlDecisionStore(db().handle.db);
    await store.record(mkDecision({ at: new Date("2026-09-20T10:00:00Z") }), []);
    await store.record(
      mkDecision({ room: { id: "C2", name: "ops" }, at: new Date("2026-10-02T10:00:00Z") }),
      [],
    );
    await store.record(mkDecision({ at: new Date("2026-10-05T10:00:00Z") }), []);
    expect((await store.list("T1", { limit: 10 })).map((d) => d.id)).toEqual(["D-3", "D-2", "D-1"]);
    expect((await store.list("T1", { room: "C1", limit: 10 })).map((d) => d.id)).toEqual(["D-3", "D-1"]);
    expect((await store.list("T1", { room: "#ops", limit: 10 })).map((d) => d.id)).toEqual(["D-2"]);
    expect((await store.list("T1", { room: "#C2", limit: 10 })).map((d) => d.id)).toEqual(["D-2"]);
    expect(
      (await store.list("T1", { since: new Date("2026-10-01T00:00:00Z"), limit: 10 })).map((d) => d.id),
    ).toEqual(["D-3", "D-2"]);
    expect((await store.list("T1", { limit: 1 })).map((d) => d.id)).toEqual(["D-3"]);
  });

  it("searches full text, best match first, within the workspace only", async () => {
    const store = new SqlDecisionStore(db().handle.db);
    await store.record(
      mkDecision({ title: "Ship on Fridays", text: "Ship on Fridays. Events are fine." }),
      [],
    );
    await store.record(
      mkDecision({ title: "Events go to PostgreSQL", text: "Events go to PostgreSQL. Events events." }),
      [],
    );
    await store.record(mkDecision({ title: "Lunch at noon", text: "Lunch at noon." }), []);
    await store.record(mkDecision({ workspace: "T2", title: "Events in T2", text: "Events in T2." }), []);
    const found = await store.search("T1", "events", 10);
    expect(found.map((d) => d.id)).toEqual(["D-2", "D-1"]);
    // Any word may match; the decision matching more of them comes first.
    expect((await store.search("T1", "postgresql events", 10)).map((d) => d.id)).toEqual(["D-2", "D-1"]);
    expect((await store.search("T1", "noon", 10)).map((d) => d.id)).toEqual(["D-3"]);
    // Prefixes and stemming: "postgres" finds "PostgreSQL", "shipping" finds "Ship".
    expect((await store.search("T1", "postgres", 10)).map((d) => d.id)).toEqual(["D-2"]);
    expect((await store.search("T1", "shipping", 10)).map((d) => d.id)).toEqual(["D-1"]);
    // Query syntax typed by a user is inert.
    expect(await store.search("T1", 'title:"lunch" OR NEAR(*', 10)).toEqual([
      expect.objectContaining({ id: "D-3" }),
    ]);
    expect(await store.search("T1", "!!! ***", 10)).toEqual([]);
    // Undone decisions are no longer found.
    await store.remove("T1", 2, t0, []);
    expect((await store.search("T1", "events", 10)).map((d) => d.id)).toEqual(["D-1"]);
  });

  it("finds text with no words (emoji, symbols) as typed, and treats % and _ literally", async () => {
    const store = new SqlDecisionStore(db().handle.db);
    await store.record(
      mkDecision({ title: "Celebrate releases", text: "We post 🎉🎉🎉 after each release." }),
      [],
    );
    await store.record(mkDecision({ title: "Votes", text: "A +1 counts as yes; 100% means everyone." }), []);
    await store.record(mkDecision({ workspace: "T2", title: "Party", text: "🎉" }), []);
    expect((await store.search("T1", "🎉", 10)).map((d) => d.id)).toEqual(["D-1"]);
    expect((await store.search("T1", "%", 10)).map((d) => d.id)).toEqual(["D-2"]);
    expect(await store.search("T1", "_", 10)).toEqual([]);
    expect(await store.search("T1", "🚀", 10)).toEqual([]);
  });
});

describe("searchTerms", () => {
  it("keeps only letters and digits", () => {
    expect(searchTerms('"drop table"; -- NEAR(a b) café')).toEqual([
      "drop",
      "table",
      "near",
      "a",
      "b",
      "café",
    ]);
  });
});
