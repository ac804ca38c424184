import { describe, expect, it } from "vitest";
import { personalMatterOf } from "../../../src/core/nudges/personal-matters.js";
import { isOnlyGreeting, isWorkQuestion } from "../../../src/core/nudges/text-signals.js";
import { isShouting, readTone } from "../../../src/core/nudges/tone.js";

describe("isOnlyGreeting", () => {
  it.each([
    "hi",
    "Hello there!",
    "hey 👋",
    "hey :wave:",
    "hi @bob",
    "Good morning",
    "hey 👋🏽",
    "yo!",
  ])("%s is only a greeting", (t) => {
    expect(isOnlyGreeting(t)).toBe(true);
  });
  it.each([
    "hi, can you review my PR?",
    "hey how do I deploy to staging?",
    "hello, the build is broken",
    "ok",
    "thanks!",
  ])("%s is more than a greeting", (t) => {
    expect(isOnlyGreeting(t)).toBe(false);
  });
});

describe("isWorkQuestion", () => {
  it.each([
    "how do I deploy the api to staging?",
    "can you review my pull request when you have time?",
    "Is there a way to rerun the CI pipeline?",
  ])("%s is a work question", (t) => {
    expect(isWorkQuestion(t)).toBe(true);
  });
  it.each([
    "want to grab lunch on friday?",
    "did you see the game last night?",
    "thanks for the review yesterday!",
    "deploy?",
    "how was your weekend?",
  ])("%s is not", (t) => {
    expect(isWorkQuestion(t)).toBe(false);
  });
});

