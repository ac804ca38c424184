/** Rendering core text as an m.notice: plain body, HTML formatted_body, pills and m.mentions. */
import { describe, expect, it } from "vitest";
import { mentionedIds, renderNotice } from "../../../src/adapters/matrix/render.js";

const names = new Map([
  ["@alice:example.org", "Alice"],
  ["@al:example.org", "Al <3"],
]);

describe("renderNotice", () => {
  it("is an m.notice with both bodies", () => {
    const n = renderNotice("Saved.", [], names);
    expect(n).toMatchObject({
      msgtype: "m.notice",
      body: "Saved.",
      format: "org.matrix.custom.html",
      formatted_body: "Saved.",
    });
  });

  it("turns @<id> mentions into pills and display names, and lists them in m.mentions", () => {
    const n = renderNotice(
      "Today's responder is @@alice:example.org: ask them.",
      ["@alice:example.org"],
      names,
    );
    expect(n.body).toBe("Today's responder is Alice: ask them.");
    expect(n.formatted_body).toBe(
      'Today\'s responder is <a href="https://matrix.to/#/@alice:example.org">Alice</a>: ask them.',
    );
    expect(n["m.mentions"]).toEqual({ user_ids: ["@alice:example.org"] });
  });

  it("does not let a shorter id eat a longer one, and escapes names", () => {
    const n = renderNotice("@al:example.org and @alice:example.org", [], names);
    expect(n.body).toBe("Al <3 and Alice");
    expect(n.formatted_body).toContain(">Al &lt;3</a> and <a");
  });

  it("escapes HTML in the text and renders light markup", () => {
    const n = renderNotice(
      "Use `!rota who` for *today* <b>now</b>\nsee <https://x.org/a|the docs>",
      [],
      names,
    );
    expect(n.formatted_body).toBe(
      'Use <code>!rota who</code> for <strong>today</strong> &lt;b&gt;now&lt;/b&gt;<br/>see <a href="https://x.org/a">the docs</a>',
    );
    expect(n.body).toBe("Use `!rota who` for *today* <b>now</b>\nsee the docs (https://x.org/a)");
  });
});

describe("mentionedIds", () => {
  it("finds ids in text without trailing punctuation", () => {
    expect(mentionedIds("ping @bob:example.org. and @carol:chat.example.org:8448!")).toEqual([
      "@bob:example.org",
      "@carol:chat.example.org:8448",
    ]);
  });
});
