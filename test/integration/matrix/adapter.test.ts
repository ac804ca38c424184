/**
 * The Matrix adapter end to end: the real matrix-js-sdk client inside the real adapter and engine,
 * against a fake homeserver on loopback. Each case is something a person in a Matrix room would see.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeHomeserver, type SentEvent } from "../../helpers/fake-homeserver.js";
import { ALICE, BOB, BOT, CAROL, type RunningBot, startBot, TOKEN } from "./bot.js";

const isMessage = (e: SentEvent) => e.type === "m.room.message";

describe("Matrix adapter against the fake homeserver", () => {
  let hs: FakeHomeserver;
  let bot: RunningBot | undefined;

  beforeEach(async () => {
    hs = await new FakeHomeserver({ botUserId: BOT, token: TOKEN }).start();
    hs.setDisplayName(ALICE, "Alice");
    hs.setDisplayName(BOB, "Bob");
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    await hs.close();
  });

  it("answers a command in a room with an m.notice carrying HTML and a plain body", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs);
    hs.message(room, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30`);
    const [reply] = await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    expect(reply?.content.msgtype).toBe("m.notice");
    expect(reply?.content.format).toBe("org.matrix.custom.html");
    expect(typeof reply?.content.body).toBe("string");
    // People are pills in HTML and display names in the plain body.
    expect(String(reply?.content.formatted_body)).toContain(
      `<a href="https://matrix.to/#/${ALICE}">Alice</a>`,
    );
    expect(String(reply?.content.body)).toMatch(/^Alice set up this room's rota: Alice, Bob/);
    expect(reply?.content["m.mentions"]).toEqual({ user_ids: [ALICE, BOB] });
  });

  it("takes a command addressed to the bot by name, and ignores its own notices and other bots' notices", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs);
    hs.message(room, ALICE, "!rota help", { msgtype: "m.notice" });
    hs.message(room, ALICE, `outloud: rota setup ${ALICE} ${BOB} at 09:30`);
    await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    await hs.waitForSyncedUpTo();
    // Only the addressed command got an answer: the notice was not read as a command.
    expect(hs.sent.filter(isMessage)).toHaveLength(1);
  });
});
