import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfluenceExporter, confluenceSettings } from "../../../src/exporters/confluence.js";
import { NotionExporter, notionSettings } from "../../../src/exporters/notion.js";
import { WebhookExporter, webhookSettings } from "../../../src/exporters/webhook.js";
import { FakeConfluence, FakeNotion, FakeWebhookReceiver, plain } from "../../helpers/fake-docs-apis.js";
import { INJECTIONS, mkDecisionRecord } from "./fixtures.js";

describe("Confluence exporter (REST API v2)", () => {
  let wiki: FakeConfluence;
  const credentials = { email: "bot@example.org", token: "atl-token" };
  beforeAll(async () => {
    wiki = await new FakeConfluence(credentials.email, credentials.token).start();
  });
  afterAll(() => wiki.stop());
  beforeEach(() => {
    wiki.pages.clear();
    wiki.requests.length = 0;
  });
  const exporter = () =>
    new ConfluenceExporter(
      confluenceSettings.parse({ enabled: true, baseUrl: wiki.url, spaceKey: "ENG", parentId: "77" }),
      credentials,
    );

  it("creates one page under the parent in the space, in storage format", async () => {
    const receipt = await exporter().export(mkDecisionRecord());
    const pages = [...wiki.pages.values()];
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({
      spaceId: "98304",
      parentId: "77",
      title: "D-12: Use PostgreSQL for events",
      version: 1,
    });
    expect(pages[0]!.body).toContain("<h2>Decision</h2>");
    expect(pages[0]!.body).toContain(
      "<p>Use PostgreSQL for events. SQLite stays for the playground and the replay.</p>",
    );
    expect(receipt).toEqual({
      ref: pages[0]!.id,
      location: `${wiki.url}/wiki/spaces/ENG/pages/${pages[0]!.id}`,
    });
  });

  it("updates the same page with the next version on re-export, with or without the receipt", async () => {
    const first = await exporter().export(mkDecisionRecord());
    await exporter().export(mkDecisionRecord({ status: "superseded", supersededBy: "D-13" }), first);
    // A fresh process that lost the receipt finds the page by title.
    await exporter().export(mkDecisionRecord({ status: "superseded", supersededBy: "D-13" }));
    const pages = [...wiki.pages.values()];
    expect(pages).toHaveLength(1);
    expect(pages[0]!.version).toBe(3);
    expect(pages[0]!.body).toContain("Superseded by D-13");
  });

  it("finds the page created by a request whose answer never came back", async () => {
    wiki.dropAfterNext("POST");
    await expect(exporter().export(mkDecisionRecord())).rejects.toThrow();
    expect(wiki.pages.size).toBe(1);
    await exporter().export(mkDecisionRecord());
    expect(wiki.pages.size).toBe(1);
    expect([...wiki.pages.values()][0]!.version).toBe(2);
  });

  it("escapes text so that it cannot add macros or markup", async () => {
    await exporter().export(
      mkDecisionRecord({
        text: `${INJECTIONS.storage}\n\nR&D <b>wins</b>`,
        author: { id: "U1", name: "<ac:emoticon/>" },
      }),
    );
    const body = [...wiki.pages.values()][0]!.body;
    expect(body).not.toContain("<ac:");
    expect(body).not.toContain("<b>");
    expect(body).toContain("&lt;ac:structured-macro");
    expect(body).toContain("R&amp;D &lt;b&gt;wins&lt;/b&gt;");
  });

  it("reports the API's answer when the credentials are wrong", async () => {
    const bad = new ConfluenceExporter(
      confluenceSettings.parse({ enabled: true, baseUrl: wiki.url, spaceKey: "ENG" }),
      {
        email: "bot@example.org",
        token: "wrong",
      },
    );
    await expect(bad.export(mkDecisionRecord())).rejects.toThrow(
      /Confluence could not look up the space: HTTP 401/,
    );
    expect(wiki.pages.size).toBe(0);
  });
});

