/**
 * Timed and claimed work saves its claim together with what it says (issue 15): the weekly digest,
 * the personal catch-up, the notice that an export failed for good, the note to a rota's owner that
 * it cannot do its job, the suggestion to write a decision down, and a decision captured by
 * reaction or by command. The replay engine runs here with the durable outbox of the live platforms, on SQLite and
 * PostgreSQL. A write that the database refuses half-way (as a full disk does) stands in for a crash
 * between the claim and the rest: nothing may be claimed that was not saved with it, so the work is
 * done once it can be, and once only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_WORKSPACE, parseRoomRef } from "../../../src/adapters/local/rooms.js";
import type { ReplayOutput } from "../../../src/adapters/local/scenario.js";
import { refuseInserts } from "../../helpers/databases.js";
import { createSchema, type PostgresSchema } from "../../helpers/postgres-schemas.js";
import { ScenarioSession } from "../../helpers/scenario.js";
import { commandLine, dayAt, messageLine } from "../../helpers/scenario-lines.js";

const ROOM = "#payments";
/** 2026-11-02 is a Monday. */
const at = (day: number, time: string) => dayAt(11, day, time);
const cmd = (when: string, user: string, text: string) => commandLine(when, user, text, ROOM);
const msg = (when: string, id: string, user: string, text: string, extra: Record<string, unknown> = {}) =>
  messageLine(when, id, user, text, ROOM, extra);
