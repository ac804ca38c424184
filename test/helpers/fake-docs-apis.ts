/**
 * Local fakes of the documentation APIs the exporters talk to, on 127.0.0.1: Confluence Cloud REST
 * API v2, Notion API (Notion-Version 2022-06-28) and a webhook receiver. Each checks what the real
 * API insists on (auth, headers, body shape, version numbers) and answers with the real shapes, so
 * the exporters are tested through real HTTP. Failures can be injected to test the outbox.
 */
/* biome-ignore-all lint/suspicious/noExplicitAny: fakes read loosely shaped JSON bodies, as a real server does. */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
  raw: string;
}

/** What to do with the next matching requests: answer an error, or do the work and then drop the connection. */
interface Fault {
  match: (req: RecordedRequest) => boolean;
  remaining: number;
  kind: { status: number } | "drop-after" | "hold";
}

abstract class FakeApi {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private faults: Fault[] = [];
  private readonly held: IncomingMessage["socket"][] = [];
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.dispatch(req, res, Buffer.concat(chunks).toString("utf8")));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `times` requests matching `method path-prefix` get `status` instead of an answer. */
  failNext(times: number, status: number, method?: string): void {
    this.faults.push({ match: (r) => !method || r.method === method, remaining: times, kind: { status } });
  }

  /** The next matching request is carried out, but the connection is dropped before the answer (a crash mid-export). */
  dropAfterNext(method: string): void {
    this.faults.push({ match: (r) => r.method === method, remaining: 1, kind: "drop-after" });
  }

  /** The next matching request is carried out, but its answer is held until `releaseHeld()` drops it (a hung process). */
  holdNext(method: string): void {
    this.faults.push({ match: (r) => r.method === method, remaining: 1, kind: "hold" });
  }

  /** Drops the connections of held requests without answering. */
  releaseHeld(): void {
    for (const socket of this.held.splice(0)) socket.destroy();
  }

  protected abstract route(req: RecordedRequest, res: ServerResponse): unknown;

  private dispatch(req: IncomingMessage, res: ServerResponse, raw: string): unknown {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return send(res, 400, { message: "body is not JSON" });
    }
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      raw,
    };
    this.requests.push(recorded);
    const fault = this.faults.find((f) => f.remaining > 0 && f.match(recorded));
    if (fault) {
      fault.remaining--;
      if (fault.kind === "drop-after" || fault.kind === "hold") {
        // Do the work, then hang up (or hang) without answering: the client cannot know it succeeded.
        const end = () => (fault.kind === "hold" ? this.held.push(req.socket) : req.socket.destroy());
        const sink = { writeHead: () => sink, setHeader: () => sink, end } as unknown as ServerResponse;
        return this.route(recorded, sink);
      }
      return send(res, fault.kind.status, { message: "injected failure" });
    }
    this.route(recorded, res);
  }
}

/** Answers with JSON; returns true so routes can `return send(...)`. */
function send(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
  return true;
}

function isJsonRequest(req: RecordedRequest): boolean {
  return String(req.headers["content-type"] ?? "").startsWith("application/json");
}

// ---------------------------------------------------------------------------------------------------

export interface ConfluencePage {
  id: string;
  spaceId: string;
  parentId: string;
  title: string;
  status: string;
  body: string;
  version: number;
}

/**
 * Confluence Cloud REST API v2: GET /wiki/api/v2/spaces?keys=, GET /wiki/api/v2/pages?space-id=&title=,
 * GET/PUT /wiki/api/v2/pages/{id}, POST /wiki/api/v2/pages. Basic auth with e-mail and API token.
 */
export class FakeConfluence extends FakeApi {
  readonly pages = new Map<string, ConfluencePage>();
  readonly spaces = [{ id: "98304", key: "ENG", name: "Engineering" }];
  private nextId = 1000;

  constructor(
    private readonly email: string,
    private readonly token: string,
  ) {
    super();
  }

