/**
 * Renders a core action's text as a Matrix `m.notice`: a plain `body` and an HTML `formatted_body`.
 * The core writes Slack-like light markup (`*bold*`, `_italic_`, `` `code` ``, `<url|label>`) and
 * mentions as `@<user id>` (on Matrix ids start with `@` themselves); mentions become pills in HTML, display names in the plain body, and are
 * listed in `m.mentions` so clients notify exactly those people.
 */

export interface NoticeContent {
  msgtype: "m.notice";
  body: string;
  format: "org.matrix.custom.html";
  formatted_body: string;
  "m.mentions": { user_ids: string[] };
  [key: string]: unknown;
}

const USER_ID_IN_TEXT = /@[a-z0-9._=\-/+]+:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d+)?/g;

/** The people a text mentions: those listed, and any Matrix user id written in it (`@@alice:x` included). */
export function mentionedIds(text: string, mentions: readonly string[] = []): string[] {
  return [...new Set([...mentions, ...(text.match(USER_ID_IN_TEXT) ?? [])])];
}

/** `names` maps each mentioned user id to the name shown for it. */
export function renderNotice(
  text: string,
  mentions: readonly string[],
  names: ReadonlyMap<string, string>,
): NoticeContent {
  const ids = mentionedIds(text, mentions);
  // Longest ids first, so `@al:x` never eats the start of `@al:x.org`.
  const pattern = ids.length
    ? new RegExp(
        `@?(${ids
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join("|")})(?![\\w-]|[.:]\\w)`,
        "g",
      )
    : undefined;
  const plainParts: string[] = [];
  const htmlParts: string[] = [];
  let last = 0;
  for (const m of pattern ? text.matchAll(pattern) : []) {
    const id = m[1] ?? "";
    const before = text.slice(last, m.index);
    plainParts.push(plainMarkup(before), names.get(id) ?? id);
    htmlParts.push(
      htmlMarkup(before),
      `<a href="https://matrix.to/#/${escapeHtml(id)}">${escapeHtml(names.get(id) ?? id)}</a>`,
    );
    last = (m.index ?? 0) + m[0].length;
  }
  plainParts.push(plainMarkup(text.slice(last)));
  htmlParts.push(htmlMarkup(text.slice(last)));
  return {
    msgtype: "m.notice",
    body: plainParts.join(""),
    format: "org.matrix.custom.html",
    formatted_body: htmlParts.join(""),
    "m.mentions": { user_ids: ids },
  };
}

/** The plain body keeps the words and drops the markup characters. */
function plainMarkup(text: string): string {
  return text
    .replace(/<(https?:\/\/[^|>\s]+)\|([^>]+)>/g, "$2 ($1)")
    .replace(/<(https?:\/\/[^>\s]+)>/g, "$1");
}

function htmlMarkup(text: string): string {
  return escapeHtml(text)
    .replace(
      /&lt;(https?:\/\/[^|\s]+?)\|(.+?)&gt;/g,
      (_, url: string, label: string) => `<a href="${url}">${label}</a>`,
    )
    .replace(/&lt;(https?:\/\/[^\s]+?)&gt;/g, (_, url: string) => `<a href="${url}">${url}</a>`)
    .replace(/`([^`\n]+)`/g, "<code>$1</code>")
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, "$1<strong>$2</strong>")
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, "$1<em>$2</em>")
    .replace(/\n/g, "<br/>");
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
