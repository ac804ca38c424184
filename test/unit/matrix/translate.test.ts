/** Pure translation of Matrix events: what counts as a command, a mention, a thread, a reaction. */
import { describe, expect, it } from "vitest";
import type { MatrixRawEvent } from "../../../src/adapters/matrix/events.js";
import {
  commandText,
  isNotice,
  mentionsOf,
  messageText,
  reactionOf,
  threadRoot,
  toChatEvent,
} from "../../../src/adapters/matrix/translate.js";

const ROOTS = new Set(["rota", "decision", "outloud"]);
const bot = { userId: "@outloud:example.org", displayName: "Outloud Bot" };
const command = (text: string, prefix = "!") =>
  commandText(text, { prefix, bot, isCommand: (line) => ROOTS.has(line.split(/\s+/)[0] ?? "") });

function mkMessage(
  body: string,
  overrides: Partial<MatrixRawEvent> & { extra?: Record<string, unknown> } = {},
): MatrixRawEvent {
  const { extra, ...rest } = overrides;
  return {
    event_id: "$1",
    sender: "@alice:example.org",
    type: "m.room.message",
    content: { msgtype: "m.text", body, ...extra },
    ...rest,
  };
}

describe("commandText", () => {
  it("takes our roots after the prefix", () => {
    expect(command("!rota who")).toBe("rota who");
    expect(command("  !decision list ")).toBe("decision list");
    expect(command("! outloud help")).toBe("outloud help");
  });

  it("ignores other bots' commands and plain text", () => {
    expect(command("!ban @spam:x")).toBeUndefined();
    expect(command("rota who")).toBeUndefined();
    expect(command("the rota is great")).toBeUndefined();
  });

  it("honours a configured prefix", () => {
    expect(command("?rota who", "?")).toBe("rota who");
    expect(command("!rota who", "?")).toBeUndefined();
  });

  it("takes a command addressed to the bot by id, display name or localpart", () => {
    expect(command("@outloud:example.org rota who")).toBe("rota who");
    expect(command("Outloud Bot: !decision list")).toBe("decision list");
    expect(command("outloud, rota who")).toBe("rota who");
    expect(command("Outloud: help")).toBe("outloud help");
    expect(command("outloud: thanks for yesterday")).toBeUndefined();
    expect(command("outloudly rota who")).toBeUndefined();
  });
});

describe("messageText", () => {
  it("reads text and emotes, not notices, edits or other message types", () => {
    expect(messageText(mkMessage("hi"))).toBe("hi");
    expect(messageText(mkMessage("waves", { extra: { msgtype: "m.emote" } }))).toBe("waves");
    expect(messageText(mkMessage("bot talk", { extra: { msgtype: "m.notice" } }))).toBeUndefined();
    expect(messageText(mkMessage("photo.png", { extra: { msgtype: "m.image" } }))).toBeUndefined();
    const edit = mkMessage("* fixed", {
      extra: { "m.relates_to": { rel_type: "m.replace", event_id: "$0" } },
    });
    expect(messageText(edit)).toBeUndefined();
  });

  it("drops the quoted fallback of a reply", () => {
    expect(messageText(mkMessage("> <@bob:example.org> original\n> more\n\nmy answer"))).toBe("my answer");
  });

  it("knows a notice when it sees one", () => {
    expect(isNotice(mkMessage("x", { extra: { msgtype: "m.notice" } }))).toBe(true);
    expect(isNotice(mkMessage("x"))).toBe(false);
  });
});

describe("threads and reactions", () => {
  it("finds the root of an m.thread reply, and nothing for a plain reply", () => {
    const inThread = mkMessage("x", {
      extra: { "m.relates_to": { rel_type: "m.thread", event_id: "$root" } },
    });
    expect(threadRoot(inThread)).toBe("$root");
    const reply = mkMessage("x", { extra: { "m.relates_to": { "m.in_reply_to": { event_id: "$other" } } } });
    expect(threadRoot(reply)).toBeUndefined();
  });

  it("reads an annotation as a reaction and drops shortcode colons", () => {
    const reaction = (key: string): MatrixRawEvent => ({
      sender: "@bob:example.org",
      type: "m.reaction",
      content: { "m.relates_to": { rel_type: "m.annotation", event_id: "$m", key } },
    });
    expect(reactionOf(reaction("👍"))).toEqual({ target: "$m", key: "👍" });
    expect(reactionOf(reaction(":decision:"))).toEqual({ target: "$m", key: "decision" });
    expect(reactionOf(mkMessage("x"))).toBeUndefined();
  });
});

