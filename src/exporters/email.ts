/**
 * E-mail through SMTP (nodemailer) to a configured list, as plain text and HTML. Mail cannot be
 * edited once sent, so "idempotent" means: one mail per state of a decision (recorded, superseded).
 * Each mail has a Message-ID derived from the decision and its state: a retry after an unrecorded send
 * reuses it (mail clients show one message), and a state already mailed is not mailed again.
 */
import nodemailer from "nodemailer";
import { z } from "zod";
import type { DocumentExporter, ExportReceipt } from "../core/decisions/exporter.js";
import type { DecisionRecord } from "../core/decisions/model.js";
import { slugOf } from "../core/decisions/text.js";
import { roomMatches, roomsSetting } from "./common.js";
import { escapeHtml, htmlParagraphs } from "./escape.js";

export const emailSettings = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Mail each decision (needs SMTP_URL in the environment)."),
    to: z.array(z.email()).default([]).describe("Addresses that receive every decision."),
    from: z.string().default("Outloud <outloud@localhost>").describe("Sender of the mails."),
    subjectPrefix: z.string().default("[decision]").describe("Put before each subject, for mail filters."),
    rooms: roomsSetting,
  })
  .describe("E-mail to a list through SMTP (SMTP_URL).");

export type EmailSettings = z.infer<typeof emailSettings>;

/** The SMTP transport for `SMTP_URL`: decisions' mails and the personal catch-up share it. */
export function smtpTransport(smtpUrl: string): nodemailer.Transporter {
  return nodemailer.createTransport(smtpUrl);
}

/** Sends one plain-text mail through `SMTP_URL`, from `from`. */
export function plainMailer(
  smtpUrl: string,
  from: string,
): (to: string, subject: string, text: string) => Promise<void> {
  const transport = smtpTransport(smtpUrl);
  return async (to, subject, text) => {
    await transport.sendMail({ from, to, subject, text });
  };
}

export class EmailExporter implements DocumentExporter {
  readonly target = "email";
  private readonly transport: nodemailer.Transporter;

  constructor(
    private readonly settings: EmailSettings,
    smtpUrl: string,
  ) {
    if (settings.to.length === 0) throw new Error("decisions.export.email.to lists no address");
    this.transport = smtpTransport(smtpUrl);
  }

  accepts(decision: Pick<DecisionRecord, "room">): boolean {
    return roomMatches(this.settings.rooms, decision);
  }

  async export(decision: DecisionRecord, previous?: ExportReceipt): Promise<ExportReceipt> {
    const messageId = this.messageId(decision, decision.status);
    const location = this.settings.to.join(", ");
    // This state was already mailed: nothing to update in a mail that was sent.
    if (previous?.ref === messageId) return previous;
    const original = this.messageId(decision, "accepted");
    const isUpdate = decision.status === "superseded";
    const subject =
      `${this.settings.subjectPrefix} ${decision.id}${isUpdate ? " superseded" : ""}: ${decision.title}`
        .replace(/\s+/g, " ")
        .trim();
    await this.transport.sendMail({
      from: this.settings.from,
      to: this.settings.to,
      subject,
      messageId,
      // An update threads under the original mail.
      ...(isUpdate ? { inReplyTo: original, references: [original] } : {}),
      text: renderText(decision),
      html: renderHtml(decision),
      headers: { "X-Outloud-Decision": `${decision.workspace} ${decision.id}` },
    });
    return { ref: messageId, location };
  }

  close(): void {
    this.transport.close();
  }

  private messageId(d: DecisionRecord, state: string): string {
    const domain = /@([^>\s]+)>?\s*$/.exec(this.settings.from)?.[1] ?? "outloud.invalid";
    return `<decision.${slugOf(d.workspace)}.${d.number}.${state}@${domain}>`;
  }
}

export function renderText(d: DecisionRecord): string {
  const lines = [
    `${d.id}: ${d.title}`,
    "",
    `Status: ${statusLine(d)}`,
    `Recorded by ${d.author.name} in #${d.room.name} on ${d.at.toISOString().slice(0, 10)}`,
  ];
  if (d.participants.length > 1) lines.push(`With: ${d.participants.map((p) => p.name).join(", ")}`);
  if (d.link) lines.push(`Conversation: ${d.link}`);
  lines.push("", d.text, "");
  return lines.join("\n");
}

export function renderHtml(d: DecisionRecord): string {
  const meta = [
    `<li>Status: ${escapeHtml(statusLine(d))}</li>`,
    `<li>Recorded by ${escapeHtml(d.author.name)} in #${escapeHtml(d.room.name)} on ${d.at.toISOString().slice(0, 10)}</li>`,
  ];
  if (d.participants.length > 1)
    meta.push(`<li>With: ${escapeHtml(d.participants.map((p) => p.name).join(", "))}</li>`);
  if (/^https?:\/\//.test(d.link ?? ""))
    meta.push(`<li><a href="${escapeHtml(d.link!)}">The conversation</a></li>`);
  return [
    `<h1>${escapeHtml(d.id)}: ${escapeHtml(d.title)}</h1>`,
    `<ul>${meta.join("")}</ul>`,
    htmlParagraphs(d.text),
  ].join("\n");
}

function statusLine(d: DecisionRecord): string {
  if (d.status === "superseded") return `superseded by ${d.supersededBy ?? "a later decision"}`;
  return d.supersedes ? `accepted (supersedes ${d.supersedes})` : "accepted";
}
