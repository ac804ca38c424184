/**
 * The personal catch-up through the replay engine: opt-in, a DM at the start of the person's working
 * day (their zone, their hours), the weekly cadence, opting out, and delivery by e-mail to a real
 * SMTP server once the address is confirmed with the code it was sent.
 */
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplayOutput } from "../../../src/adapters/local/scenario.js";
import { runScenario, ScenarioSession } from "../../helpers/scenario.js";
import { commandLine, dayAt, messageLine } from "../../helpers/scenario-lines.js";

const ROOM = "#payments";
/** 2026-11-02 is a Monday; ana lives in Madrid (UTC+1 in November), the workspace works 09:00-18:00. */
const at = (day: number, time: string) => dayAt(11, day, time);
const cmd = (when: string, user: string, text: string, room = ROOM) => commandLine(when, user, text, room);
const msg = (when: string, id: string, user: string, text: string, extra: Record<string, unknown> = {}) =>
  messageLine(when, id, user, text, ROOM, extra);
const start = [
  { type: "user", at: at(2, "07:00"), user: "ana", tz: "Europe/Madrid" },
  { type: "user", at: at(2, "07:00"), user: "bob", tz: "UTC" },
  { type: "user", at: at(2, "07:00"), user: "carol", tz: "UTC" },
  { type: "room", at: at(2, "07:00"), room: ROOM, members: ["ana", "bob"] },
  cmd(at(2, "07:00"), "bob", "/rota setup @bob @ana at 09:00"),
];
/** Monday: bob asks ana something in a thread, and records a decision. */
const monday = [
  msg(at(2, "10:00"), "t1", "bob", "The payout export needs a look"),
  msg(at(2, "10:05"), "t2", "bob", "@ana can you review the export mapping", { thread: "t1" }),
  cmd(at(2, "11:00"), "bob", "/decision Use Stripe for refunds"),
];
const catchUps = (outputs: ReplayOutput[]) => outputs.filter((o) => o.source === "digest.catch-up");

describe("personal catch-up", () => {
  it("is a DM at the start of the person's working day with decisions, threads waiting for them and their rota turn", async () => {
    const run = await runScenario([
      ...start,
      cmd(at(2, "07:30"), "ana", "/outloud digest daily"),
      ...monday,
      { type: "tick", at: at(3, "12:00") },
    ]);
    const reply = run.outputs.find((o) => o.source === "command.outloud");
    expect(reply).toMatchObject({ action: "notice", user: "ana" });
    expect(reply!.text).toContain("each working day, at the start of your working hours");
    const [dm, ...more] = catchUps(run.outputs);
    expect(more).toEqual([]);
    // 09:00 in Madrid is 08:00 UTC; Monday's 08:00 had passed when ana opted in at 08:30 her time.
    expect(dm).toMatchObject({ at: new Date(at(3, "08:00")).toISOString(), action: "dm", user: "ana" });
    expect(dm!.text.split("\n")).toEqual([
      "Your catch-up:",
      "*Decisions in your rooms*",
      "• D-1 Use Stripe for refunds (#payments, @bob)",
      "*Threads that mention you, waiting for your answer*",
      "• #payments: outloud://local/%23payments/t2",
      // bob took Monday's turn, so Tuesday is ana's.
      "*Your next rota turn* in #payments: today",
    ]);
  });

  it("leaves out what the person already answered, says nothing when nothing is new, and follows their own hours", async () => {
    const run = await runScenario([
      ...start,
      cmd(at(2, "07:30"), "ana", "/outloud digest daily"),
      cmd(at(2, "07:31"), "ana", "/outloud hours 10:00-18:00"),
      ...monday,
      msg(at(2, "16:00"), "t3", "ana", "Looked at it, fine", { thread: "t1" }),
      { type: "tick", at: at(4, "12:00") },
    ]);
    // Tuesday 10:00 Madrid (her hours): the decision, and her turn today; the thread she answered is gone.
    // Wednesday: nothing new and not her turn: no message at all.
    const sent = catchUps(run.outputs);
    expect(sent.map((o) => o.at)).toEqual([new Date(at(3, "09:00")).toISOString()]);
    expect(sent[0]!.text).not.toContain("Threads that mention you");
  });

  it("weekly comes on the first working day of the week only; off stops it", async () => {
    const run = await runScenario([
      ...start,
      cmd(at(2, "07:30"), "ana", "/outloud digest weekly"),
      ...monday,
      { type: "tick", at: at(9, "12:00") },
      cmd(at(9, "12:01"), "ana", "/outloud digest off"),
      msg(at(10, "10:00"), "t4", "bob", "@ana one more question"),
      cmd(at(10, "11:00"), "bob", "/decision Keep refunds manual for now"),
      { type: "tick", at: at(17, "12:00") },
    ]);
    expect(catchUps(run.outputs).map((o) => o.at)).toEqual([new Date(at(9, "08:00")).toISOString()]);
    expect(run.outputs.filter((o) => o.text === "Your catch-up is off.")).toHaveLength(1);
  });

  it("a malformed request gets a short usage reply", async () => {
    const run = await runScenario([...start, cmd(at(2, "07:30"), "ana", "/outloud digest hourly")]);
    expect(run.outputs.at(-1)!.text).toBe(
      "Say daily, weekly, off, email you@example.org, or confirm CODE. Usage: `/outloud digest daily|weekly|off | email you@example.org | confirm CODE`",
    );
  });
});

describe("catch-up by e-mail", () => {
  let server: SMTPServer;
  let smtpUrl: string;
  const received: ParsedMail[] = [];

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            received.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(resolve)));

  it("goes to the address once it is confirmed with the code mailed to it; a wrong code changes nothing", async () => {
    const session = await new ScenarioSession({ env: { SMTP_URL: smtpUrl } }).open();
    try {
      await session.feed([...start, cmd(at(2, "07:30"), "ana", "/outloud digest daily")]);
      const asked = await session.feed([cmd(at(2, "07:31"), "ana", "/outloud digest email ana@example.org")]);
      expect(asked[0]!.text).toContain("I sent a code to ana@example.org");
      const code = /code is (\d{6})/.exec(received.at(-1)!.text ?? "")![1]!;
      expect(received.at(-1)!.to).toMatchObject({ text: "ana@example.org" });
      const wrong = await session.feed([cmd(at(2, "07:32"), "ana", "/outloud digest confirm 000000")]);
      expect(wrong[0]!.text).toBe("That code does not match the last one I sent.");
      const ok = await session.feed([cmd(at(2, "07:33"), "ana", `/outloud digest confirm ${code}`)]);
      expect(ok[0]!.text).toBe("Confirmed: your daily catch-up goes to ana@example.org.");
      const before = received.length;
      await session.feed([...monday, { type: "tick", at: at(3, "12:00") }]);
      expect(catchUps(session.outputs)).toEqual([]);
      expect(received).toHaveLength(before + 1);
      expect(received.at(-1)!.subject).toBe("Your catch-up for Tue 3 Nov");
      expect(received.at(-1)!.text).toContain("D-1 Use Stripe for refunds");
    } finally {
      await session.close();
    }
  });
});
