/**
 * Opens a generated report in a real headless Chromium (Debian's `chromium`, which .ci/run installs)
 * and checks what a reader sees: every chart drawn, no console error, no request leaving the file.
 * The screenshot is kept under test/artifacts/ (not committed) for CI to publish.
 */
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { runEntry } from "../../helpers/processes.js";
import { writeFixture } from "./slack-export-fixture.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// CI always has the browser (.ci/run installs it); a developer machine without it skips, and says so.
const hasBrowser = existsSync(CHROMIUM) || process.env.CI === "true";

describe("the report in a browser", () => {
  it.skipIf(!hasBrowser)(
    "renders every chart, logs no error and fetches nothing",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "outloud-report-browser-"));
      const zip = join(dir, "slack-export.zip");
      const page = join(dir, "report.html");
      await writeFixture(zip);
      const result = await runEntry("src/cli/report.ts", [zip, "--out", page], {
        env: { OUTLOUD_DATA_DIR: dir },
      });
      expect(result.code, result.stderr).toBe(0);

      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
      try {
        const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const problems: string[] = [];
        const requests: string[] = [];
        tab.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
        });
        tab.on("pageerror", (err) => problems.push(err.message));
        tab.on("request", (r) => requests.push(r.url()));
        const url = pathToFileURL(page).href;
        await tab.goto(url, { waitUntil: "load" });

        const sections = await tab.locator("section.chart").count();
        expect(sections).toBe(11);
        // Each chart section holds a drawn SVG with marks in it, and a visible size.
        for (let i = 0; i < sections; i++) {
          const svg = tab.locator("section.chart").nth(i).locator("figure > svg");
          await expect.poll(() => svg.count()).toBe(1);
          expect(await svg.locator("path, rect, line").count()).toBeGreaterThan(0);
          const box = await svg.boundingBox();
          expect(box!.width).toBeGreaterThan(200);
          expect(box!.height).toBeGreaterThan(50);
        }
        expect(await tab.locator("#per-room tbody tr").count()).toBe(4);
        expect(problems).toEqual([]);
        expect(requests).toEqual([url]);

        mkdirSync("test/artifacts", { recursive: true });
        await tab.screenshot({ path: "test/artifacts/report.png", fullPage: true });
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
