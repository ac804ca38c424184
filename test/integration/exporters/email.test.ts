import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EmailExporter, emailSettings } from "../../../src/exporters/email.js";
import { INJECTIONS, mkDecisionRecord } from "./fixtures.js";

// A real SMTP server on loopback that parses every mail it receives.
let server: SMTPServer;
let smtpUrl: string;
const received: { mail: ParsedMail; rcpt: string[] }[] = [];

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onAuth(auth, _session, callback) {
      if (auth.username === "bot" && auth.password === "pw") callback(null, { user: "bot" });
      else callback(new Error("bad credentials"));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ mail, rcpt: session.envelope.rcptTo.map((r) => r.address) });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  smtpUrl = `smtp://bot:pw@127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(resolve)));
beforeEach(() => {
  received.length = 0;
});

const settings = emailSettings.parse({
  enabled: true,
  to: ["team@example.org", "arch@example.org"],
  from: "Outloud <outloud@example.org>",
});

describe("E-mail exporter", () => {
  it("sends the decision as plain text and HTML to every address on the list", async () => {
    const exporter = new EmailExporter(settings, smtpUrl);
    const receipt = await exporter.export(mkDecisionRecord());
    exporter.close();
    expect(receipt).toEqual({
      ref: "<decision.t1.12.accepted@example.org>",
      location: "team@example.org, arch@example.org",
    });
    expect(received).toHaveLength(1);
    const { mail, rcpt } = received[0]!;
    expect(rcpt).toEqual(["team@example.org", "arch@example.org"]);
    expect(mail.subject).toBe("[decision] D-12: Use PostgreSQL for events");
    expect(mail.messageId).toBe("<decision.t1.12.accepted@example.org>");
    expect(mail.from?.text).toBe('"Outloud" <outloud@example.org>');
    expect(mail.text).toContain("Recorded by Alice in #team on 2026-11-25");
    expect(mail.text).toContain("Use PostgreSQL for events. SQLite stays for the playground and the replay.");
    expect(mail.html).toContain("<h1>D-12: Use PostgreSQL for events</h1>");
    expect(mail.html).toContain('<a href="https://example.slack.com/archives/C1/p1700000000000100">');
  });

  it("mails each state once: a retry with the receipt sends nothing, the superseding update threads under the original", async () => {
    const exporter = new EmailExporter(settings, smtpUrl);
    const first = await exporter.export(mkDecisionRecord());
    expect(await exporter.export(mkDecisionRecord(), first)).toEqual(first);
    const update = await exporter.export(
      mkDecisionRecord({ status: "superseded", supersededBy: "D-13" }),
      first,
    );
    exporter.close();
    expect(received).toHaveLength(2);
    const mail = received[1]!.mail;
    expect(update.ref).toBe("<decision.t1.12.superseded@example.org>");
    expect(mail.subject).toBe("[decision] D-12 superseded: Use PostgreSQL for events");
    expect(mail.inReplyTo).toBe("<decision.t1.12.accepted@example.org>");
    expect(mail.text).toContain("Status: superseded by D-13");
  });

  it("keeps injection attempts inert in headers and HTML", async () => {
    const exporter = new EmailExporter(settings, smtpUrl);
    await exporter.export(
      mkDecisionRecord({
        title: "Ship it\r\nBcc: victim@example.org\r\nX-Evil: 1",
        text: `${INJECTIONS.markup}\n\n${INJECTIONS.frontMatter}`,
        author: { id: "U1", name: '<b onmouseover="x">Eve</b>' },
        link: 'javascript:alert(1)"><script>',
      }),
    );
    exporter.close();
    const { mail, rcpt } = received[0]!;
    expect(rcpt).toEqual(["team@example.org", "arch@example.org"]);
    expect(mail.headers.has("x-evil")).toBe(false);
    expect(mail.headers.has("bcc")).toBe(false);
    expect(mail.subject).toBe("[decision] D-12: Ship it Bcc: victim@example.org X-Evil: 1");
    expect(mail.html).not.toMatch(/<script|<img|<b |href="javascript:/);
    expect(mail.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(mail.html).toContain("&lt;b onmouseover=&quot;x&quot;&gt;Eve&lt;/b&gt;");
  });

  it("fails with a clear error when the server refuses the credentials", async () => {
    const port = new URL(smtpUrl).port;
    const exporter = new EmailExporter(settings, `smtp://bot:wrong@127.0.0.1:${port}`);
    await expect(exporter.export(mkDecisionRecord())).rejects.toThrow(/Invalid login|auth/i);
    exporter.close();
    expect(received).toHaveLength(0);
  });
});
