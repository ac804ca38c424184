import { describe, expect, it } from "vitest";
import { createExporters, exportConfigProblems, exportSettings } from "../../../src/exporters/index.js";

const now = () => new Date("2026-11-25T09:00:00Z");

describe("createExporters", () => {
  it("builds only Markdown by default", () => {
    const exporters = createExporters(exportSettings.parse({}), {}, "/tmp/outloud-data", now);
    expect(exporters.map((e) => e.target)).toEqual(["markdown"]);
  });

  it("builds every enabled target in a fixed order", () => {
    const settings = exportSettings.parse({
      markdown: { enabled: false },
      email: { enabled: true, to: ["team@example.org"] },
      confluence: { enabled: true, baseUrl: "https://x.atlassian.net", spaceKey: "ENG" },
      notion: { enabled: true, databaseId: "db" },
      webhook: { enabled: true, url: "https://hooks.example.org/d" },
    });
    const secrets = {
      SMTP_URL: "smtp://127.0.0.1:2525",
      CONFLUENCE_EMAIL: "a@b.c",
      CONFLUENCE_API_TOKEN: "t",
      NOTION_TOKEN: "n",
      WEBHOOK_SECRET: "w",
    };
    const exporters = createExporters(settings, secrets, "/tmp", now);
    expect(exporters.map((e) => e.target)).toEqual(["email", "confluence", "notion", "webhook"]);
    for (const e of exporters) (e as { close?(): void }).close?.();
  });

  it("names the missing secret or setting instead of starting half-configured", () => {
    expect(
      exportConfigProblems(
        exportSettings.parse({ webhook: { enabled: true, url: "https://h.example.org" } }),
        {},
      ),
    ).toEqual(["decisions.export.webhook.enabled is true but WEBHOOK_SECRET is not set in the environment"]);
    expect(
      exportConfigProblems(exportSettings.parse({ confluence: { enabled: true } }), {
        CONFLUENCE_EMAIL: "a",
        CONFLUENCE_API_TOKEN: "b",
      }),
    ).toEqual(["decisions.export.confluence needs baseUrl and spaceKey"]);
    expect(
      exportConfigProblems(exportSettings.parse({ email: { enabled: true } }), {
        SMTP_URL: "smtp://127.0.0.1:25",
      }),
    ).toEqual(["decisions.export.email.to lists no address"]);
    expect(exportConfigProblems(exportSettings.parse({}), {})).toEqual([]);
  });

  it("limits a target to the rooms listed", () => {
    const [markdown] = createExporters(
      exportSettings.parse({ markdown: { rooms: ["#arch", "C42"] } }),
      {},
      "/tmp",
      now,
    );
    expect(markdown!.accepts({ workspace: "T", room: { id: "C1", name: "arch" } })).toBe(true);
    expect(markdown!.accepts({ workspace: "T", room: { id: "C42", name: "x" } })).toBe(true);
    expect(markdown!.accepts({ workspace: "T", room: { id: "C2", name: "random" } })).toBe(false);
  });
});
