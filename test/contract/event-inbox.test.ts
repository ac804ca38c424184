/**
 * The inbox of events being handled, and the keys of what they cause, on SQLite and PostgreSQL:
 * - an event is kept while it is handled, and not written at all if handled before its batch;
 * - a live replica's events are left alone, a dead one's go to exactly one of two replicas sweeping;
 * - handled again after a crash, an event takes none of its actions a second time: they have the
 *   same keys, and the outbox sends the first run's rows, once.
 */
import { expect, it } from "vitest";
import type { Action } from "../../src/core/actions.js";
import type { ActionSink, Delivery } from "../../src/core/ports.js";
import { silentLogger } from "../../src/logging.js";
import { forCause } from "../../src/outbox/cause.js";
import { DurableOutbox } from "../../src/outbox/durable-outbox.js";
import { SqlActionOutboxStore } from "../../src/storage/action-outbox-store.js";
import { SqlProcessedEventStore } from "../../src/storage/foundation-stores.js";
import { describeEachDatabase } from "../helpers/databases.js";

const later = (ms: number) => new Date(Date.now() + ms);

function reply(text: string): Action {
  return {
    workspace: "T1",
    action: "reply",
    room: { workspace: "T1", id: "C1", name: "team", kind: "public" },
    thread: "1.0",
    text,
    source: "test",
  };
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeEachDatabase("the event inbox", (db) => {
  it("keeps an event while it is handled, and hands a dead replica's to exactly one other", async () => {
    const inbox = new SqlProcessedEventStore(db().handle.db);
    const kept = (eventId: string, holder: string, ms: number) => ({
      payload: () => `{"event_id":"${eventId}"}`,
      receivedAt: new Date(),
      holder,
      until: () => later(ms),
    });
    const rows = async () =>
      (await db().handle.db.selectFrom("event_inbox").select("event_id").orderBy("event_id").execute()).map(
        (r) => r.event_id,
      );
    expect(await inbox.markProcessed("T1", "Ev1", new Date())).toBe(true);
    inbox.keep("T1", "Ev1", kept("Ev1", "a", -1000));
    // Slack's retry of the same event is a duplicate (and the keep is written with its batch).
    expect(await inbox.markProcessed("T1", "Ev1", new Date())).toBe(false);
    // Handled before its batch was written: never written at all.
    await inbox.markProcessed("T1", "Ev2", new Date());
    inbox.keep("T1", "Ev2", kept("Ev2", "a", -1000));
    inbox.handled("T1", "Ev2");
    await inbox.markProcessed("T1", "Ev3", new Date());
    inbox.keep("T1", "Ev3", kept("Ev3", "c", 60_000));
    await inbox.markProcessed("T1", "Ev4", new Date());
    expect(await rows()).toEqual(["Ev1", "Ev3"]);

    // Replica a stopped renewing (its claim ran out); c lives. Two other replicas sweep at once.
    const x = new SqlProcessedEventStore(db().handle.db);
    const y = new SqlProcessedEventStore(db().handle.db);
    const [byX, byY] = await Promise.all([
      x.claimAbandoned("x", new Date(), later(15_000), 10),
      y.claimAbandoned("y", new Date(), later(15_000), 10),
    ]);
    expect([...byX, ...byY]).toEqual([{ workspace: "T1", eventId: "Ev1", payload: `{"event_id":"Ev1"}` }]);

    // Handled by the one that took it over, and by c: let go of with the next batch.
    (byX.length ? x : y).handled("T1", "Ev1");
    inbox.handled("T1", "Ev3");
    await Promise.all([x, y, inbox].map((s, i) => s.markProcessed("T1", `Ev${5 + i}`, new Date())));
    expect(await rows()).toEqual([]);
  });

  it("takes no action twice when an event is handled again after a crash", async () => {
    const store = new SqlActionOutboxStore(db().handle.db);
    const sent: Delivery[] = [];
    // Replica a sends nothing before it dies: its sink never answers.
    const stuck: ActionSink = { deliver: () => new Promise(() => {}) };
    const taking: ActionSink = {
      async deliver(_action, delivery) {
        sent.push(delivery!);
      },
    };
    const outbox = (holder: string, sink: ActionSink) =>
      new DurableOutbox({ platform: "slack", store, sink, log: silentLogger, holder, claimMs: 1000 });
    const handle = (o: DurableOutbox) =>
      forCause("slack:T1:Ev1", async () => {
        void o.deliver(reply("Recorded D-1"));
        await new Promise((r) => setTimeout(r, 50));
        void o.deliver(reply("And a second answer"));
        await new Promise((r) => setTimeout(r, 50));
      });
    await handle(outbox("replica-a", stuck));

    // After the crash replica b handles the event again, and sweeps up a's rows once their claims ran out.
    const b = outbox("replica-b", taking);
    await handle(b);
    expect(sent).toEqual([]);
    b.start();
    try {
      await until(() => sent.length >= 2);
      await new Promise((r) => setTimeout(r, 1500));
      expect(sent).toHaveLength(2);
      expect(new Set(sent.map((d) => d.key))).toEqual(new Set(["slack:T1:Ev1#1", "slack:T1:Ev1#2"]));
    } finally {
      await b.stop();
    }
  });
});
