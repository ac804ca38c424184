import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConversationTracker,
  nameCandidates,
  nickKey,
  withinOneEdit,
} from "../../../src/core/nudges/conversation-tracker.js";
import { DEFAULT_THREAD_DETECTOR, ThreadDetector } from "../../../src/core/nudges/thread-detector.js";

const t0 = Date.parse("2026-11-25T10:00:00Z");
let seq = 0;
/** A message `seconds` after t0; mentions only when given (the text is searched for names anyway). */
function mk(seconds: number, user: string, text: string, mentions: string[] = []) {
  return { id: `m${seq++}`, user, text, mentions, at: new Date(t0 + seconds * 1000) };
}

function feed(detector: ThreadDetector, messages: ReturnType<typeof mk>[]) {
  return messages.map((m) => detector.observe(m));
}

describe("ThreadDetector", () => {
  it("suggests once when two people address each other six times within 15 minutes", () => {
    const d = new ThreadDetector();
    const results = feed(d, [
      mk(0, "ana", "bob: is the deploy script still failing?", ["bob"]),
      mk(30, "bob", "ana: yes, on the migration step", ["ana"]),
      mk(60, "ana", "bob: which migration?", ["bob"]),
      mk(90, "bob", "the one adding the index"),
      mk(120, "ana", "bob: did you try running it by hand?", ["bob"]),
      mk(150, "bob", "ana: not yet, will do", ["ana"]),
      mk(180, "ana", "bob: tell me how it goes", ["bob"]),
      mk(210, "bob", "ana: sure", ["ana"]),
    ]);
    const suggestions = results.filter(Boolean);
    expect(suggestions).toEqual([["ana", "bob"]]);
  });

  it("follows names written anywhere in the text and replies without names (turn-taking)", () => {
    const d = new ThreadDetector();
    const results = feed(d, [
      mk(0, "carol", "anyone know why apt hangs at 99%?"),
      mk(20, "dave", "carol, is it unpacking a kernel?"),
      mk(40, "carol", "yes linux-image"),
      mk(60, "dave", "then give it a minute, that's normal"),
      mk(80, "carol", "still stuck after five"),
      mk(100, "dave", "ok carol check dmesg for disk errors"),
      mk(120, "carol", "nothing there"),
      mk(140, "dave", "thanks carol, try the verbose flag next"),
    ]);
    expect(results.filter(Boolean)).toEqual([["carol", "dave"]]);
  });

  it("stays quiet for an exchange spread over more than the window", () => {
    const d = new ThreadDetector();
    const results = feed(
      d,
      Array.from({ length: 8 }, (_, i) =>
        mk(i * 5 * 60, i % 2 ? "bob" : "ana", `${i % 2 ? "ana" : "bob"}: step ${i}`, [i % 2 ? "ana" : "bob"]),
      ),
    );
    expect(results.filter(Boolean)).toEqual([]);
  });

  it("stays quiet for a monologue, and for many people each saying one thing", () => {
    const mono = new ThreadDetector();
    const monologue = Array.from({ length: 10 }, (_, i) =>
      mk(i * 20, "ana", `bob: one more thing ${i}`, ["bob"]),
    );
    expect(feed(mono, [mk(-10, "bob", "hi"), ...monologue]).filter(Boolean)).toEqual([]);
    const crowd = new ThreadDetector();
    const people = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"];
    expect(
      feed(
        crowd,
        people.map((p, i) => mk(i * 20, p, "ubuntu is great")),
      ).filter(Boolean),
    ).toEqual([]);
  });

  it("does not repeat for the same pair within the repeat time, but does after it", () => {
    const d = new ThreadDetector({ ...DEFAULT_THREAD_DETECTOR, repeatAfterMinutes: 60 });
    const burst = (start: number) =>
      Array.from({ length: 8 }, (_, i) =>
        mk(start + i * 20, i % 2 ? "bob" : "ana", `${i % 2 ? "ana" : "bob"}: point ${i}`, [
          i % 2 ? "ana" : "bob",
        ]),
      );
    expect(feed(d, burst(0)).filter(Boolean)).toHaveLength(1);
    expect(feed(d, burst(20 * 60)).filter(Boolean)).toHaveLength(0);
    expect(feed(d, burst(90 * 60)).filter(Boolean)).toHaveLength(1);
  });

  it("may suggest again when the last suggestion was not posted", () => {
    const d = new ThreadDetector();
    const burst = (start: number) =>
      Array.from({ length: 8 }, (_, i) =>
        mk(start + i * 20, i % 2 ? "bob" : "ana", `${i % 2 ? "ana" : "bob"}: point ${i}`, [
          i % 2 ? "ana" : "bob",
        ]),
      );
    const first = feed(d, burst(0)).filter(Boolean);
    expect(first).toEqual([["ana", "bob"]]);
    d.notPosted(first[0]!);
    expect(feed(d, burst(200)).filter(Boolean)).toEqual([["ana", "bob"]]);
  });

  it("counts a second helper's answers to someone who asked the room", () => {
    const talk = [
      mk(0, "ana", "how do I make grub show its menu?"),
      mk(10, "bob", "ana: hold shift while it boots", ["ana"]),
      mk(20, "carl", "ana: or set GRUB_TIMEOUT", ["ana"]),
      mk(30, "ana", "bob: shift does nothing here", ["bob"]),
      mk(40, "ana", "carl: where is that file?", ["carl"]),
      mk(50, "bob", "ana: then try esc", ["ana"]),
    ];
    expect(feed(new ThreadDetector(), talk).at(-1)).toEqual(["ana", "bob"]);
    const alone = new ThreadDetector({ ...DEFAULT_THREAD_DETECTOR, minOwn: 6 });
    expect(feed(alone, talk).filter(Boolean)).toEqual([]);
  });

  it("keeps bounded memory however long the room's history", () => {
    const d = new ThreadDetector();
    for (let i = 0; i < 5_000; i++) {
      const a = `user${i % 997}`;
      const b = `user${(i * 7) % 991}`;
      d.observe(mk(i * 2, a, `${b}: message ${i}`, [b]));
    }
    const size = d.size;
    expect(size.people).toBeLessThanOrEqual(300);
    expect(size.pairs).toBeLessThanOrEqual(200);
    expect(size.suggested).toBeLessThanOrEqual(200);
  });
});

