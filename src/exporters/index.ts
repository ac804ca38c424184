/**
 * The export targets, their settings under `decisions.export` in config/outloud.yaml (the whole
 * `decisions:` section is put together in src/config/decisions.ts), and the one function that builds
 * the enabled ones from config and secrets (environment variables).
 */
import { z } from "zod";
import type { DocumentExporter } from "../core/decisions/exporter.js";
import { ConfluenceExporter, confluenceSettings } from "./confluence.js";
import { EmailExporter, emailSettings } from "./email.js";
import { MarkdownGitExporter, markdownSettings } from "./markdown-git.js";
import { NotionExporter, notionSettings } from "./notion.js";
import { WebhookExporter, webhookSettings } from "./webhook.js";

export const exportSettings = z
  .strictObject({
    markdown: markdownSettings.prefault({}),
    email: emailSettings.prefault({}),
    confluence: confluenceSettings.prefault({}),
    notion: notionSettings.prefault({}),
    webhook: webhookSettings.prefault({}),
  })
  .describe("Where decisions are exported; each target can be limited to some rooms.");

export type ExportSettings = z.infer<typeof exportSettings>;

/** Secrets the exporters read from the environment. */
export interface ExportSecrets {
  SMTP_URL?: string;
  CONFLUENCE_EMAIL?: string;
  CONFLUENCE_API_TOKEN?: string;
  NOTION_TOKEN?: string;
  WEBHOOK_SECRET?: string;
}

export class ExportConfigError extends Error {}

/** Builds the enabled exporters; a target enabled without its secret stops start-up with a clear message. */
export function createExporters(
  settings: ExportSettings,
  secrets: ExportSecrets,
  dataDir: string,
  now: () => Date,
): DocumentExporter[] {
  const out: DocumentExporter[] = [];
  const need = (key: keyof ExportSecrets, target: string): string => {
    const value = secrets[key];
    if (!value)
      throw new ExportConfigError(
        `decisions.export.${target}.enabled is true but ${key} is not set in the environment`,
      );
    return value;
  };
  const build = (target: string, make: () => DocumentExporter) => {
    try {
      out.push(make());
    } catch (err) {
      if (err instanceof ExportConfigError) throw err;
      const message = (err as Error).message;
      throw new ExportConfigError(
        message.startsWith("decisions.export.") ? message : `decisions.export.${target}: ${message}`,
      );
    }
  };
  if (settings.markdown.enabled) build("markdown", () => new MarkdownGitExporter(settings.markdown, dataDir));
  if (settings.email.enabled)
    build("email", () => new EmailExporter(settings.email, need("SMTP_URL", "email")));
  if (settings.confluence.enabled) {
    build(
      "confluence",
      () =>
        new ConfluenceExporter(settings.confluence, {
          email: need("CONFLUENCE_EMAIL", "confluence"),
          token: need("CONFLUENCE_API_TOKEN", "confluence"),
        }),
    );
  }
  if (settings.notion.enabled)
    build("notion", () => new NotionExporter(settings.notion, need("NOTION_TOKEN", "notion")));
  if (settings.webhook.enabled)
    build("webhook", () => new WebhookExporter(settings.webhook, need("WEBHOOK_SECRET", "webhook"), now));
  return out;
}

/**
 * The problems createExporters would stop on, as config-check style messages (none when fine), so
 * `npm run config:check` can report them without starting anything.
 */
export function exportConfigProblems(settings: ExportSettings, secrets: ExportSecrets): string[] {
  try {
    for (const exporter of createExporters(settings, secrets, ".", () => new Date())) {
      (exporter as { close?(): void }).close?.();
    }
    return [];
  } catch (err) {
    if (err instanceof ExportConfigError) return [err.message];
    throw err;
  }
}
