/**
 * The inbox of events being handled, on SQLite and PostgreSQL:
 * - an event is kept while it is handled, and not written at all if handled before its batch;
 * - a live replica's events are left alone, a dead one's go to exactly one of two replicas sweeping.
 */
import { expect, it } from "vitest";
import { SqlProcessedEventStore } from "../../src/storage/foundation-stores.js";
import { describeEachDatabase } from "../helpers/databases.js";

const later = (ms: number) => new Date(Date.now() + ms);

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
});
