/**
 * On Matrix commands are typed `!rota …`, so every text that names a command says `!rota …` too: the
 * rota's answers, its public confirmations and the notices its timers post. A person who copies a hint
 * from a reply gets a command that works in the room they read it in.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeHomeserver, type SentEvent } from "../../helpers/fake-homeserver.js";
import { ALICE, BOB, BOT, CAROL, type RunningBot, startBot, TOKEN } from "./bot.js";

const isMessage = (e: SentEvent) => e.type === "m.room.message";
const texts = (events: SentEvent[]) =>
  events.map((e) => `${String(e.content.body)}\n${String(e.content.formatted_body ?? "")}`);

describe("the rota's texts on Matrix", () => {
  let hs: FakeHomeserver;
  let bot: RunningBot | undefined;

  beforeEach(async () => {
    hs = await new FakeHomeserver({ botUserId: BOT, token: TOKEN }).start();
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    await hs.close();
  });

  it("name commands with the Matrix prefix, never with Slack's `/rota`", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs);
    await hs.waitForSyncedUpTo();
    let seen = 0;
    /** Does something in the room and waits for the bot's answer to it. */
    const step = async (act: () => void) => {
      act();
      seen += 1;
      await hs.waitForSent(isMessage, seen);
    };
    await step(() => hs.message(room, ALICE, "!rota who")); // no rota yet: how to start one
    await step(() => hs.message(room, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30`));
    await step(() => hs.message(room, ALICE, "!rota pause")); // public: "until `!rota resume`"
    await step(() => hs.message(room, ALICE, "!rota who")); // private: paused, how to resume
    await step(() => hs.message(room, ALICE, "!rota skip")); // private error: resume first
    await step(() => hs.message(room, ALICE, "!rota resume"));
    await step(() => hs.leave(room, BOB)); // a timer-free notice from the service: how to remove Bob
    await step(() => hs.message(room, ALICE, "!rota help"));

    const said = texts(hs.sent.filter(isMessage));
    expect(said).toHaveLength(8);
    for (const text of said) expect(text).not.toContain("/rota");
    expect(said[0]).toContain("start one with `!rota setup @a @b @c`");
    expect(said[2]).toContain("no announcements until `!rota resume`");
    expect(said[3]).toContain("The rota is paused: `!rota resume` restarts it");
    expect(said[4]).toContain("`!rota resume` first");
    expect(said[6]).toContain("(or `!rota remove");
    expect(said[7]).toContain("`!rota who`");
  });
});
