/** "Not helpful" by reaction on Matrix: which reactions count, on which messages, from whom. */
import { describe, expect, it } from "vitest";
import type { MatrixRawEvent } from "../../../src/adapters/matrix/events.js";
import {
  feedbackContent,
  isUnhelpfulReaction,
  unhelpfulCommand,
} from "../../../src/adapters/matrix/nudge-feedback.js";
import { feedbackOffer } from "../../../src/core/nudges/feedback.js";

const BOT = "@outloud:example.org";
const ALICE = "@alice:example.org";

function nudgeFrom(sender: string, content: Record<string, unknown>): MatrixRawEvent {
  return {
    event_id: "$nudge",
    sender,
    type: "m.room.message",
    content: { msgtype: "m.notice", body: "…", ...content },
  };
}

describe("not helpful by reaction", () => {
  it("knows 👎 with or without the variation selector and in every skin tone, and nothing else", () => {
    for (const key of ["\u{1F44E}", "\u{1F44E}\u{FE0F}", "\u{1F44E}\u{1F3FB}", "\u{1F44E}\u{1F3FF}"])
      expect(isUnhelpfulReaction(key)).toBe(true);
    for (const key of ["\u{1F44D}", "-1", "thumbsdown", "\u{1F44E}\u{1F44E}", ""])
      expect(isUnhelpfulReaction(key)).toBe(false);
  });

  it("runs the nudge's command for the person it was for, on the bot's own message only", () => {
    const content = feedbackContent(feedbackOffer("be-kind"), ALICE);
    expect(unhelpfulCommand(nudgeFrom(BOT, content), ALICE, BOT)).toBe("outloud unhelpful be-kind");
    // Someone else reacting, or a message that only looks like the bot's nudge, changes nothing.
    expect(unhelpfulCommand(nudgeFrom(BOT, content), "@bob:example.org", BOT)).toBeUndefined();
    expect(unhelpfulCommand(nudgeFrom(ALICE, content), ALICE, BOT)).toBeUndefined();
    // A bot message that is not a nudge, or carries something other than the command, neither.
    expect(unhelpfulCommand(nudgeFrom(BOT, {}), ALICE, BOT)).toBeUndefined();
    const forged = { "org.outloud.feedback": { command: "rota skip", user: ALICE } };
    expect(unhelpfulCommand(nudgeFrom(BOT, forged), ALICE, BOT)).toBeUndefined();
  });
});
