import Sentiment from "sentiment";
import { describe, expect, it } from "vitest";
import { isOnlyGreeting, isWorkQuestion } from "../../../src/core/nudges/text-signals.js";
import { isShouting, lexiconScore, readTone } from "../../../src/core/nudges/tone.js";

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
  it("flags insults aimed at someone, shouting with !!!, and strongly negative messages", () => {
    expect(readTone("you are an idiot").harsh).toBe(true);
    expect(readTone("THIS IS BROKEN AGAIN!!!").reasons).toContain("all capitals");
    expect(readTone("this is a horrible, terrible, awful mess").harsh).toBe(true);
  });

  it("leaves ordinary, self-deprecating and merely excited messages alone", () => {
    expect(readTone("thanks, that was stupid of me").harsh).toBe(false);
    expect(readTone("Hello there, how are you?").harsh).toBe(false);
    expect(readTone("it works now!!!").harsh).toBe(false);
    expect(readTone("why doesnt this work???").harsh).toBe(false);
    expect(readTone("see https://EXAMPLE.COM/PATH/TO/THING").harsh).toBe(false);
  });

  it("needs enough capital letters to call it shouting", () => {
    expect(isShouting("OK")).toBe(false);
    expect(isShouting("PLEASE READ THE DOCS FIRST")).toBe(true);
    expect(isShouting("Use the NFS mount for the CI")).toBe(false);
  });
});

describe("lexiconScore", () => {
  // Our scorer reads the sentiment package's lexicon itself; it must score exactly as its analyzer does.
  const analyzer = new Sentiment();
  it.each([
    "this is a horrible, terrible, awful mess",
    "I don't like it. Not good at all!",
    "not bad, not bad at all",
    "great work 😀 thanks 👍",
    "WTF is this crap???",
    "you are an idiot",
    "ugh\n\nthe  build   failed\tagain",
    "hate\thate",
    '(awesome) {fantastic} "lovely" ~terrible~ #bad',
    "can't stand it; won't fix: isn't good",
    "",
    "   ",
    "__proto__ constructor toString hasOwnProperty",
    "Ça ne marche pas, c'est nul",
  ])("%j", (text) => {
    expect(lexiconScore(text)).toBe(analyzer.analyze(text).score);
  });
});
