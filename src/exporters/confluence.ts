/**
 * Confluence Cloud, REST API v2: one page per decision under a configured space and parent page,
 * in storage format (XHTML). Idempotent: the page is found by its id from the last export, else by
 * its title (`D-12: …`, unique in the space), and updated with the next version number; a page is
 * created only when none exists.
 */
import { z } from "zod";
import type { DocumentExporter, ExportReceipt } from "../core/decisions/exporter.js";
import type { DecisionRecord } from "../core/decisions/model.js";
import { fetchJson, HttpError, roomMatches, roomsSetting, SerialQueue } from "./common.js";
import { escapeStorage, htmlParagraphs } from "./escape.js";

export const confluenceSettings = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("Create a Confluence page per decision (needs CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN)."),
    baseUrl: z
      .string()
      .default("")
      .describe("Your site, e.g. https://your-team.atlassian.net (the API is under /wiki/api/v2)."),
    spaceKey: z.string().default("").describe("Key of the space the pages go in, e.g. ENG."),
    parentId: z
      .string()
      .default("")
      .describe("Id of the parent page (from its URL); empty means the space's top level."),
    rooms: roomsSetting,
  })
  .describe("Confluence Cloud pages (REST API v2, storage format).");

export type ConfluenceSettings = z.infer<typeof confluenceSettings>;

interface Page {
  id: string;
  title: string;
  version: { number: number };
  _links?: { webui?: string; base?: string };
}

export class ConfluenceExporter implements DocumentExporter {
  readonly target = "confluence";
  private spaceId: string | undefined;
  // Two exports of the same page at once would race on the version number.
  private readonly queue = new SerialQueue();
  private readonly api: string;
  private readonly auth: string;

  constructor(
    private readonly settings: ConfluenceSettings,
    credentials: { email: string; token: string },
  ) {
    if (!settings.baseUrl || !settings.spaceKey)
      throw new Error("decisions.export.confluence needs baseUrl and spaceKey");
    this.api = `${settings.baseUrl.replace(/\/+$/, "")}/wiki/api/v2`;
    this.auth = `Basic ${Buffer.from(`${credentials.email}:${credentials.token}`).toString("base64")}`;
  }

  accepts(decision: Pick<DecisionRecord, "room">): boolean {
    return roomMatches(this.settings.rooms, decision);
  }

  export(decision: DecisionRecord, previous?: ExportReceipt): Promise<ExportReceipt> {
    return this.queue.run(() => this.upsert(decision, previous));
  }

  private async upsert(decision: DecisionRecord, previous?: ExportReceipt): Promise<ExportReceipt> {
    const spaceId = await this.space();
    const title = pageTitle(decision);
    const body = { representation: "storage", value: renderStorage(decision) };
    const existing =
      (previous && (await this.page(previous.ref))) ?? (await this.findByTitle(spaceId, title));
    let page: Page;
    if (existing) {
      page = await this.call<Page>("update the page", `/pages/${existing.id}`, "PUT", {
        id: existing.id,
        status: "current",
        title,
        body,
        version: {
          number: existing.version.number + 1,
          message: `Outloud: ${decision.id} is ${decision.status}`,
        },
      });
    } else {
      page = await this.call<Page>("create the page", "/pages", "POST", {
        spaceId,
        status: "current",
        title,
        ...(this.settings.parentId ? { parentId: this.settings.parentId } : {}),
        body,
      });
    }
    const links = page._links ?? existing?._links;
    const location = links?.webui
      ? `${links.base ?? `${this.settings.baseUrl}/wiki`}${links.webui}`
      : `${this.settings.baseUrl}/wiki/pages/${page.id}`;
    return { ref: page.id, location };
  }

  private async space(): Promise<string> {
    if (this.spaceId) return this.spaceId;
    const found = await this.call<{ results: { id: string; key: string }[] }>(
      "look up the space",
      `/spaces?keys=${encodeURIComponent(this.settings.spaceKey)}`,
      "GET",
    );
    const space = found.results.find((s) => s.key === this.settings.spaceKey);
    if (!space)
      throw new Error(
        `Confluence space ${this.settings.spaceKey} not found (or not visible to ${"the API user"})`,
      );
    this.spaceId = space.id;
    return space.id;
  }

  private async page(id: string): Promise<Page | undefined> {
    try {
      return await this.call<Page>("read the page", `/pages/${encodeURIComponent(id)}`, "GET");
    } catch (err) {
      // Deleted by someone: fall back to the title lookup and, failing that, a new page.
      if (err instanceof HttpError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async findByTitle(spaceId: string, title: string): Promise<Page | undefined> {
    const q = new URLSearchParams({ "space-id": spaceId, title, status: "current" });
    const found = await this.call<{ results: Page[] }>("look for the page", `/pages?${q}`, "GET");
    return found.results.find((p) => p.title === title);
  }

  private call<T>(what: string, path: string, method: string, body?: unknown): Promise<T> {
    return fetchJson<T>(`Confluence could not ${what}`, `${this.api}${path}`, {
      method,
      headers: {
        authorization: this.auth,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}

/** `D-12: Use PostgreSQL for events`: the id keeps titles unique within the space. */
export function pageTitle(d: DecisionRecord): string {
  return `${d.id}: ${d.title.replace(/\s+/g, " ")}`.slice(0, 255);
}

/** The page body in storage format; every piece of user text goes through escapeStorage. */
export function renderStorage(d: DecisionRecord): string {
  const date = d.at.toISOString().slice(0, 10);
  const status =
    d.status === "superseded"
      ? `Superseded by ${escapeStorage(d.supersededBy ?? "a later decision")}`
      : `Accepted${d.supersedes ? `, supersedes ${escapeStorage(d.supersedes)}` : ""}`;
  const rows = [
    ["Status", status],
    ["Date", date],
    ["Room", `#${escapeStorage(d.room.name)}`],
    ["Recorded by", escapeStorage(d.author.name)],
    ["Participants", escapeStorage(d.participants.map((p) => p.name).join(", "))],
  ];
  if (d.link && /^https?:\/\//.test(d.link))
    rows.push(["Conversation", `<a href="${escapeStorage(d.link)}">link</a>`]);
  return [
    `<table><tbody>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join("")}</tbody></table>`,
    "<h2>Decision</h2>",
    htmlParagraphs(d.text, escapeStorage),
  ].join("\n");
}
