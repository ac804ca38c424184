/**
 * The cause of an action (an occurrence's claim, the writes that go with it) and the action's outbox
 * row are saved in one transaction, on SQLite and PostgreSQL: a failure half-way (a crash, a write
 * that fails) leaves neither, so the occurrence is done later, once; a commit leaves both, and the
 * action is handed to the platform only then.
 */
import { expect, it } from "vitest";
import type { Action } from "../../src/core/actions.js";
import type { ActionSink } from "../../src/core/ports.js";
import { silentLogger } from "../../src/logging.js";
import { DurableOutbox } from "../../src/outbox/durable-outbox.js";
import { SqlActionOutboxStore } from "../../src/storage/action-outbox-store.js";
import { SqlClaimStore } from "../../src/storage/foundation-stores.js";
import { withTransaction } from "../../src/storage/resilient-driver.js";
import { describeEachDatabase, refuseInserts } from "../helpers/databases.js";

const at = new Date("2026-11-25T09:00:00Z");
const announcement: Action = {
  workspace: "T1",
  action: "post",
  room: { workspace: "T1", id: "C1", name: "team", kind: "public" },
  text: "Today's responder is @ana",
  source: "rota.announce",
};

/** The platform: records what it was asked to carry out. */
function recordingSink(): ActionSink & { delivered: Action[] } {
  const delivered: Action[] = [];
  return {
    delivered,
    async deliver(action) {
      delivered.push(action);
    },
  };
}

