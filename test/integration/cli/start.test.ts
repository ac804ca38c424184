import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { typedLines } from "../../helpers/playground.js";
import { runEntry } from "../../helpers/processes.js";

const fresh = () => mkdtempSync(join(tmpdir(), "outloud-start-"));

describe("npm start", () => {
  it("opens the playground without credentials and quits cleanly at end of input", async () => {
    const dir = fresh();
    const input = ["/outloud help", ":room #payments", "is the deploy done?", ":ff 1d", ":time", ""].join(
      "\n",
    );
    const result = await runEntry("src/main.ts", [], { env: { OUTLOUD_DATA_DIR: dir }, input });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Outloud playground");
    expect(result.stdout).toMatch(
      /\(private: only you can see this\) outloud: Outloud helps your team work out loud/,
    );
    expect(result.stdout).toContain("[m1] you in #payments: is the deploy done?");
    expect(result.stdout.trim().endsWith("bye")).toBe(true);
  });

  it("gives the README's quick start the announcement it promises (a newcomer's first run)", async () => {
    // The lines come from README.md itself, so the README cannot drift from the code unnoticed.
    const input = `${typedLines("README.md", "### The playground").join("\n")}\n`;
    const result = await runEntry("src/main.ts", [], {
      env: { OUTLOUD_DATA_DIR: fresh(), LOG_LEVEL: "info" },
      input,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /\[#general\] outloud: Today's responder is @alice: they answer questions from other teams here today/,
    );
    expect(result.stdout).toContain("[#general] outloud: Today's responder is @bob");
    expect(result.stdout).toContain("Last responders:");
    // Logs go to the data folder, never into the chat transcript.
    expect(`${result.stdout}${result.stderr}`).not.toContain('"level":');
  });

  it("fails at once, naming the folder, when the data folder cannot be created", async () => {
    const result = await runEntry("src/main.ts", [], {
      env: { OUTLOUD_DATA_DIR: "/proc/outloud-nope" },
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot create the folder /proc/outloud-nope");
  });

  it("stops with a message naming the key when a config value is bad", async () => {
    const dir = fresh();
    const config = join(dir, "outloud.yaml");
    writeFileSync(config, "workspace:\n  workingHours:\n    days: someday\n");
    const result = await runEntry("src/main.ts", [], {
      env: { OUTLOUD_DATA_DIR: dir, OUTLOUD_CONFIG: config },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Outloud cannot start");
    expect(result.stderr).toContain("workspace.workingHours.days: must be days like mon-fri or mon,tue,thu");
  });

  it("config:check validates without starting and never prints a secret", async () => {
    const dir = fresh();
    const ok = await runEntry("src/cli/config-check.ts", [], {
      env: { OUTLOUD_DATA_DIR: dir, WEBHOOK_SECRET: "s3cr3t-value" },
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("Configuration OK.");
    expect(ok.stdout).toContain('"WEBHOOK_SECRET":"REDACTED"');
    expect(ok.stdout).not.toContain("s3cr3t-value");
    const bad = await runEntry("src/cli/config-check.ts", [], {
      env: { OUTLOUD_DATA_DIR: dir, LOG_LEVEL: "loud" },
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("LOG_LEVEL: Invalid option");
  });

  it("config:check --print shows the effective settings, defaults filled in and secrets hidden", async () => {
    const dir = fresh();
    const config = join(dir, "outloud.yaml");
    writeFileSync(config, "workspace:\n  timezone: Europe/Madrid\n");
    const result = await runEntry("src/cli/config-check.ts", ["--print"], {
      env: { OUTLOUD_DATA_DIR: dir, OUTLOUD_CONFIG: config, WEBHOOK_SECRET: "s3cr3t-value" },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Effective settings:\nworkspace:\n  timezone: Europe/Madrid\n");
    expect(result.stdout).toContain("  defaultTime: 09:00");
    expect(result.stdout).not.toContain("s3cr3t-value");
  });
});
