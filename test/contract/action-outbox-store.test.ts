import { expect, it } from "vitest";
import type { Action } from "../../src/core/actions.js";
import { SqlActionOutboxStore } from "../../src/storage/action-outbox-store.js";
import { describeEachDatabase } from "../helpers/databases.js";

const t0 = new Date("2026-11-25T09:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);
const CLAIM = 15_000;
const post = (text: string): Action => ({
  workspace: "T1",
  action: "post",
  room: { workspace: "T1", id: "C1", name: "team", kind: "public" },
  text,
  source: "command.decision",
});

describeEachDatabase("ActionOutboxStore", (db) => {
  it("leaves a live replica's unsent action alone, and hands a dead one's to exactly one other replica", async () => {
    const second = await db().reopen();
    const a = new SqlActionOutboxStore(db().handle.db);
    const b = new SqlActionOutboxStore(second.db);
    await a.add(
      "slack",
      { workspace: "T1", key: "k1", action: post("one"), createdAt: t0 },
      "replica-a",
      later(CLAIM),
    );
    // a still holds it (and renews its claim): nothing for b.
    expect(await b.claimAbandoned("slack", "replica-b", later(CLAIM - 1), later(2 * CLAIM), 10)).toEqual([]);
    await a.renew("slack", "replica-a", later(2 * CLAIM));
    expect(await b.claimAbandoned("slack", "replica-b", later(CLAIM + 1), later(3 * CLAIM), 10)).toEqual([]);
    // a died: its claim runs out, one of two replicas sweeping at once gets it, with the action as written.
    const [byB, byC] = await Promise.all([
      b.claimAbandoned("slack", "replica-b", later(2 * CLAIM + 1), later(4 * CLAIM), 10),
      a.claimAbandoned("slack", "replica-c", later(2 * CLAIM + 1), later(4 * CLAIM), 10),
    ]);
    const claimed = [...byB, ...byC];
    expect(claimed).toEqual([
      { workspace: "T1", key: "k1", action: post("one"), attempts: 1, createdAt: t0 },
    ]);
  });

  it("never hands out a sent action, nor another platform's", async () => {
    const store = new SqlActionOutboxStore(db().handle.db);
    await store.add(
      "slack",
      { workspace: "T1", key: "sent", action: post("sent"), createdAt: t0 },
      "a",
      later(1),
    );
    await store.add(
      "matrix",
      { workspace: "T1", key: "other", action: post("other"), createdAt: t0 },
      "a",
      later(1),
    );
    await store.markSent([{ workspace: "T1", key: "sent" }], later(2));
    expect(await store.claimAbandoned("slack", "b", later(10), later(CLAIM), 10)).toEqual([]);
    expect(
      (await store.claimAbandoned("matrix", "b", later(10), later(CLAIM), 10)).map((e) => e.key),
    ).toEqual(["other"]);
    expect(await store.purgeSent(later(3))).toBe(1);
  });

  it("marks many entries sent at once, in several workspaces, and only those", async () => {
    const store = new SqlActionOutboxStore(db().handle.db);
    const entries = [
      ...Array.from({ length: 70 }, (_, i) => ({ workspace: "T1", key: `a${i}` })),
      ...Array.from({ length: 3 }, (_, i) => ({ workspace: "T2", key: `a${i}` })),
    ];
    for (const { workspace, key } of entries)
      await store.add("slack", { workspace, key, action: post(key), createdAt: t0 }, "a", later(1));
    // All but T1's a5: written as several statements (64 + 4 + 1 keys in T1, 2 + 1 in T2).
    await store.markSent(
      entries.filter((e) => !(e.workspace === "T1" && e.key === "a5")),
      later(2),
    );
    expect(
      (await store.claimAbandoned("slack", "b", later(10), later(CLAIM), 100)).map(
        (e) => `${e.workspace}/${e.key}`,
      ),
    ).toEqual(["T1/a5"]);
    expect(await store.purgeSent(later(3))).toBe(72);
  });
});