  protected route(req: RecordedRequest, res: ServerResponse): unknown {
    const expected = `Basic ${Buffer.from(`${this.email}:${this.token}`).toString("base64")}`;
    if (req.headers.authorization !== expected) return send(res, 401, { code: 401, message: "Unauthorized" });
    if (req.method !== "GET" && !isJsonRequest(req))
      return send(res, 415, { message: "Unsupported Media Type" });
    const base = "/wiki/api/v2";
    if (req.method === "GET" && req.path === `${base}/spaces`) {
      const keys = (req.query.get("keys") ?? "").split(",");
      return send(res, 200, { results: this.spaces.filter((s) => keys.includes(s.key)), _links: {} });
    }
    if (req.method === "GET" && req.path === `${base}/pages`) {
      const spaceId = req.query.get("space-id");
      const title = req.query.get("title");
      const found = [...this.pages.values()].filter(
        (p) => (!spaceId || p.spaceId === spaceId) && (!title || p.title === title) && p.status === "current",
      );
      return send(res, 200, { results: found.map((p) => this.view(p)), _links: {} });
    }
    const one = new RegExp(`^${base}/pages/(\\d+)$`).exec(req.path);
    if (req.method === "GET" && one) {
      const page = this.pages.get(one[1]!);
      return page ? send(res, 200, this.view(page)) : send(res, 404, { message: "Not Found" });
    }
    if (req.method === "POST" && req.path === `${base}/pages`) {
      const b = req.body as Record<string, any>;
      if (!this.spaces.some((s) => s.id === b?.spaceId))
        return send(res, 400, { message: "spaceId is required and must exist" });
      if (typeof b.title !== "string" || b.title === "")
        return send(res, 400, { message: "title is required" });
      if (b.body?.representation !== "storage" || typeof b.body?.value !== "string")
        return send(res, 400, { message: "body must be storage" });
      if (!wellFormedXhtml(b.body.value)) return send(res, 400, { message: "Error parsing xhtml" });
      const duplicate = [...this.pages.values()].some((p) => p.spaceId === b.spaceId && p.title === b.title);
      // The real API refuses a second page with the same title in a space.
      if (duplicate) return send(res, 400, { message: "A page with this title already exists" });
      const page: ConfluencePage = {
        id: String(this.nextId++),
        spaceId: b.spaceId,
        parentId: String(b.parentId ?? ""),
        title: b.title,
        status: b.status ?? "current",
        body: b.body.value,
        version: 1,
      };
      this.pages.set(page.id, page);
      return send(res, 200, this.view(page));
    }
    if (req.method === "PUT" && one) {
      const page = this.pages.get(one[1]!);
      if (!page) return send(res, 404, { message: "Not Found" });
      const b = req.body as Record<string, any>;
      if (b?.id !== page.id || b.status !== "current" || typeof b.title !== "string") {
        return send(res, 400, { message: "id, status and title are required" });
      }
      if (b.version?.number !== page.version + 1) {
        return send(res, 409, { message: `Version must be ${page.version + 1}` });
      }
      if (b.body?.representation !== "storage" || !wellFormedXhtml(b.body.value))
        return send(res, 400, { message: "Error parsing xhtml" });
      Object.assign(page, { title: b.title, body: b.body.value, version: page.version + 1 });
      return send(res, 200, this.view(page));
    }
    send(res, 404, { message: `no route ${req.method} ${req.path}` });
  }

  private view(p: ConfluencePage) {
    return {
      id: p.id,
      status: p.status,
      title: p.title,
      spaceId: p.spaceId,
      parentId: p.parentId,
      version: { number: p.version },
      _links: { webui: `/spaces/ENG/pages/${p.id}`, base: `${this.url}/wiki` },
    };
  }
}