describe("readTone", () => {
  it("flags insults and contempt aimed at a person or their work", () => {
    expect(readTone("you are an idiot").harsh).toBe(true);
    expect(readTone("@bob is clueless, ignore him").harsh).toBe(true);
    expect(readTone("this is a horrible, terrible, awful mess").harsh).toBe(true);
    expect(readTone("your patch sucks").harsh).toBe(true);
    expect(readTone("what a horrible approach").harsh).toBe(true);
  });

  it("flags dismissive phrasing aimed at the reader", () => {
    for (const text of [
      "RTFM",
      "did you even read the ticket?",
      "who wrote this garbage",
      "obviously you didn't test it",
      "how many times do I have to say it",
      "are you kidding me",
    ]) {
      expect(readTone(text).reasons, text).toContain("a dismissive phrase");
    }
  });

  it("flags shouting at someone", () => {
    expect(readTone("THIS IS BROKEN AGAIN!!!").reasons).toContain("all capitals");
    expect(readTone("WHY DID YOU MERGE THAT WITHOUT REVIEW").reasons).toContain("all capitals");
  });

  it("never counts technical vocabulary on its own", () => {
    for (const text of [
      "exceptions thrown in the error handler itself are ignored and lost",
      "Racket is just crashing and reporting the point of error",
      "(it is only a warning)",
      "kill the zombie process and the orphan children, then abort",
      "the test uses a dummy mock and a fake clock",
      "the build fails, the job is dead, panic in the kernel",
      "the master/slave replication is failing over",
      "this check is useless, you can remove it",
      "python will garbage collect it for you",
      "you can make it lazy loaded",
      "we are in dependency hell again",
      "use WTF::String here",
      "the pump sucks up the water",
    ]) {
      expect(readTone(text).harsh, text).toBe(false);
    }
  });

  it("leaves self-deprecating, kind and merely excited messages alone", () => {
    expect(readTone("thanks, that was stupid of me").harsh).toBe(false);
    expect(readTone("there are no stupid questions, ask away").harsh).toBe(false);
    expect(readTone("I really suck at sorting :)").harsh).toBe(false);
    expect(readTone("Hello there, how are you?").harsh).toBe(false);
    expect(readTone("it works now!!!").harsh).toBe(false);
    expect(readTone("why doesnt this work???").harsh).toBe(false);
    expect(readTone("see https://EXAMPLE.COM/PATH/TO/THING").harsh).toBe(false);
    expect(readTone("`assert stupid_flag` fails in CI").harsh).toBe(false);
  });

  it("leaves swearing at oneself or one's own luck alone", () => {
    for (const text of [
      "damn, I forgot the changelog",
      "crap, sorry, fixed now",
      "damnit, my laptop crashed again",
      "I fucked up the merge, sorry",
      "im pissed",
      "wtf was I thinking",
      "mplayer kicks ass",
      "apt-get install bitchx like in 8.04 is not working",
      "damn good catch, thanks",
      "oh hell yeah, the suse manual is fantastic",
    ]) {
      expect(readTone(text).harsh, text).toBe(false);
    }
  });

  it("does not read a mentioned person's name as the author's words, and still sees them aimed at", () => {
    expect(readTone("shite: would you consider changing your nick?", undefined, ["shite"]).harsh).toBe(false);
    expect(readTone("@bob you idiot", undefined, ["bob"]).harsh).toBe(true);
    expect(readTone("<@U123> is clueless", undefined, ["U123"]).harsh).toBe(true);
  });

  it("still counts swearing aimed at someone, or at someone's work, even with the speaker in it", () => {
    for (const text of [
      "I told you, fuck off",
      "my god, your patch is crap",
      "sorry, but @bob is a fucking idiot",
      "who the hell decided on unity?",
      "wtf is this?",
      "Why the hell does it extend JButton?",
    ]) {
      expect(readTone(text).harsh, text).toBe(true);
    }
  });

  it("counts swearing on its own, or only when aimed, as the team chooses", () => {
    expect(readTone("damn, the changelog again").harsh).toBe(true);
    expect(readTone("damn, the changelog again", { swearing: "strong" }).harsh).toBe(false);
    expect(readTone("holy shit it compiles", { swearing: "strong" }).harsh).toBe(true);
    expect(readTone("holy shit, finally", { swearing: "aimed" }).harsh).toBe(false);
    expect(readTone("screw you", { swearing: "aimed" }).harsh).toBe(true);
    expect(readTone("this crap again", { swearing: "aimed" }).harsh).toBe(true);
    expect(readTone("f***ing linker", { swearing: "strong" }).harsh).toBe(true);
  });

  it("reads an oath as aimed at a thing only when it is said of it, not when it stands near it", () => {
    for (const text of [
      "damn it, the build broke again",
      "damnit, it won't let me boot into windows anymore",
      "jamil: got damnit..what was that page",
    ]) {
      expect(readTone(text, { swearing: "aimed" }).harsh, text).toBe(false);
    }
    for (const text of [
      "this is crap",
      "IT was FUCKING BROKEN before that",
      "fuck this",
      "these seem like bullshit to me",
      "what the hell is that?",
    ]) {
      expect(readTone(text, { swearing: "aimed" }).harsh, text).toBe(true);
    }
    // Near "that" or "this" is no longer a target that outweighs the speaker owning up.
    expect(readTone("Damn it, I missed that one!").harsh).toBe(false);
    expect(readTone("damn, this conflicts with my change in progress").harsh).toBe(false);
  });

  it("reads a question in capitals as caps lock, not shouting", () => {
    for (const text of [
      "CAN YOU HELP ME WITH MY WIRELESS CARD",
      "CANE YOU HELP ME HOW TO IN STALL 1024X760O",
      "DO YOU SPEAK SPANISH?",
      "DOES MS-COMIC CHAT WORK UNDER WINE??????",
    ]) {
      expect(readTone(text).harsh, text).toBe(false);
    }
    expect(readTone("WHY DID YOU MERGE THAT WITHOUT REVIEW???").reasons).toContain("all capitals");
    expect(readTone("WHO CALLS FOR ME!????").reasons).toContain("all capitals");
  });

  it("reads words listed as unwelcome as mentioned, not used", () => {
    expect(readTone("Acronyms like noob, jfgi, stfu, or rtfm are not welcome in this channel.").harsh).toBe(
      false,
    );
    expect(readTone("rtfm and stfu are banned here").harsh).toBe(false);
    expect(readTone("stfu, your crap is not welcome here").harsh).toBe(true);
  });

  it("reads a starred-out oath before praise as praise", () => {
    expect(readTone("i beat level 5 tonight, it was f*****g amazing").harsh).toBe(false);
    expect(readTone("f**king brilliant work, thanks").harsh).toBe(false);
    expect(readTone("this f*****g linker again").harsh).toBe(true);
  });

  it("needs enough capital letters to call it shouting", () => {
    expect(isShouting("OK")).toBe(false);
    expect(isShouting("PLEASE READ THE DOCS FIRST")).toBe(true);
    expect(isShouting("Use the NFS mount for the CI")).toBe(false);
  });
});

describe("personalMatterOf", () => {
  it.each([
    ["I have a dentist appointment at 3", "health"],
    ["my son has a fever, I'll be late", "family"],
    ["I'm on parental leave next month", "leave"],
    ["you looked stressed in standup, all good?", "feelings"],
    ["is the bonus paid in december?", "pay"],
    ["he's been put on a PIP", "performance"],
    ["I want to talk to HR about it", "hr"],
    ["here is the db: postgres://admin:hunter2@db.internal/prod", "credential"],
  ])("%j is about %s", (text, matter) => {
    expect(personalMatterOf(text)).toBe(matter);
  });

  it.each([
    "pip install the requirements before the deploy",
    "what is the primary key of the invoices table?",
    "the payment service needs a health check endpoint",
    "kill the parent process, then the child",
    "the hr column holds the hour of the event",
    "we should pin the dependency and promote the build to prod",
  ])("%j is a work matter", (text) => {
    expect(personalMatterOf(text)).toBeUndefined();
  });
});