describe("mentionsOf", () => {
  it("prefers intentional mentions", () => {
    const e = mkMessage("hey @carol:example.org", {
      extra: { "m.mentions": { user_ids: ["@bob:example.org"] } },
    });
    expect(mentionsOf(e).users).toEqual(["@bob:example.org"]);
  });

  it("falls back to pills, then to ids written in the text", () => {
    const pill = mkMessage("Bob: look", {
      extra: { formatted_body: '<a href="https://matrix.to/#/@bob:example.org">Bob</a>: look' },
    });
    expect(mentionsOf(pill).users).toEqual(["@bob:example.org"]);
    expect(mentionsOf(mkMessage("ask @carol:example.org.")).users).toEqual(["@carol:example.org"]);
  });

  it("sees @room as a broadcast", () => {
    expect(mentionsOf(mkMessage("@room deploy at 5")).broadcast).toBe("room");
    expect(mentionsOf(mkMessage("x", { extra: { "m.mentions": { room: true } } })).broadcast).toBe("room");
    expect(mentionsOf(mkMessage("the room is booked")).broadcast).toBeUndefined();
  });
});

describe("toChatEvent", () => {
  const room = { workspace: "example.org", id: "!r:example.org", name: "team", kind: "public" as const };
  const ctx = {
    room,
    bot,
    prefix: "!",
    isCommand: (line: string) => ROOTS.has(line.split(/\s+/)[0] ?? ""),
    reactionNames: { "📝": "decision" },
    now: new Date("2026-11-25T10:00:00Z"),
  };

  it("turns a prefixed command into a command in its thread, and other text into a message", () => {
    const thread = { "m.relates_to": { rel_type: "m.thread", event_id: "$root" } };
    const cmd = toChatEvent(mkMessage("!rota who", { extra: thread, origin_server_ts: 0 }), ctx);
    expect(cmd).toMatchObject({
      type: "command",
      command: { text: "rota who", prefix: "!", thread: "$root", at: new Date(0) },
    });
    const msg = toChatEvent(mkMessage("hello @bob:example.org"), ctx);
    expect(msg).toMatchObject({
      type: "message",
      message: { text: "hello @bob:example.org", mentions: ["@bob:example.org"], at: ctx.now },
    });
  });

  it("names reactions for the features", () => {
    const reaction = (key: string): MatrixRawEvent => ({
      sender: "@bob:example.org",
      type: "m.reaction",
      content: { "m.relates_to": { rel_type: "m.annotation", event_id: "$m", key } },
    });
    expect(toChatEvent(reaction("📝"), ctx)).toMatchObject({
      type: "reaction",
      reaction: { emoji: "decision", target: "$m" },
    });
    expect(toChatEvent(reaction("🎉"), ctx)).toMatchObject({ type: "reaction", reaction: { emoji: "🎉" } });
  });

  it("reports joins and leaves only when membership really changes", () => {
    const member = (membership: string): MatrixRawEvent => ({
      sender: "@bob:example.org",
      type: "m.room.member",
      state_key: "@bob:example.org",
      content: { membership, displayname: "Bob" },
    });
    expect(toChatEvent(member("join"), { ...ctx, membershipBefore: "invite" })).toMatchObject({
      type: "member-joined",
    });
    // A display name change is a join event too, but nobody joined.
    expect(toChatEvent(member("join"), { ...ctx, membershipBefore: "join" })).toBeUndefined();
    expect(toChatEvent(member("leave"), { ...ctx, membershipBefore: "join" })).toMatchObject({
      type: "member-left",
    });
    expect(toChatEvent(member("leave"), { ...ctx, membershipBefore: "invite" })).toBeUndefined();
  });
});
