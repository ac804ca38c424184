import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";

const file = (text: string) => [{ path: "config/outloud.yaml", text }];

describe("loadConfig", () => {
  it("fills every default when there is no file and no environment", () => {
    const result = loadConfig([], {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.settings.workspace).toEqual({
      timezone: "UTC",
      workingHours: { start: "09:00", end: "18:00", days: "mon-fri" },
    });
    expect(result.config.databaseUrl).toMatch(/data\/outloud\.sqlite$/);
  });

  it("names the key and the problem for a bad value", () => {
    const result = loadConfig(file("workspace:\n  workingHours:\n    start: '25:00'\n"), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      "config/outloud.yaml: workspace.workingHours.start: must be a time like 09:30 (24-hour clock)",
    ]);
  });

  it("reports an unknown key as a likely typo of the real one", () => {
    const result = loadConfig(file("workspace:\n  timezon: Europe/Madrid\n"), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'config/outloud.yaml: workspace.timezon: unknown setting, probably a typo of "workspace.timezone"',
    ]);
  });

  it("checks environment variables and never echoes a secret", () => {
    const result = loadConfig([], { PORT: "eighty", SLACK_BOT_TOKEN: "xoxp-secret-user-token" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContain('PORT: Invalid input: expected number, received NaN (got "eighty")');
    expect(result.problems).toContain("SLACK_BOT_TOKEN: must be a bot token starting with xoxb-");
    expect(result.problems.join("\n")).not.toContain("xoxp-secret-user-token");
  });

  it("warns about an unknown variable with our prefix", () => {
    const result = loadConfig([], { SLACK_BOT_TOKNE: "xoxb-1" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.warnings).toEqual([
      "SLACK_BOT_TOKNE: unknown environment variable, probably a typo of SLACK_BOT_TOKEN",
    ]);
  });

  it("reports a file that is not YAML", () => {
    const result = loadConfig(file("workspace: [unclosed"), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatch(/^config\/outloud\.yaml: not valid YAML/);
  });

  it("uses DATABASE_URL when given", () => {
    const result = loadConfig([], { DATABASE_URL: "postgres://db.example/outloud" });
    expect(result.ok && result.config.databaseUrl).toBe("postgres://db.example/outloud");
  });
});

describe("settings that depend on the environment", () => {
  it("stops on an export target that is switched on without its secret", () => {
    const result = loadConfig(
      file(
        "decisions:\n  export:\n    webhook:\n      enabled: true\n      url: https://hooks.example.org/adr\n",
      ),
      {},
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      "decisions.export.webhook.enabled is true but WEBHOOK_SECRET is not set in the environment",
    ]);
  });
});

describe("loadConfig checks what start-up relies on", () => {
  const problemsOf = (yaml: string, env: Record<string, string> = {}) => {
    const result = loadConfig(file(yaml), env);
    return result.ok ? [] : result.problems;
  };

  it("refuses a time zone the tz data does not know, wherever a zone is accepted, naming the key", () => {
    expect(problemsOf("workspace:\n  timezone: Mars/Base\n")).toEqual([
      "config/outloud.yaml: workspace.timezone: must be an IANA time zone like Europe/Madrid or UTC (an unknown zone)",
    ]);
    expect(problemsOf("nudges:\n  social:\n    room: random\n    timezone: Mars/Base\n")).toEqual([
      expect.stringContaining("nudges.social.timezone: "),
    ]);
    expect(problemsOf("workspace:\n  timezone: Europe/Madrid\n")).toEqual([]);
  });

  it("refuses the social call enabled without the room to announce it in", () => {
    expect(problemsOf("nudges:\n  social:\n    enabled: true\n")).toEqual([
      "config/outloud.yaml: nudges.social.room: is required when social is enabled (the room to announce the call in, e.g. random)",
    ]);
  });

  it("reports every export target missing its secret at once, beside other problems", () => {
    const problems = problemsOf(
      "workspace:\n  timezone: Mars/Base\ndecisions:\n  export:\n    email:\n      enabled: true\n    webhook:\n      enabled: true\n      url: https://example.org/hook\n",
      { LOG_LEVEL: "loud" },
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("workspace.timezone"),
        expect.stringContaining("LOG_LEVEL"),
        "decisions.export.email.enabled is true but SMTP_URL is not set in the environment",
        "decisions.export.webhook.enabled is true but WEBHOOK_SECRET is not set in the environment",
      ]),
    );
  });

  it("ends a YAML problem with the place, not a dangling colon", () => {
    const [problem] = problemsOf("a: b: c\n");
    expect(problem).toMatch(/not valid YAML: .* at line 1, column \d+$/);
  });
});

describe("loadConfig checks platform variables that only work together", () => {
  const problemsOf = (env: Record<string, string>) => {
    const result = loadConfig([], env);
    return result.ok ? [] : result.problems;
  };

  it("reports what Slack and Matrix start-up would stop on, all at once", () => {
    expect(
      problemsOf({ SLACK_BOT_TOKEN: "xoxb-1", MATRIX_HOMESERVER_URL: "https://matrix.example.org" }),
    ).toEqual([
      "SLACK_SIGNING_SECRET is required for the HTTP Events API (or set SLACK_APP_TOKEN for Socket Mode)",
      "Matrix needs MATRIX_HOMESERVER_URL, MATRIX_USER_ID and MATRIX_ACCESS_TOKEN (MATRIX_DEVICE_ID is optional)",
    ]);
    expect(problemsOf({ SLACK_CLIENT_ID: "1.2" })).toContain(
      "Slack OAuth needs SLACK_CLIENT_SECRET, SLACK_STATE_SECRET",
    );
    expect(problemsOf({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" })).toEqual([]);
  });
});
