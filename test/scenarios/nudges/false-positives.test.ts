/**
 * The misfires reported on real chat (issue 18), each replayed through the real engine: the nudge
 * must stay quiet, and the same nudge must still speak where it helps.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../helpers/scenario.js";
import { at, cmd, msg, user } from "./helpers.js";

const bySource = <T extends { source: string }>(outputs: T[], source: string) =>
  outputs.filter((o) => o.source === source);

describe("be kind: technical negativity and swearing at oneself are not harshness", () => {
  it.each([
    "exceptions thrown in the error handler itself are ignored and lost",
    "Racket is just crashing and reporting the point of error",
    "(it is only a warning)",
    "kill the zombie workers, the orphaned ones are dead anyway",
    "the test uses a dummy server and a mock clock, and aborts on panic",
    "promote the slave to master when the primary fails",
    // What fired most on a busy public chat (#ubuntu IRC) without hurting anyone: people swearing at
    // themselves or their luck, praise, a word quoted, a verb that is not an oath.
    "damnit, my laptop crashed again",
    "crap, sorry, I forgot to push",
    "im pissed, my windows cd is scratched",
    "mplayer kicks ass",
    'forums push people to "RTFM" and IRC does not',
    "if you screw that file up you will cause all manner of issues",
    "where can i find the bitchx package for ubuntu 8.10?",
    // An oath near "that" or "this" is not at it: the speaker still owns up.
    "Damn it, I missed that one!",
    "damn, this conflicts with my change in progress",
  ])("says nothing about %j", async (text) => {
    const { outputs } = await runScenario([msg(0, "ana", "#team", text)]);
    expect(bySource(outputs, "nudge.be-kind")).toEqual([]);
  });

  it.each([
    "bob: then be pissed somewhere else",
    "nano is fine if ur not a complete idiot",
    "I just told you, RTFM",
    "sorry, but your patch is crap",
    "who the hell decided on unity?",
  ])("still notes %j, aimed at someone or their work", async (text) => {
    const { outputs } = await runScenario([msg(0, "ana", "#team", text)]);
    expect(bySource(outputs, "nudge.be-kind")).toEqual([
      expect.objectContaining({ action: "notice", user: "ana" }),
    ]);
  });

  it("in a busy room set to aimed swearing, notes an oath said of someone's work, not one near 'it' or 'that'", async () => {
    const settings = { nudges: { rooms: { ubuntu: { "be-kind": { swearing: "aimed" } } } } };
    const { outputs } = await runScenario(
      [
        msg(0, "ana", "#ubuntu", "damnit, it won't let me boot into windows anymore"),
        msg(1, "bob", "#ubuntu", "jamil: got damnit..what was that page"),
        msg(2, "cai", "#ubuntu", "Damn it, I missed that one!"),
        msg(3, "dee", "#ubuntu", "what the hell is that? this patch is crap"),
      ],
      { settings },
    );
    expect(bySource(outputs, "nudge.be-kind").map((o) => o.user)).toEqual(["dee"]);
  });

  it("still notes privately a message aimed at a person", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "#team", "@bob did you even read the ticket? RTFM"),
    ]);
    expect(bySource(outputs, "nudge.be-kind")).toEqual([
      expect.objectContaining({ action: "notice", user: "ana", text: expect.stringMatching(/dismissive/) }),
    ]);
  });
});

describe("ask it in the open: personal and secret matters stay private", () => {
  // Both people use #payments, so a work question from their DM is suggested there.
  const setup = [msg(0, "ana", "#payments", "morning"), msg(0, "bob", "#payments", "morning")];
  const suggestions = async (text: string) => {
    const { outputs } = await runScenario([...setup, msg(2, "ana", "dm:ana,bob", text)]);
    return bySource(outputs, "nudge.dm-to-channel");
  };

  it.each([
    "Are you OK? You seemed upset in the meeting",
    "Can you cover for me tomorrow, I have a doctor appointment?",
    "What's the password for the staging database?",
  ])("never suggests publishing %j", async (text) => {
    expect(await suggestions(text)).toEqual([]);
  });

  // For each class: a personal question refused, and a work question that shares its words still nudged.
  it.each([
    [
      "health",
      "could you review the deploy while I'm at the hospital for my surgery tomorrow?",
      "how do we configure the health check for the payment api on staging?",
    ],
    [
      "family",
      "can you take the release meeting? my daughter is sick and childcare fell through",
      "which parent commit should I rebase the release branch onto?",
    ],
    [
      "leave",
      "is it ok if I take friday off before the release, or is the sprint too tight?",
      "should we leave the feature flag on in staging after the release?",
    ],
    [
      "feelings",
      "I'm feeling really overwhelmed with the sprint, can we talk about the project?",
      "how do you feel about the new api design for the billing service?",
    ],
    [
      "pay",
      "do you know when the salary review for the project team happens?",
      "how do I test the payment api against the staging server?",
    ],
    [
      "performance",
      "did the manager mention my performance review in the project meeting?",
      "how can we improve the performance of the search query in the api?",
    ],
    [
      "HR",
      "should I report the harassment in the project meeting to HR?",
      "how do I export the HR dashboard data from the reporting api?",
    ],
    [
      "credential",
      "can you send me the api key for the deploy pipeline?",
      "which key in the config file sets the staging database pool size?",
    ],
    [
      "a credential pasted in",
      "does this work for the deploy? SLACK_BOT_TOKEN=xoxb-1234567890-abcdefghijkl",
      "does this work for the deploy? SLACK_LOG_LEVEL=debug",
    ],
  ])("%s: refuses the personal one, still suggests the work one", async (_matter, personal, work) => {
    expect(await suggestions(personal)).toEqual([]);
    expect(await suggestions(work)).toEqual([expect.objectContaining({ action: "notice", user: "ana" })]);
  });
});

describe("no hello: only the opener", () => {
  it("tips the person who opened with a bare greeting, not the one who answered it", async () => {
    const { outputs } = await runScenario([
      msg(0, "ana", "dm:ana,bob", "hi"),
      { ...msg(0, "bob", "dm:ana,bob", "hi!"), at: at(0, 10) },
      { type: "tick", at: at(5) },
    ]);
    expect(bySource(outputs, "nudge.no-hello")).toEqual([
      expect.objectContaining({ action: "notice", user: "ana" }),
    ]);
  });
});

describe("never about a bot", () => {
  it("says nothing about working hours when someone talks to the bot at night", async () => {
    const night = (m: number) => `2026-11-25T23:${String(m).padStart(2, "0")}:00.000Z`;
    const { outputs } = await runScenario([
      { ...msg(0, "ana", "#team", "@outloud rota help"), at: night(0) },
      { ...cmd(0, "ana", "#team", "/outloud privacy"), at: night(2) },
    ]);
    expect(outputs.filter((o) => o.source.startsWith("nudge."))).toEqual([]);
  });

  it("ignores mentions of bots in every nudge, and still notes a person who is away", async () => {
    const { outputs } = await runScenario([
      user("helperbot", { bot: true }),
      user("kenji", { tz: "Asia/Tokyo" }),
      msg(0, "ana", "#team", "@helperbot deploy"),
      msg(1, "ana", "#team", "@helperbot deploy now"),
      msg(2, "ana", "#team", "@helperbot deploy please"),
      msg(3, "ana", "#team", "@helperbot deploy!"),
      msg(4, "ana", "#team", "@kenji the deploy is done"),
    ]);
    expect(outputs.filter((o) => o.source.startsWith("nudge."))).toEqual([
      expect.objectContaining({ source: "nudge.out-of-hours", text: expect.stringMatching(/@kenji/) }),
    ]);
  });
});