const from = (source: string, outputs: ReplayOutput[]) => outputs.filter((o) => o.source === source);

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`a claim is saved with what it says [${kind}]`, () => {
    let dir: string;
    let schema: PostgresSchema | undefined;
    let databaseUrl: string;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), "outloud-with-cause-"));
      schema = kind === "postgres" ? await createSchema() : undefined;
      databaseUrl = schema?.url ?? join(dir, "outloud.sqlite");
    });
    afterEach(async () => {
      await schema?.drop();
      rmSync(dir, { recursive: true, force: true });
    });
    const open = (settings: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
      new ScenarioSession({
        databaseUrl,
        env: { OUTLOUD_DATA_DIR: dir, ...env },
        outbox: true,
        settings,
      }).open();

    it("posts the weekly digest once it can be saved with its claim, and once only", async () => {
      const s = await open();
      try {
        await s.feed([
          { type: "room", at: at(2, "07:00"), room: ROOM, members: ["ana", "bob"] },
          cmd(at(2, "07:01"), "ana", "/digest setup fri 16:00"),
          cmd(at(4, "10:00"), "ana", "/decision Retry settlements nightly"),
          { type: "tick", at: at(6, "15:00") },
        ]);
        const allow = await refuseInserts(s.db, "action_outbox");
        await s.advanceTo(at(6, "16:05"));
        expect(from("digest.weekly", s.outputs)).toEqual([]);
        await allow();
        await s.advanceTo(at(6, "16:20"));
        const [digest, ...more] = from("digest.weekly", s.outputs);
        expect(more).toEqual([]);
        expect(digest!.text).toContain("• D-1 Retry settlements nightly (@ana)");
        await s.restart(at(6, "16:30"));
        await s.advanceTo(at(7, "12:00"));
        expect(from("digest.weekly", s.outputs)).toHaveLength(1);
      } finally {
        await s.close();
      }
    });

    it("sends the day's catch-up DM once it can be saved with its claim, and once only", async () => {
      const s = await open();
      try {
        await s.feed([
          { type: "user", at: at(2, "07:00"), user: "ana", tz: "UTC" },
          { type: "room", at: at(2, "07:00"), room: ROOM, members: ["ana", "bob"] },
          cmd(at(2, "07:30"), "ana", "/outloud digest daily"),
          // ana's rooms are those where she was named or spoke lately.
          msg(at(2, "10:00"), "t1", "bob", "@ana the payout export needs a look"),
          cmd(at(2, "11:00"), "bob", "/decision Use Stripe for refunds"),
          { type: "tick", at: at(3, "08:00") },
        ]);
        // Tuesday 09:00 is the start of ana's day.
        const allow = await refuseInserts(s.db, "action_outbox");
        await s.advanceTo(at(3, "09:05"));
        expect(from("digest.catch-up", s.outputs)).toEqual([]);
        await allow();
        await s.advanceTo(at(3, "09:20"));
        const [dm, ...more] = from("digest.catch-up", s.outputs);
        expect(more).toEqual([]);
        expect(dm).toMatchObject({ action: "dm", user: "ana" });
        expect(dm!.text).toContain("• D-1 Use Stripe for refunds (#payments, @bob)");
        await s.restart(at(3, "09:30"));
        await s.advanceTo(at(3, "18:00"));
        expect(from("digest.catch-up", s.outputs)).toHaveLength(1);
      } finally {
        await s.close();
      }
    });

    it("tells the author once that an export failed for good, when the notice can be saved with its claim", async () => {
      const s = await open(
        {
          decisions: {
            retry: { attempts: 1 },
            // Nothing listens on port 9 here: every delivery is refused at once.
            export: {
              markdown: { enabled: false },
              webhook: { enabled: true, url: "http://127.0.0.1:9/decisions" },
            },
          },
        },
        { WEBHOOK_SECRET: "webhook-secret" },
      );
      try {
        await s.feed([{ type: "user", at: at(2, "09:00"), user: "alice", name: "Alice" }]);
        // The notice only: the decision's own answer is saved with the decision.
        const allow = await refuseInserts(s.db, "action_outbox", "NEW.action LIKE '%could not be exported%'");
        await s.feed([cmd(at(2, "09:01"), "alice", "/decision Keep the monorepo.")]);
        expect(from("decision.export", s.outputs)).toEqual([]);
        await allow();
        // Told at the first sign of the workspace after a restart, once.
        await s.restart(at(2, "09:10"));
        await s.feed([
          msg(at(2, "09:11"), "m1", "bob", "morning"),
          msg(at(2, "09:12"), "m2", "bob", "anyone?"),
        ]);
        await s.restart(at(2, "09:20"));
        await s.feed([msg(at(2, "09:21"), "m3", "bob", "still here")]);
        const told = from("decision.export", s.outputs);
        expect(told).toEqual([expect.objectContaining({ action: "dm", user: "alice" })]);
        expect(told[0]!.text).toMatch(
          /^Your decision D-1 \("Keep the monorepo"\) could not be exported to webhook/,
        );
      } finally {
        await s.close();
      }
    });

    it("tells a rota's owner once about a problem only a person can fix, when the DM can be saved with its claim", async () => {
      const s = await open();
      try {
        await s.feed([
          { type: "user", at: at(2, "07:00"), user: "ana" },
          { type: "user", at: at(2, "07:00"), user: "bob" },
          cmd(at(2, "07:00"), "ana", "/rota setup @ana @bob at 09:00"),
        ]);
        // What a platform reports when it refuses the rota's announcement (Slack: is_archived).
        const refused = {
          action: {
            workspace: LOCAL_WORKSPACE,
            action: "post" as const,
            room: parseRoomRef(ROOM)!,
            text: "Today's responder is @ana",
            source: "rota.announce",
          },
          kind: "room-archived" as const,
          reason: "#payments is archived",
          fix: "Unarchive it, or set the rota up in another room.",
        };
        const allow = await refuseInserts(s.db, "action_outbox");
        await s.platform.runtime.engine.deliveryProblem(refused);
        expect(from("rota.problem", s.outputs)).toEqual([]);
        await allow();
        await s.platform.runtime.engine.deliveryProblem(refused);
        await s.platform.runtime.engine.deliveryProblem(refused);
        const told = from("rota.problem", s.outputs);
        expect(told).toEqual([expect.objectContaining({ action: "dm", user: "ana" })]);
        expect(told[0]!.text).toContain("cannot do its job: #payments is archived.");
      } finally {
        await s.close();
      }
    });

    it("suggests writing a decision down once per thread, when the notice can be saved with its claim", async () => {
      const s = await open();
      try {
        await s.feed([msg(at(2, "10:00"), "m1", "alice", "Friday deploys?")]);
        const allow = await refuseInserts(s.db, "action_outbox");
        await s.feed([
          msg(at(2, "10:01"), "m2", "carol", "OK, final decision: no deploys on Fridays", { thread: "m1" }),
        ]);
        expect(from("decision.suggest", s.outputs)).toEqual([]);
        await allow();
        await s.feed([
          msg(at(2, "10:02"), "m3", "bob", "Agreed: no Friday deploys", { thread: "m1" }),
          msg(at(2, "10:03"), "m4", "carol", "Decided: no deploys on Fridays then", { thread: "m1" }),
        ]);
        expect(from("decision.suggest", s.outputs)).toEqual([
          expect.objectContaining({ action: "notice", user: "bob", thread: "m1", about: "m3" }),
        ]);
      } finally {
        await s.close();
      }
    });

    it("suggests a call in a long thread once it can be saved with the thread's claim, and once only", async () => {
      const s = await open();
      try {
        const reply = (i: number, user: string) =>
          msg(at(2, `10:${String(10 + i).padStart(2, "0")}`), `r${i}`, user, `about the cron, step ${i}`, {
            thread: "t1",
          });
        await s.feed([
          msg(at(2, "10:00"), "t1", "ana", "Move the payments cron?"),
          ...Array.from({ length: 7 }, (_, i) => reply(i, i % 2 ? "bob" : "ana")),
        ]);
        const allow = await refuseInserts(s.db, "action_outbox");
        // The eighth back-and-forth reply calls for a call.
        await s.feed([reply(7, "bob")]);
        expect(from("nudge.thread-to-call", s.outputs)).toEqual([]);
        await allow();
        await s.feed([reply(8, "ana")]);
        await s.restart(at(2, "10:30"));
        await s.feed(Array.from({ length: 9 }, (_, i) => reply(20 + i, i % 2 ? "ana" : "bob")));
        expect(from("nudge.thread-to-call", s.outputs)).toEqual([
          expect.objectContaining({ action: "reply", thread: "t1", about: "r8" }),
        ]);
      } finally {
        await s.close();
      }
    });

    it("announces the week's social call once it can be saved with its claim, and once only", async () => {
      const s = await open({
        nudges: { social: { enabled: true, room: "random", day: "fri", time: "15:00" } },
      });
      try {
        await s.feed([msg(at(2, "10:00"), "m1", "ana", "hello")]);
        const allow = await refuseInserts(s.db, "action_outbox");
        await s.advanceTo(at(6, "15:02"));
        expect(from("nudge.social", s.outputs)).toEqual([]);
        await allow();
        await s.advanceTo(at(6, "15:10"));
        await s.restart(at(6, "15:12"));
        await s.feed([msg(at(6, "15:13"), "m2", "ana", "hello again")]);
        await s.advanceTo(at(6, "18:00"));
        const [call, ...more] = from("nudge.social", s.outputs);
        expect(more).toEqual([]);
        expect(call).toMatchObject({ action: "post", room: "#random", at: "2026-11-06T15:05:00.000Z" });
      } finally {
        await s.close();
      }
    });

    it("suggests asking a DM question in the team's room once a day per pair, once it can be saved with that claim", async () => {
      const s = await open();
      try {
        const dm = (when: string, id: string, text: string) =>
          messageLine(at(2, when), id, "ana", text, "dm:ana,bob");
        await s.feed([
          msg(at(2, "09:00"), "m1", "ana", "morning"),
          msg(at(2, "09:01"), "m2", "bob", "morning"),
        ]);
        const allow = await refuseInserts(s.db, "action_outbox");
        await s.feed([dm("10:00", "d1", "how do I rerun the failed deploy on staging?")]);
        expect(from("nudge.dm-to-channel", s.outputs)).toEqual([]);
        await allow();
        await s.feed([
          dm("10:05", "d2", "and where is the config for the payment api?"),
          dm("15:00", "d3", "can you review my pull request for the invoice export?"),
        ]);
        expect(from("nudge.dm-to-channel", s.outputs)).toEqual([
          expect.objectContaining({ action: "notice", user: "ana", about: "d2" }),
        ]);
      } finally {
        await s.close();
      }
    });

    it("gives a private tip once it can be saved with its delivery (cooldown and daily cap)", async () => {
      const s = await open();
      try {
        const allow = await refuseInserts(s.db, "action_outbox");
        await s.feed([msg(at(2, "10:00"), "m1", "ana", "you are useless, this is ridiculous")]);
        expect(from("nudge.be-kind", s.outputs)).toEqual([]);
        await allow();
        // Not counted against ana: the tip that could not be saved was not given.
        await s.feed([msg(at(2, "10:05"), "m2", "ana", "you are useless, this is ridiculous")]);
        expect(from("nudge.be-kind", s.outputs)).toEqual([
          expect.objectContaining({ action: "notice", user: "ana", about: "m2" }),
        ]);
      } finally {
        await s.close();
      }
    });

    it("records a decision typed as a command once its answer can be saved with it, and answers it once", async () => {
      const s = await open();
      try {
        const allow = await refuseInserts(s.db, "action_outbox", "NEW.action LIKE '%Recorded decision%'");
        await s.feed([cmd(at(2, "10:00"), "ana", "/decision We take RabbitMQ.")]);
        // Neither recorded nor said: the person is told so, and types it again.
        const answers = () => s.outputs.filter((o) => o.source.startsWith("command."));
        expect(answers()).toEqual([
          expect.objectContaining({ action: "notice", user: "ana", text: expect.stringMatching(/^Sorry/) }),
        ]);
        await allow();
        await s.feed([cmd(at(2, "10:01"), "ana", "/decision We take RabbitMQ.")]);
        expect(answers().slice(1)).toEqual([
          expect.objectContaining({
            action: "post",
            text: expect.stringMatching(/^Recorded decision \*D-1\*/),
          }),
        ]);
        const recorded = await s.db.db.selectFrom("decisions").select("text").execute();
        expect(recorded).toEqual([{ text: "We take RabbitMQ." }]);
      } finally {
        await s.close();
      }
    });

    it.each([
      ["the decision", "decisions"],
      ["its confirmation", "action_outbox"],
    ])("records a message marked with :decision: once its claim can be saved with %s, and confirms it once", async (_, table) => {
      const s = await open();
      try {
        await s.feed([
          msg(at(2, "10:00"), "m1", "alice", "Which queue?"),
          msg(at(2, "10:01"), "m2", "bob", "We take RabbitMQ. Kafka is overkill for our volume.", {
            thread: "m1",
          }),
        ]);
        const allow = await refuseInserts(s.db, table);
        const reaction = (when: string, user: string) => ({
          type: "reaction",
          at: at(2, when),
          user,
          room: ROOM,
          target: "m2",
          emoji: "decision",
        });
        await s.feed([reaction("10:02", "alice")]);
        expect(from("decision.capture", s.outputs)).toEqual([]);
        await allow();
        // Slack does not send an event again once it was acknowledged: the next reaction records it.
        await s.feed([reaction("10:03", "carol"), reaction("10:04", "dave")]);
        const [confirmed, ...more] = from("decision.capture", s.outputs);
        expect(more).toEqual([]);
        expect(confirmed).toMatchObject({ action: "reply", thread: "m1" });
        // Saved before the exports, sent after them: it says where the decision went.
        expect(confirmed!.text).toMatch(
          /^Recorded decision \*D-1\*: We take RabbitMQ\. Exported to markdown/,
        );
      } finally {
        await s.close();
      }
    });
  });
}