describe("Notion exporter (Notion-Version 2022-06-28)", () => {
  let notion: FakeNotion;
  beforeAll(async () => {
    notion = await new FakeNotion("secret_notion", "db-1234").start();
  });
  afterAll(() => notion.stop());
  beforeEach(() => {
    notion.pages.clear();
    notion.requests.length = 0;
  });
  const exporter = () =>
    new NotionExporter(
      notionSettings.parse({ enabled: true, databaseId: "db-1234", apiUrl: notion.url }),
      "secret_notion",
    );

  it("creates a page in the database with the properties and the text as blocks", async () => {
    const receipt = await exporter().export(
      mkDecisionRecord({ text: "First paragraph.\n\nSecond paragraph." }),
    );
    const [page] = [...notion.pages.values()];
    expect(receipt).toEqual({ ref: page!.id, location: page!.url });
    expect(plain(page!.properties.Name.title)).toBe("Use PostgreSQL for events");
    expect(plain(page!.properties["Decision ID"].rich_text)).toBe("D-12");
    expect(page!.properties.Status).toEqual({ select: { name: "accepted" } });
    expect(page!.properties.Date).toEqual({ date: { start: "2026-11-25T09:00:00.000Z" } });
    const texts = page!.children
      .filter((b) => b.type === "paragraph")
      .map((b) => plain(b.paragraph.rich_text));
    expect(texts).toEqual([
      "Recorded by Alice in #team on 2026-11-25. With: Alice, Bob.",
      "First paragraph.",
      "Second paragraph.",
    ]);
    expect(page!.children.find((b) => b.type === "bookmark")?.bookmark.url).toBe(mkDecisionRecord().link);
  });

  it("updates the page found by its Decision ID instead of creating a second one", async () => {
    await exporter().export(mkDecisionRecord());
    notion.dropAfterNext("PATCH");
    await expect(
      exporter().export(mkDecisionRecord({ status: "superseded", supersededBy: "D-13" })),
    ).rejects.toThrow();
    await exporter().export(mkDecisionRecord({ status: "superseded", supersededBy: "D-13" }));
    expect(notion.pages.size).toBe(1);
    expect([...notion.pages.values()][0]!.properties.Status).toEqual({ select: { name: "superseded" } });
    const query = notion.requests.find((r) => r.path.endsWith("/query"));
    expect(query?.body).toEqual({
      filter: { property: "Decision ID", rich_text: { equals: "D-12" } },
      page_size: 1,
    });
  });

  it("splits long text at Notion's 2,000-character limit and keeps markup as plain text", async () => {
    const long = `${"x".repeat(4500)}\n\n${INJECTIONS.markup}`;
    await exporter().export(mkDecisionRecord({ text: long }));
    const page = [...notion.pages.values()][0]!;
    const paragraphs = page.children.filter((b) => b.type === "paragraph");
    expect(
      paragraphs[1].paragraph.rich_text.map((r: { text: { content: string } }) => r.text.content.length),
    ).toEqual([2000, 2000, 500]);
    expect(plain(paragraphs[2].paragraph.rich_text)).toBe(INJECTIONS.markup);
    expect(paragraphs[2].paragraph.rich_text[0].annotations).toBeUndefined();
    expect(paragraphs[2].paragraph.rich_text[0].text.link).toBeUndefined();
  });

  it("names Notion's complaint when a property is missing from the database", async () => {
    const wrong = new NotionExporter(
      notionSettings.parse({
        enabled: true,
        databaseId: "db-1234",
        apiUrl: notion.url,
        properties: { status: "State" },
      }),
      "secret_notion",
    );
    await expect(wrong.export(mkDecisionRecord())).rejects.toThrow(
      /Notion could not create the page: HTTP 400 .*State is not a property/,
    );
  });
});

describe("Webhook exporter", () => {
  let receiver: FakeWebhookReceiver;
  beforeAll(async () => {
    receiver = await new FakeWebhookReceiver("whsec").start();
  });
  afterAll(() => receiver.stop());
  beforeEach(() => {
    receiver.byDecision.clear();
    receiver.deliveries.length = 0;
  });
  const exporter = (secret = "whsec") =>
    new WebhookExporter(
      webhookSettings.parse({ enabled: true, url: `${receiver.url}/hooks/decisions?key=abc` }),
      secret,
    );

  it("posts the decision as JSON with a valid HMAC-SHA256 signature", async () => {
    const receipt = await exporter().export(mkDecisionRecord());
    expect(receipt).toEqual({ ref: "T1/D-12/accepted/1", location: receiver.url });
    expect(receiver.byDecision.get("T1/D-12")).toMatchObject({
      event: "decision.recorded",
      decision: {
        id: "D-12",
        title: "Use PostgreSQL for events",
        status: "accepted",
        at: "2026-11-25T09:00:00.000Z",
        room: { name: "team" },
      },
    });
  });

  it("is refused by the receiver when signed with another secret", async () => {
    await expect(exporter("not-the-secret").export(mkDecisionRecord())).rejects.toThrow(/HTTP 401/);
    expect(receiver.byDecision.size).toBe(0);
  });

  it("sends each state once and keeps its delivery id on retries", async () => {
    receiver.failNext(1, 503);
    await expect(exporter().export(mkDecisionRecord())).rejects.toThrow(/HTTP 503/);
    const first = await exporter().export(mkDecisionRecord());
    expect(await exporter().export(mkDecisionRecord(), first)).toEqual(first);
    await exporter().export(mkDecisionRecord({ status: "superseded", supersededBy: "D-13" }), first);
    expect(receiver.deliveries).toEqual(["T1/D-12/accepted/1", "T1/D-12/superseded/2"]);
    expect(receiver.byDecision.size).toBe(1);
    expect(receiver.byDecision.get("T1/D-12")).toMatchObject({
      event: "decision.updated",
      decision: { supersededBy: "D-13" },
    });
  });

  it("sends decision.undone, with its own delivery id, when a decision is undone", async () => {
    const first = await exporter().export(mkDecisionRecord());
    await exporter().withdraw(mkDecisionRecord());
    expect(receiver.deliveries).toEqual([first.ref, "T1/D-12/undone"]);
    expect(receiver.byDecision.get("T1/D-12")).toMatchObject({
      event: "decision.undone",
      decision: { id: "D-12", status: "undone" },
    });
  });

  it("gives a decision accepted again (its successor undone) a new delivery id", async () => {
    const first = await exporter().export(mkDecisionRecord());
    const superseded = await exporter().export(
      mkDecisionRecord({ status: "superseded", supersededBy: "D-13" }),
      first,
    );
    const again = await exporter().export(mkDecisionRecord(), superseded);
    expect(receiver.deliveries).toEqual(["T1/D-12/accepted/1", "T1/D-12/superseded/2", "T1/D-12/accepted/3"]);
    expect(new Set(receiver.deliveries).size).toBe(3);
    expect(again.ref).toBe("T1/D-12/accepted/3");
    expect(receiver.byDecision.get("T1/D-12")).toMatchObject({ decision: { status: "accepted" } });
  });
});