describe("ConversationTracker", () => {
  it("credits an unaddressed question to whoever answers it by name", () => {
    const t = new ConversationTracker();
    t.observe(mk(0, "eve", "how do I mount a usb disk?"));
    const r = t.observe(mk(15, "finn", "eve: use the file manager", ["eve"]));
    expect(r.addressee).toBe("eve");
    expect(r.exchange?.events.map((e) => e.how)).toEqual(["answered", "named"]);
  });

  it("gives a new question to whoever answers it by name, though it seemed to continue an earlier exchange", () => {
    const t = new ConversationTracker();
    t.observe(mk(0, "err", "mib: try a reboot", ["mib"]));
    t.observe(mk(10, "mib", "err: thanks, that fixed it", ["err"]));
    // Within the turn-taking time, so it first reads as more words to err…
    expect(
      t.observe(mk(60, "mib", "is there a way to purge a package and keep its dependants?")).addressee,
    ).toBe("err");
    // …until fosco answers it by name: the question joins their exchange.
    const answer = t.observe(mk(70, "fosco", "mib: sudo aptitude reinstall package", ["mib"]));
    expect(answer.exchange?.events.map((e) => [e.author, e.how])).toEqual([
      ["mib", "answered"],
      ["fosco", "named"],
    ]);
  });

  it("recognises shortened and misspelt names of recent speakers", () => {
    const t = new ConversationTracker();
    t.observe(mk(0, "Nafallo", "hello"));
    t.observe(mk(1, "xabbu|", "hi"));
    expect(t.observe(mk(2, "phill", "natfallo: alright")).addressee).toBe("Nafallo");
    expect(t.observe(mk(3, "Ubuntu", "xabbul: ok")).addressee).toBe("xabbu|");
    expect(t.observe(mk(4, "Ubuntu", "na: ok")).addressee).not.toBe("Nafallo"); // too short to mean anyone
  });

  it("reads a word as a name by where it stands: as its owner writes it anywhere, otherwise only as an address", () => {
    const t = new ConversationTracker();
    for (const [i, nick] of ["theCarpenter", "ubuntu_", "Bob2", "xabbu|"].entries())
      t.observe(mk(i, nick, "hi"));
    let n = 0; // a new author each time, so that turn-taking never answers for the name
    const to = (text: string) => t.observe(mk(10, `p${n++}`, text)).addressee;
    expect(to("is the kernel log in dmesg?")).toBeUndefined();
    expect(to("has anyone tried ubuntu on lvm?")).toBeUndefined();
    expect(to("I think Bob2 knows")).toBe("Bob2");
    expect(to("i think bob2 knows")).toBeUndefined();
    expect(to("thanks bob2")).toBe("Bob2");
    expect(to("ubuntu: does it work now?")).toBe("ubuntu_");
    expect(to("xabbul, try this")).toBe("xabbu|");
    expect(to("so xabbul try this")).toBeUndefined();
  });

  it("tells a prompt answer without a name from a late one", () => {
    const t = new ConversationTracker();
    const how = (r: ReturnType<ConversationTracker["observe"]>) => [
      r.addressee,
      r.exchange?.events.at(-1)?.how,
    ];
    t.observe(mk(0, "bob", "deploy is red"));
    t.observe(mk(10, "ana", "bob: which step fails?", ["bob"]));
    expect(how(t.observe(mk(40, "bob", "the migration")))).toEqual(["ana", "reply"]);
    t.observe(mk(50, "ana", "bob: which one?", ["bob"]));
    expect(how(t.observe(mk(50 + 150, "bob", "the index one")))).toEqual(["ana", "late-reply"]);
  });

  it("normalises nicks and measures one-letter differences", () => {
    expect(nickKey("|trey|")).toBe("trey");
    expect(nickKey("Bob_2")).toBe("bob2");
    expect(withinOneEdit("nafallo", "natfallo")).toBe(true);
    expect(withinOneEdit("nafallo", "nafalo")).toBe(true);
    expect(withinOneEdit("nafallo", "nafxlxo")).toBe(false);
  });
  it("takes a shortened or misspelt name to mean the one recent speaker a look through everyone finds", () => {
    // Few letters, so that names share beginnings and ends and are often one edit apart.
    const name = fc.stringMatching(/^[abcB|_]{2,7}$/);
    const spoke = fc.record({ name, minute: fc.integer({ min: 0, max: 119 }) });
    fc.assert(
      fc.property(fc.array(spoke, { maxLength: 40 }), fc.stringMatching(/^[abcB]{3,7}$/), (said, word) => {
        const key = nickKey(word);
        const spellings = new Set(said.flatMap((s) => [s.name.toLowerCase(), nickKey(s.name)]));
        // An exact spelling is found without guessing: only guesses are compared here.
        fc.pre(!spellings.has(word.toLowerCase()) && !spellings.has(key));
        const t = new ConversationTracker();
        const last = new Map<string, number>();
        for (const s of [...said].sort((a, b) => a.minute - b.minute)) {
          t.observe(mk(s.minute * 60, s.name, "ok"));
          last.set(s.name, s.minute);
        }
        // The model: every speaker of the last hour, whose name starts with the word or is one edit away.
        const meant = [...last]
          .filter(([, minute]) => 120 - minute <= 60)
          .filter(([n]) => nickKey(n).startsWith(key) || (key.length >= 5 && withinOneEdit(nickKey(n), key)))
          .map(([n]) => n);
        const found = t.observe(mk(120 * 60, "zed", word)).addressee;
        expect(found).toBe(meant.length === 1 ? meant[0] : undefined);
      }),
      { numRuns: 500 },
    );
  });

  it("reads the words and places of a text as the regular expression that found them before", () => {
    // The reference: the first version, with a regular expression and two replacements per word.
    const reference = (text: string) => {
      const tokens = [...text.matchAll(/[^\s,:;!?()"'<>]+/g)];
      return tokens.flatMap((token, i) => {
        const word = token[0].replace(/^@/, "").replace(/[.]+$/, "");
        if (word.length < 2) return [];
        const next = text[token.index + token[0].length];
        const address = tokens.length === 1 || next === ":" || next === "," || next === ">";
        const place = address ? "address" : i === 0 ? "first" : i === tokens.length - 1 ? "last" : "inside";
        return [{ word, place }];
      });
    };
    // Separators, white space beyond ASCII (and characters that are not), "@", dots and a few letters.
    const chars = [...` ,:;!?()"'<>\t\n\r\v\f\u00a0\u2003\u3000\ufeff\u200b\u00e9@.@..abBz_|-1`];
    const text = fc.array(fc.constantFrom(...chars), { maxLength: 30 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(fc.oneof(text, fc.string(), fc.string({ unit: "binary" })), (t) => {
        expect(nameCandidates(t)).toEqual(reference(t));
      }),
      { numRuns: 3000 },
    );
    expect(nameCandidates("@xabbu|: see (the docs)... ok")).toEqual([
      { word: "xabbu|", place: "address" },
      { word: "see", place: "inside" },
      { word: "the", place: "inside" },
      { word: "docs", place: "inside" },
      { word: "ok", place: "last" },
    ]);
  });
});
