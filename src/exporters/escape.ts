/**
 * Escaping per target, so a decision's text stays text wherever it lands: it can never open front
 * matter, add Markdown or HTML markup, or break out of Confluence's storage format.
 */
import { stringify } from "yaml";

// Characters CommonMark lets us backslash-escape that would otherwise start markup.
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-!|<>~=]/g;

/**
 * Markdown text that renders literally: punctuation that starts markup is backslash-escaped, `&`
 * cannot form an entity, and `1.` at a line start cannot start a list. Line breaks are kept as hard
 * breaks inside a paragraph; blank lines still separate paragraphs.
 */
export function escapeMarkdown(text: string): string {
  return stripControl(text)
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) =>
      line
        .replace(/&/g, "&amp;")
        .replace(MARKDOWN_SPECIAL, (c) => `\\${c}`)
        .replace(/^(\s*\d+)([.)])/, "$1\\$2")
        // Leading spaces would make an indented code block.
        .replace(/^\s+/, ""),
    )
    .map((line, i, all) => (line !== "" && all[i + 1] ? `${line}\\` : line))
    .join("\n");
}

/** One line of Markdown (a title, a table cell): line breaks become spaces. */
export function escapeMarkdownInline(text: string): string {
  return escapeMarkdown(text.replace(/\s+/g, " ").trim());
}

/**
 * YAML front matter: every string double-quoted with escapes, so a value can contain `---`, `:` or
 * newlines without ending the block or adding keys.
 */
export function frontMatter(fields: Record<string, unknown>): string {
  const body = stringify(fields, {
    defaultStringType: "QUOTE_DOUBLE",
    defaultKeyType: "PLAIN",
    lineWidth: 0,
  });
  return `---\n${body}---\n`;
}

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return stripControl(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Confluence storage format is XHTML: the HTML escapes, minus the characters XML 1.0 forbids (a stray
 * control character makes Confluence reject the whole page).
 */
export function escapeStorage(text: string): string {
  return escapeHtml(text).replace(/[\uFFFE\uFFFF]/g, "");
}

/** Paragraphs of HTML/storage text, line breaks kept. */
export function htmlParagraphs(text: string, escapeLine: (t: string) => string = escapeHtml): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => `<p>${p.split("\n").map(escapeLine).join("<br/>")}</p>`)
    .join("\n");
}

// Control characters other than tab and newline have no business in a document (and break XML).
function stripControl(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "");
}
