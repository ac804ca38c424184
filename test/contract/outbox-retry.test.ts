/**
 * A send the platform could not complete (unreachable, rate limits beyond the sink's patience) is not
 * lost: the durable outbox lets go of it and a sweep sends it again after a wait, on SQLite and
 * PostgreSQL, with the same key (so the platform can tell a repeat), and marks it sent once.
 */
import { expect, it } from "vitest";
import type { Action } from "../../src/core/actions.js";
import type { ActionSink, Delivery } from "../../src/core/ports.js";
import { silentLogger } from "../../src/logging.js";
import { DurableOutbox } from "../../src/outbox/durable-outbox.js";
import { SqlActionOutboxStore } from "../../src/storage/action-outbox-store.js";
import { describeEachDatabase } from "../helpers/databases.js";

const answer: Action = {
  workspace: "T1",
  action: "reply",
  room: { workspace: "T1", id: "!team", name: "team", kind: "public" },
  thread: "$root",
  text: "Recorded D-1",
  source: "decision.record",
};

/** A homeserver that does not answer the first `failures` sends, then takes them. */
function flakySink(failures: number): ActionSink & { tries: Delivery[]; taken: Delivery[]; said: string[] } {
  const tries: Delivery[] = [];
  const taken: Delivery[] = [];
  const said: string[] = [];
  return {
    tries,
    taken,
    said,
    async deliver(action, delivery) {
      tries.push(delivery!);
      if (tries.length <= failures)
        throw Object.assign(new Error("fetch failed"), { name: "ConnectionError" });
      taken.push(delivery!);
      said.push(action.text);
    },
  };
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeEachDatabase("a failed send, tried again", (db) => {
  /** A running outbox in front of a sink that fails its first `failures` sends; retries after 200 ms. */
  function started(failures: number) {
    const store = new SqlActionOutboxStore(db().handle.db);
    const sink = flakySink(failures);
    const outbox = new DurableOutbox({
      platform: "matrix",
      store,
      sink,
      log: silentLogger,
      holder: "replica-a",
      claimMs: 3000,
      retryMs: 200,
    });
    outbox.start();
    return { store, sink, outbox };
  }

  it("sends it again after the wait, with the same key, once, and leaves nothing unsent", async () => {
    const { store, sink, outbox } = started(2);
    try {
      await outbox.deliver(answer);
      expect(sink.taken).toHaveLength(0);
      await until(() => sink.taken.length === 1);
      expect(sink.tries).toHaveLength(3);
      expect(new Set(sink.tries.map((t) => t.key)).size).toBe(1);
      // A try after one that failed may have reached the platform: the sink is told to look first.
      expect(sink.tries.map((t) => t.mayHaveBeenSent)).toEqual([false, true, true]);
      await new Promise((r) => setTimeout(r, 1500));
      expect(sink.taken).toHaveLength(1);
      const left = await store.claimAbandoned(
        "matrix",
        "replica-b",
        new Date(Date.now() + 7200_000),
        new Date(),
        10,
      );
      expect(left).toEqual([]);
    } finally {
      await outbox.stop();
    }
  });

  it("sends a reserved action's final text when its first send failed, not the text it was saved with", async () => {
    const { sink, outbox } = started(1);
    try {
      // A decision's confirmation: saved before its exports, sent once they said how they went.
      const reserved = await outbox.reserve({ ...answer, text: "Recorded D-1. markdown: pending." });
      await reserved.send("Recorded D-1. Exported to markdown (decisions/0001-x.md).");
      await until(() => sink.taken.length === 1);
      expect(sink.said).toEqual(["Recorded D-1. Exported to markdown (decisions/0001-x.md)."]);
      expect(sink.tries).toHaveLength(2);
    } finally {
      await outbox.stop();
    }
  });
});

describeEachDatabase("sent marks", (db) => {
  it("are written by the time a stop returns, however many sends share them", async () => {
    const store = new SqlActionOutboxStore(db().handle.db);
    const sink = flakySink(0);
    const outbox = new DurableOutbox({ platform: "matrix", store, sink, log: silentLogger, holder: "a" });
    outbox.start();
    await Promise.all(Array.from({ length: 5 }, () => outbox.deliver(answer)));
    await outbox.stop();
    expect(sink.taken).toHaveLength(5);
    // Another replica, once every claim has run out, finds nothing left to send.
    const left = await store.claimAbandoned(
      "matrix",
      "replica-b",
      new Date(Date.now() + 3600_000),
      new Date(),
      10,
    );
    expect(left).toEqual([]);
  });
});