describeEachDatabase("a cause and its actions, in one transaction", (db) => {
  function parts() {
    const handle = db().handle;
    const sink = recordingSink();
    const store = new SqlActionOutboxStore(handle.db);
    const outbox = new DurableOutbox({
      platform: "slack",
      store,
      sink,
      log: silentLogger,
      holder: "replica-a",
      afterCommit: (then) => handle.afterCommit(then),
    });
    const unsent = () => store.claimAbandoned("slack", "replica-b", new Date(Date.now() + 3600_000), at, 10);
    return { handle, sink, outbox, unsent, claims: new SqlClaimStore(handle.db) };
  }

  it("keeps neither the claim nor the action when the work fails half-way, and both when it commits", async () => {
    const { handle, sink, outbox, unsent, claims } = parts();
    const announce = (fail: boolean) =>
      handle.atomically(async () => {
        if (!(await claims.claim("T1", "rota:C1:2026-11-25", at))) return false;
        await outbox.deliver(announcement);
        if (fail) throw new Error("the process died here");
        // Written, not sent: the platform hears of it once it is saved.
        expect(sink.delivered).toEqual([]);
        return true;
      });

    await expect(announce(true)).rejects.toThrow("the process died here");
    expect(await claims.isClaimed("T1", "rota:C1:2026-11-25")).toBe(false);
    expect(await unsent()).toEqual([]);
    expect(sink.delivered).toEqual([]);

    // Done again later (the late announcement after a restart): exactly once.
    expect(await announce(false)).toBe(true);
    expect(await announce(false)).toBe(false);
    await outbox.stop();
    expect(sink.delivered).toEqual([announcement]);
    expect(await claims.isClaimed("T1", "rota:C1:2026-11-25")).toBe(true);
  });

  it("saves a reserved action with its cause and sends it, with its final text, only when told", async () => {
    const { handle, sink, outbox, claims } = parts();
    const reserved = await handle.atomically(async () => {
      await claims.claim("T1", "decision:reaction:C1:m2", at);
      return outbox.reserve({ ...announcement, text: "Recorded D-1. markdown: pending." });
    });
    // Committed, not sent: the exports come first.
    expect(sink.delivered).toEqual([]);
    await reserved.send("Recorded D-1. Exported to markdown.");
    await outbox.stop();
    expect(sink.delivered).toEqual([{ ...announcement, text: "Recorded D-1. Exported to markdown." }]);
  });

  it("sends a reserved action as saved when its replica died before sending it", async () => {
    const { handle, sink, outbox, unsent, claims } = parts();
    await handle.atomically(async () => {
      await claims.claim("T1", "decision:reaction:C1:m2", at);
      await outbox.reserve({ ...announcement, text: "Recorded D-1. markdown: pending." });
    });
    // replica-a is gone (its claim not renewed): replica-b takes the row over and sends what was saved.
    const [left, ...more] = await unsent();
    expect(more).toEqual([]);
    expect(left!.action).toEqual({ ...announcement, text: "Recorded D-1. markdown: pending." });
    expect(sink.delivered).toEqual([]);
  });

  it("gives up the claim when the action cannot be written", async () => {
    const { handle, sink, outbox, claims } = parts();
    // The outbox refuses every row, as a full disk would.
    await refuseInserts(handle, "action_outbox");
    await expect(
      handle.atomically(async () => {
        await claims.claim("T1", "rota:C1:2026-11-25", at);
        await outbox.deliver(announcement);
      }),
    ).rejects.toThrow("disk full");
    expect(await claims.isClaimed("T1", "rota:C1:2026-11-25")).toBe(false);
    await outbox.stop();
    expect(sink.delivered).toEqual([]);
  });

  it("makes a store's own transaction inside a part of it", async () => {
    const { handle, claims } = parts();
    await handle.atomically(async () => {
      await claims.claim("T1", "outer", at);
      // A nested transaction that fails is undone alone; the enclosing one goes on.
      await expect(
        withTransaction(handle.db, async (trx) => {
          await new SqlClaimStore(trx).claim("T1", "nested", at);
          throw new Error("nested failure");
        }),
      ).rejects.toThrow("nested failure");
      await withTransaction(handle.db, (trx) => new SqlClaimStore(trx).claim("T1", "nested-kept", at));
    });
    expect(await claims.isClaimed("T1", "outer")).toBe(true);
    expect(await claims.isClaimed("T1", "nested")).toBe(false);
    expect(await claims.isClaimed("T1", "nested-kept")).toBe(true);
  });

  it("undoes exactly the failed one of transactions nested in each other, after others rolled back", async () => {
    const { handle, claims } = parts();
    const nested = (key: string, work: () => Promise<unknown> = async () => undefined, fail = false) =>
      withTransaction(handle.db, async (trx) => {
        await new SqlClaimStore(trx).claim("T1", key, at);
        await work();
        if (fail) throw new Error(`${key} failed`);
      });
    await handle.atomically(async () => {
      await expect(nested("first-refused", undefined, true)).rejects.toThrow();
      await nested("kept", () => nested("kept-inner"));
      // The inner one fails and is undone; then the outer fails too, and all of it is undone.
      await expect(
        nested(
          "outer-refused",
          () => expect(nested("inner-refused", undefined, true)).rejects.toThrow(),
          true,
        ),
      ).rejects.toThrow("outer-refused failed");
      await nested("last", () => expect(nested("last-inner", undefined, true)).rejects.toThrow());
    });
    const claimed = async (key: string) => claims.isClaimed("T1", key);
    expect(await claimed("first-refused")).toBe(false);
    expect(await claimed("kept")).toBe(true);
    expect(await claimed("kept-inner")).toBe(true);
    expect(await claimed("outer-refused")).toBe(false);
    expect(await claimed("inner-refused")).toBe(false);
    expect(await claimed("last")).toBe(true);
    expect(await claimed("last-inner")).toBe(false);
  });

  it("gathers every query of a transaction begun beside another that ends first, and of the next", async () => {
    const { handle, claims } = parts();
    let release!: () => void;
    const later = new Promise<void>((resolve) => {
      release = resolve;
    });
    const long = handle.atomically(async () => {
      await claims.claim("T1", "long-before", at);
      await later;
      // The short one has committed meanwhile: this one's queries still join its own transaction.
      await claims.claim("T1", "long-after", at);
      throw new Error("long one failed");
    });
    const short = handle.atomically(() => claims.claim("T1", "short", at));
    // SQLite's one connection runs transactions one after the other: there the long one must end first.
    if (handle.dialect === "sqlite") release();
    await short.finally(release);
    await expect(long).rejects.toThrow("long one failed");
    await expect(
      handle.atomically(async () => {
        await claims.claim("T1", "next", at);
        throw new Error("next failed");
      }),
    ).rejects.toThrow("next failed");
    expect(await claims.isClaimed("T1", "short")).toBe(true);
    expect(await claims.isClaimed("T1", "long-before")).toBe(false);
    expect(await claims.isClaimed("T1", "long-after")).toBe(false);
    expect(await claims.isClaimed("T1", "next")).toBe(false);
  });
});
