import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BOT_SCOPES } from "../../../src/adapters/slack/start.js";
import { TokenCipher } from "../../../src/storage/slack-token-cipher.js";

const KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

describe("TokenCipher", () => {
  it("round-trips, never stores the plain text, and uses a fresh nonce each time", () => {
    const c = TokenCipher.fromEnv(KEY);
    const a = c.encrypt('{"bot":{"token":"xoxb-123"}}', "T1");
    const b = c.encrypt('{"bot":{"token":"xoxb-123"}}', "T1");
    expect(a).not.toContain("xoxb");
    expect(a).not.toBe(b);
    expect(c.decrypt(a, "T1")).toBe('{"bot":{"token":"xoxb-123"}}');
  });

  it("refuses a row moved to another workspace, or tampered with", () => {
    const c = TokenCipher.fromEnv(KEY);
    const sealed = c.encrypt("secret", "T1");
    expect(() => c.decrypt(sealed, "T2")).toThrow();
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => c.decrypt(`v1:${raw.toString("base64")}`, "T1")).toThrow();
  });

  it("accepts hex or base64 keys and names the variable when the key is unusable", () => {
    expect(() => TokenCipher.fromEnv(Buffer.from(KEY, "hex").toString("base64"))).not.toThrow();
    expect(() => TokenCipher.fromEnv("too-short")).toThrow(/OUTLOUD_ENCRYPTION_KEY/);
    expect(() => TokenCipher.fromEnv(undefined)).toThrow(/OUTLOUD_ENCRYPTION_KEY/);
  });
});

describe("manifest.yaml", () => {
  const manifest = parse(readFileSync("manifest.yaml", "utf8"));

  it("asks for exactly the bot scopes the OAuth install requests", () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
  });

  it("declares the five commands, the shortcut and the App Home the adapter handles", () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([
      "/rota",
      "/decision",
      "/digest",
      "/outloud",
      "/share",
    ]);
    expect(manifest.features.shortcuts).toContainEqual(
      expect.objectContaining({ type: "message", callback_id: "record_decision" }),
    );
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining([
        "message.channels",
        "reaction_added",
        "member_joined_channel",
        "member_left_channel",
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
        "user_change",
      ]),
    );
  });
});