/** Rough XHTML check: tags balance and every `&` starts an entity; enough to catch unescaped text. */
function wellFormedXhtml(text: string): boolean {
  if (/&(?!(?:[a-z]+|#\d+|#x[0-9a-f]+);)/i.test(text)) return false;
  const stack: string[] = [];
  for (const m of text.matchAll(/<(\/?)([a-z][\w:-]*)[^>]*?(\/?)>/gi)) {
    if (m[3]) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]!);
  }
  return stack.length === 0 && !/<(?![a-z/!])/i.test(text);
}

// ---------------------------------------------------------------------------------------------------

export interface NotionPage {
  id: string;
  url: string;
  databaseId: string;
  properties: Record<string, any>;
  children: any[];
}

/** Notion API, Notion-Version 2022-06-28: POST /v1/databases/{id}/query, POST /v1/pages, PATCH /v1/pages/{id}. */
export class FakeNotion extends FakeApi {
  readonly pages = new Map<string, NotionPage>();
  /** The database's property names and types, as in the real schema. */
  readonly schema: Record<string, string> = {
    Name: "title",
    "Decision ID": "rich_text",
    Status: "select",
    Date: "date",
  };

  constructor(
    private readonly token: string,
    readonly databaseId: string,
  ) {
    super();
  }

  protected route(req: RecordedRequest, res: ServerResponse): unknown {
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return send(res, 401, {
        object: "error",
        status: 401,
        code: "unauthorized",
        message: "API token is invalid.",
      });
    }
    if (req.headers["notion-version"] !== "2022-06-28") {
      return send(res, 400, {
        object: "error",
        status: 400,
        code: "missing_version",
        message: "Notion-Version header failed validation",
      });
    }
    if (req.method !== "GET" && !isJsonRequest(req))
      return send(res, 400, { object: "error", code: "invalid_json" });
    const query = /^\/v1\/databases\/([\w-]+)\/query$/.exec(req.path);
    if (req.method === "POST" && query) {
      if (query[1] !== this.databaseId) return send(res, 404, { object: "error", code: "object_not_found" });
      const filter = (req.body as any)?.filter;
      const wanted = filter?.rich_text?.equals;
      if (!filter?.property || this.schema[filter.property] !== "rich_text" || typeof wanted !== "string") {
        return send(res, 400, { object: "error", code: "validation_error", message: "filter is invalid" });
      }
      const results = [...this.pages.values()].filter(
        (p) => plain(p.properties[filter.property]?.rich_text) === wanted,
      );
      return send(res, 200, {
        object: "list",
        results: results.map((p) => this.view(p)),
        has_more: false,
        next_cursor: null,
      });
    }
    if (req.method === "POST" && req.path === "/v1/pages") {
      const b = req.body as any;
      if (b?.parent?.database_id !== this.databaseId)
        return send(res, 404, { object: "error", code: "object_not_found" });
      const problem = this.checkProperties(b.properties) ?? checkBlocks(b.children ?? []);
      if (problem)
        return send(res, 400, { object: "error", status: 400, code: "validation_error", message: problem });
      const id = randomUUID();
      const page: NotionPage = {
        id,
        url: `https://www.notion.so/${id.replaceAll("-", "")}`,
        databaseId: this.databaseId,
        properties: b.properties,
        children: b.children ?? [],
      };
      this.pages.set(id, page);
      return send(res, 200, this.view(page));
    }
    const one = /^\/v1\/pages\/([\w-]+)$/.exec(req.path);
    if (req.method === "PATCH" && one) {
      const page = this.pages.get(one[1]!);
      if (!page) return send(res, 404, { object: "error", code: "object_not_found" });
      const problem = this.checkProperties((req.body as any)?.properties ?? {});
      if (problem)
        return send(res, 400, { object: "error", status: 400, code: "validation_error", message: problem });
      Object.assign(page.properties, (req.body as any).properties);
      return send(res, 200, this.view(page));
    }
    send(res, 404, { object: "error", code: "invalid_request_url" });
  }

  private checkProperties(props: Record<string, any>): string | undefined {
    for (const [name, value] of Object.entries(props ?? {})) {
      const type = this.schema[name];
      if (!type) return `${name} is not a property that exists.`;
      if (!(type in value)) return `${name} is expected to be ${type}.`;
      if ((type === "title" || type === "rich_text") && !validRichText(value[type]))
        return `${name}: rich text is invalid`;
    }
    return undefined;
  }

  private view(p: NotionPage) {
    return { object: "page", id: p.id, url: p.url, properties: p.properties };
  }
}

function validRichText(items: unknown): boolean {
  return (
    Array.isArray(items) &&
    items.every((i) => typeof i?.text?.content === "string" && i.text.content.length <= 2000)
  );
}

function checkBlocks(blocks: any[]): string | undefined {
  if (blocks.length > 100) return "body.children.length should be ≤ 100";
  for (const b of blocks) {
    if (b?.object !== "block" || !b.type || !(b.type in b)) return "block is invalid";
    const content = b[b.type];
    if ("rich_text" in content && !validRichText(content.rich_text)) return "block rich text is invalid";
    if (b.type === "bookmark" && typeof content.url !== "string") return "bookmark.url is required";
  }
  return undefined;
}

/** The plain text of a Notion rich-text array. */
export function plain(items: any[] | undefined): string {
  return (items ?? []).map((i) => i.text?.content ?? "").join("");
}

// ---------------------------------------------------------------------------------------------------

/** A webhook receiver that verifies Outloud's HMAC signature and keeps decisions by id (upsert). */
export class FakeWebhookReceiver extends FakeApi {
  readonly byDecision = new Map<string, unknown>();
  readonly deliveries: string[] = [];
  /** Awaited before each delivery is answered: a test looks at the world while the sender waits. */
  beforeAnswer: ((decisionId: string) => Promise<void>) | undefined;

  constructor(private readonly secret: string) {
    super();
  }

  protected async route(req: RecordedRequest, res: ServerResponse): Promise<unknown> {
    if (req.method !== "POST" || !isJsonRequest(req)) return send(res, 405, {});
    const header = String(req.headers["x-outloud-signature"] ?? "");
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    if (!m) return send(res, 401, { error: "missing signature" });
    const expected = createHmac("sha256", this.secret).update(`${m[1]}.${req.raw}`).digest();
    if (!timingSafeEqual(expected, Buffer.from(m[2]!, "hex")))
      return send(res, 401, { error: "bad signature" });
    const body = req.body as { decision: { workspace: string; id: string } };
    this.deliveries.push(String(req.headers["x-outloud-delivery"]));
    this.byDecision.set(`${body.decision.workspace}/${body.decision.id}`, body);
    await this.beforeAnswer?.(body.decision.id);
    send(res, 200, { ok: true });
  }
}
