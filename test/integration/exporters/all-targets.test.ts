/**
 * Every target at once, through the replay engine as in the playground: one `/decision` ends up in a
 * git repository (pushed to a bare remote), an SMTP server, Confluence, Notion and a webhook, and the
 * confirmation says where; superseding updates each of them in place.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeConfluence, FakeNotion, FakeWebhookReceiver, plain } from "../../helpers/fake-docs-apis.js";
import { ScenarioSession } from "../../helpers/scenario.js";

let dir: string;
let smtp: SMTPServer;
const mails: ParsedMail[] = [];
const wiki = new FakeConfluence("bot@example.org", "atl");
const notion = new FakeNotion("secret_n", "db-1");
const hook = new FakeWebhookReceiver("whsec");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "outloud-all-"));
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
  await Promise.all([wiki.start(), notion.start(), hook.start()]);
});
afterAll(async () => {
  await Promise.all([wiki.stop(), notion.stop(), hook.stop(), new Promise<void>((r) => smtp.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

it("exports one decision to every configured target and updates them all when it is superseded", async () => {
  const remote = join(dir, "adr.git");
  execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", remote]);
  const session = await new ScenarioSession({
    env: {
      OUTLOUD_DATA_DIR: join(dir, "data"),
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      CONFLUENCE_EMAIL: "bot@example.org",
      CONFLUENCE_API_TOKEN: "atl",
      NOTION_TOKEN: "secret_n",
      WEBHOOK_SECRET: "whsec",
    },
    settings: {
      decisions: {
        export: {
          markdown: { directory: join(dir, "adr"), git: { enabled: true, remote } },
          email: { enabled: true, to: ["team@example.org"], from: "Outloud <outloud@example.org>" },
          confluence: { enabled: true, baseUrl: wiki.url, spaceKey: "ENG" },
          notion: { enabled: true, databaseId: "db-1", apiUrl: notion.url },
          webhook: { enabled: true, url: `${hook.url}/decisions` },
        },
      },
    },
  }).open();
  try {
    const [confirm] = await session.feed([
      {
        type: "command",
        at: "2026-11-25T09:00:00Z",
        user: "alice",
        room: "#team",
        text: "/decision Use PostgreSQL for events.",
      },
    ]);
    expect(confirm!.text).toMatch(
      /^Recorded decision \*D-1\*: Use PostgreSQL for events\. Exported to confluence \(.+\), email \(team@example\.org\), markdown \(0001-use-postgresql-for-events\.md on branch main of [^()]+\), notion \(https:\/\/www\.notion\.so\/.+\), webhook \(http:\/\/127\.0\.0\.1:\d+\)\.$/,
    );
    await session.feed([
      {
        type: "command",
        at: "2026-11-25T09:05:00Z",
        user: "bob",
        room: "#team",
        text: "/decision supersede D-1 Use Kafka for events.",
      },
    ]);
    expect(
      execFileSync("git", ["log", "--format=%s", "main"], { cwd: remote, encoding: "utf8" })
        .trim()
        .split("\n"),
    ).toEqual([
      "Mark decision D-1 superseded by D-2: Use PostgreSQL for events",
      "Record decision D-2 (supersedes D-1): Use Kafka for events",
      "Record decision D-1: Use PostgreSQL for events",
    ]);
    expect(mails.map((m) => m.subject)).toEqual([
      "[decision] D-1: Use PostgreSQL for events",
      "[decision] D-2: Use Kafka for events",
      "[decision] D-1 superseded: Use PostgreSQL for events",
    ]);
    expect([...wiki.pages.values()].map((p) => [p.title, p.version])).toEqual([
      ["D-1: Use PostgreSQL for events", 2],
      ["D-2: Use Kafka for events", 1],
    ]);
    expect(
      [...notion.pages.values()].map((p) => [
        plain(p.properties["Decision ID"].rich_text),
        p.properties.Status.select.name,
      ]),
    ).toEqual([
      ["D-1", "superseded"],
      ["D-2", "accepted"],
    ]);
    expect(hook.deliveries).toEqual([
      "local/D-1/accepted/1",
      "local/D-2/accepted/1",
      "local/D-1/superseded/2",
    ]);
  } finally {
    await session.close();
  }
});
