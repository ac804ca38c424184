import { describe, expect, it } from "vitest";
import { renderMessage } from "../../../src/adapters/slack/render.js";
import {
  fromSlackText,
  roomKindFromChannelType,
  roomKindFromInfo,
  toSlackText,
} from "../../../src/adapters/slack/translate.js";

describe("fromSlackText", () => {
  it("turns Slack mention markup into @ids and lists the people mentioned once", () => {
    expect(fromSlackText("ping <@U1> and <@U2|bob>, again <@U1>")).toEqual({
      text: "ping @U1 and @U2, again @U1",
      mentions: ["U1", "U2"],
    });
  });

  it("recognises whole-channel mentions", () => {
    expect(fromSlackText("<!channel> deploy").broadcast).toBe("channel");
    expect(fromSlackText("<!here|here> lunch").broadcast).toBe("here");
    expect(fromSlackText("<!everyone> hi")).toMatchObject({ text: "@channel hi", broadcast: "channel" });
    expect(fromSlackText("no one").broadcast).toBeUndefined();
  });

  it("reads channels, user groups, links and escapes as a person would", () => {
    expect(fromSlackText("see <#C9|ops> and <!subteam^S1|@oncall>").text).toBe("see #ops and @oncall");
    expect(fromSlackText("<https://example.com|the doc> &amp; <https://x.org>").text).toBe(
      "the doc & https://x.org",
    );
    expect(fromSlackText("a &lt;b&gt; c").text).toBe("a <b> c");
  });
});

describe("toSlackText", () => {
  it("makes real mentions of user ids and escapes markup characters in user text", () => {
    expect(toSlackText("Today's responder is @U123ABC.", ["U123ABC"])).toBe(
      "Today's responder is <@U123ABC>.",
    );
    expect(toSlackText("@U1AA and @W2BB", [])).toBe("<@U1AA> and <@W2BB>");
    expect(toSlackText("x < y & <!channel>")).toBe("x &lt; y &amp; &lt;!channel&gt;");
  });

  it("leaves words that only look like mentions alone", () => {
    expect(toSlackText("mail me@UNIVERSITY.edu")).toBe("mail me@UNIVERSITY.edu");
    expect(toSlackText("@alice", ["alice"])).toBe("<@alice>");
  });

  it("leaves capitalised words after an @ as words: a Slack id has digits", () => {
    expect(toSlackText("see you @UTC 10:00 and @WWDC, cc @U0123ABCD")).toBe(
      "see you @UTC 10:00 and @WWDC, cc <@U0123ABCD>",
    );
  });
});

describe("room kinds", () => {
  it("maps Slack channel types and conversation info to core room kinds", () => {
    expect(roomKindFromChannelType("channel", "C1")).toBe("public");
    expect(roomKindFromChannelType("group", "G1")).toBe("private");
    expect(roomKindFromChannelType("im", "D1")).toBe("dm");
    expect(roomKindFromChannelType("mpim", "G2")).toBe("group-dm");
    expect(roomKindFromChannelType(undefined, "D7")).toBe("dm");
    expect(roomKindFromChannelType(undefined, "C7")).toBeUndefined();
    expect(roomKindFromInfo({ is_private: true })).toBe("private");
    expect(roomKindFromInfo({ is_mpim: true, is_private: true })).toBe("group-dm");
    expect(roomKindFromInfo({})).toBe("public");
  });
});

describe("renderMessage", () => {
  it("gives Block Kit sections and the same text as plain fallback", () => {
    const m = renderMessage({ text: "hello @U1AA", mentions: ["U1AA"] });
    expect(m.text).toBe("hello <@U1AA>");
    expect(m.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: "hello <@U1AA>" } }]);
  });

  it("splits long text into sections Slack accepts, at line ends, losing nothing", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `• line ${i} ${"x".repeat(30)}`);
    const m = renderMessage({ text: lines.join("\n") });
    const sections = m.blocks.map((b) => (b.text as { text: string }).text);
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(3000);
    expect(sections.join("\n")).toBe(lines.join("\n"));
  });

  it("never splits inside a mention, a link or an escape", () => {
    for (let shift = 0; shift < 30; shift++) {
      const text = `${"y".repeat(2985 + shift)}@U0123ABCD & <x> ${"z".repeat(40)}`;
      const sections = renderMessage({ text }).blocks.map((b) => (b.text as { text: string }).text);
      expect(sections.length).toBe(2);
      for (const s of sections) {
        expect(s.length).toBeLessThanOrEqual(3000);
        // Every piece of markup is whole in the section it is in.
        expect(s.match(/</g)?.length ?? 0).toBe(s.match(/>/g)?.length ?? 0);
        expect(s).not.toMatch(/&(?!amp;|lt;|gt;)/);
      }
      // Nothing lost but the space a cut was made at.
      expect(sections.join("").replace(/\s/g, "")).toBe(toSlackText(text).replace(/\s/g, ""));
    }
  });
});
