import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  escapeHtml,
  escapeMarkdown,
  escapeStorage,
  frontMatter,
  htmlParagraphs,
} from "../../../src/exporters/escape.js";

describe("escapeMarkdown", () => {
  it("turns markup into literal text", () => {
    expect(escapeMarkdown("# Heading")).toBe("\\# Heading");
    expect(escapeMarkdown("**bold** _it_ `code`")).toBe("\\*\\*bold\\*\\* \\_it\\_ \\`code\\`");
    expect(escapeMarkdown("[x](http://evil)")).toBe("\\[x\\]\\(http://evil\\)");
    expect(escapeMarkdown("<img src=x>")).toBe("\\<img src\\=x\\>");
    expect(escapeMarkdown("&lt;")).toBe("&amp;lt;");
    expect(escapeMarkdown("1. not a list")).toBe("1\\. not a list");
    expect(escapeMarkdown("---")).toBe("\\-\\-\\-");
    expect(escapeMarkdown("    code block")).toBe("code block");
  });

  it("keeps line breaks and paragraphs", () => {
    expect(escapeMarkdown("one\ntwo\n\nthree")).toBe("one\\\ntwo\n\nthree");
  });
});

describe("frontMatter", () => {
  it("quotes every value so nothing can end the block or add a key", () => {
    const text = frontMatter({ id: "D-1", title: 'x"\n---\nstatus: owned', list: ["a: b", "- c"] });
    expect(text.split("\n").filter((l) => l === "---")).toHaveLength(2);
    expect(parse(text.slice(4, -4))).toEqual({
      id: "D-1",
      title: 'x"\n---\nstatus: owned',
      list: ["a: b", "- c"],
    });
  });
});

describe("HTML and Confluence storage", () => {
  it("escapes markup and entities", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("drops characters XML forbids", () => {
    expect(escapeStorage("a\u0000b\u0007c\uFFFE")).toBe("abc");
  });

  it("builds paragraphs with line breaks", () => {
    expect(htmlParagraphs("a<b\nc\n\n\nd")).toBe("<p>a&lt;b<br/>c</p>\n<p>d</p>");
  });
});
