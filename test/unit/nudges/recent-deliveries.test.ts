import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RecentDeliveries } from "../../../src/core/nudges/recent-deliveries.js";
import type { DeliveryRequest } from "../../../src/core/nudges/store.js";
import { openDatabase } from "../../../src/storage/database.js";
import { SqlNudgeStore } from "../../../src/storage/nudge-store.js";

const t0 = Date.parse("2026-11-25T00:00:00Z");
const people = ["alice", "bob", "carol"];
const kinds = ["be-kind", "no-hello", "channel-to-thread"];

/** A nudge offered `minute` minutes after t0 to one or two people. */
const offer = fc.record({
  minute: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  kind: fc.constantFrom(...kinds),
  users: fc.uniqueArray(fc.constantFrom(...people), { minLength: 1, maxLength: 2 }),
  cooldownMinutes: fc.constantFrom(0, 20, 240),
});

describe("RecentDeliveries", () => {
  it("refuses only what the store refuses, and spares the store most refusals", async () => {
    let spared = 0;
    let refusedByStore = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(offer, { minLength: 1, maxLength: 60 }), async (offers) => {
        const handle = await openDatabase({ url: ":memory:" });
        try {
          const store = new SqlNudgeStore(handle.db);
          const recent = new RecentDeliveries();
          const sorted = [...offers].sort((a, b) => a.minute - b.minute);
          for (const o of sorted) {
            const at = new Date(t0 + o.minute * 60_000);
            const day = at.toISOString().slice(0, 10);
            const request: DeliveryRequest = {
              workspace: "T1",
              kind: o.kind,
              recipients: o.users.map((user) => ({ user, day })),
              at,
              cooldownMinutes: o.cooldownMinutes,
              dailyCap: 3,
            };
            const shortcut = recent.refuses("T1", o.kind, request.recipients, at, o.cooldownMinutes, 3);
            const decision = await store.recordDelivery(request);
            // Never refuse what the store would allow.
            if (shortcut) expect(decision.ok).toBe(false);
            if (shortcut) spared++;
            if (!decision.ok) refusedByStore++;
            if (decision.ok) recent.record("T1", o.kind, request.recipients, at);
          }
        } finally {
          await handle.close();
        }
      }),
      { numRuns: 60 },
    );
    // With one process, everything the store refuses is known here too.
    expect(spared).toBe(refusedByStore);
  });
});
