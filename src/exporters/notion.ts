/**
 * Notion (API version 2022-06-28): one page per decision in a configured database. Idempotent: the
 * page is the one from the last export, else the one whose "Decision ID" property equals the id
 * (a database query), and is updated in place; a page is created only when none exists.
 */
import { z } from "zod";
import type { DocumentExporter, ExportReceipt } from "../core/decisions/exporter.js";
import type { DecisionRecord } from "../core/decisions/model.js";
import { fetchJson, HttpError, roomMatches, roomsSetting, SerialQueue } from "./common.js";

export const NOTION_VERSION = "2022-06-28";
// Notion limits: 2,000 characters per rich-text object, 100 blocks per request.
const RICH_TEXT_MAX = 2000;
const BLOCKS_MAX = 100;

export const notionSettings = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Create a Notion page per decision (needs NOTION_TOKEN)."),
    databaseId: z
      .string()
      .default("")
      .describe("Id of the database the pages go in (shared with the integration)."),
    apiUrl: z
      .string()
      .default("https://api.notion.com")
      .describe("Notion API base; change only for a proxy."),
    properties: z
      .strictObject({
        title: z.string().default("Name").describe("The database's title property."),
        id: z.string().default("Decision ID").describe("A text property holding the decision id (D-12)."),
        status: z
          .string()
          .default("Status")
          .describe("A select property for accepted/superseded; empty to skip."),
        date: z.string().default("Date").describe("A date property for the decision's date; empty to skip."),
      })
      .prefault({})
      .describe("Names of the database properties Outloud fills in."),
    rooms: roomsSetting,
  })
  .describe("Notion database pages.");

export type NotionSettings = z.infer<typeof notionSettings>;

interface NotionPage {
  id: string;
  url: string;
}

export class NotionExporter implements DocumentExporter {
  readonly target = "notion";
  private readonly queue = new SerialQueue();

  constructor(
    private readonly settings: NotionSettings,
    private readonly token: string,
  ) {
    if (!settings.databaseId) throw new Error("decisions.export.notion needs databaseId");
  }

  accepts(decision: Pick<DecisionRecord, "room">): boolean {
    return roomMatches(this.settings.rooms, decision);
  }

  export(decision: DecisionRecord, previous?: ExportReceipt): Promise<ExportReceipt> {
    return this.queue.run(() => this.upsert(decision, previous));
  }

  private async upsert(decision: DecisionRecord, previous?: ExportReceipt): Promise<ExportReceipt> {
    const properties = this.properties(decision);
    const existing = previous?.ref ?? (await this.findPageId(decision.id));
    if (existing) {
      try {
        const page = await this.call<NotionPage>(
          "update the page",
          `/v1/pages/${encodeURIComponent(existing)}`,
          "PATCH",
          { properties },
        );
        return { ref: page.id, location: page.url };
      } catch (err) {
        // The page was deleted in Notion: write it again.
        if (!(err instanceof HttpError && err.status === 404)) throw err;
      }
    }
    const page = await this.call<NotionPage>("create the page", "/v1/pages", "POST", {
      parent: { database_id: this.settings.databaseId },
      properties,
      children: blocks(decision),
    });
    return { ref: page.id, location: page.url };
  }

  private async findPageId(id: string): Promise<string | undefined> {
    const found = await this.call<{ results: NotionPage[] }>(
      "query the database",
      `/v1/databases/${encodeURIComponent(this.settings.databaseId)}/query`,
      "POST",
      { filter: { property: this.settings.properties.id, rich_text: { equals: id } }, page_size: 1 },
    );
    return found.results[0]?.id;
  }

  private properties(d: DecisionRecord): Record<string, unknown> {
    const p = this.settings.properties;
    const props: Record<string, unknown> = {
      [p.title]: { title: richText(d.title) },
      [p.id]: { rich_text: richText(d.id) },
    };
    if (p.status) props[p.status] = { select: { name: d.status } };
    if (p.date) props[p.date] = { date: { start: d.at.toISOString() } };
    return props;
  }

  private call<T>(what: string, path: string, method: string, body: unknown): Promise<T> {
    return fetchJson<T>(`Notion could not ${what}`, `${this.settings.apiUrl.replace(/\/+$/, "")}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        "notion-version": NOTION_VERSION,
        "content-type": "application/json",
        accept: "application/json",
      },
      body: JSON.stringify(body),
    });
  }
}

/** Plain text as Notion rich text (no annotations, no links: text stays text), split at the size limit. */
export function richText(text: string): { type: "text"; text: { content: string } }[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += RICH_TEXT_MAX) parts.push(text.slice(i, i + RICH_TEXT_MAX));
  return (parts.length ? parts : [""]).map((content) => ({ type: "text", text: { content } }));
}

function paragraph(text: string) {
  return { object: "block", type: "paragraph", paragraph: { rich_text: richText(text) } };
}

export function blocks(d: DecisionRecord) {
  const meta = [
    `Recorded by ${d.author.name} in #${d.room.name} on ${d.at.toISOString().slice(0, 10)}.`,
    d.participants.length > 1 ? `With: ${d.participants.map((p) => p.name).join(", ")}.` : "",
    d.supersedes ? `Supersedes ${d.supersedes}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const out: object[] = [paragraph(meta)];
  if (d.link && /^https?:\/\//.test(d.link)) {
    out.push({ object: "block", type: "bookmark", bookmark: { url: d.link, caption: [] } });
  }
  out.push({ object: "block", type: "heading_2", heading_2: { rich_text: richText("Decision") } });
  const paragraphs = d.text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean);
  // Past the block limit, the rest goes into the last paragraph rather than being dropped.
  const room = BLOCKS_MAX - out.length;
  const kept = paragraphs.slice(0, room - 1);
  const rest = paragraphs.slice(room - 1).join("\n\n");
  for (const p of kept) out.push(paragraph(p));
  if (rest) out.push(paragraph(rest));
  return out;
}
