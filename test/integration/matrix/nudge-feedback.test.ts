/**
 * "Not helpful" on Matrix, end to end: `!outloud unhelpful` typed by the person a private nudge reached,
 * or 👎 on the nudge itself.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeHomeserver, type SentEvent } from "../../helpers/fake-homeserver.js";
import { ALICE, BOB, BOT, CAROL, type RunningBot, startBot, TOKEN } from "./bot.js";

const isMessage = (e: SentEvent) => e.type === "m.room.message";
const HARSH = "did you even read the ticket? RTFM";

describe("Matrix: not helpful", () => {
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

  it("takes !outloud unhelpful after a private nudge; the second time mutes the kind and says how to undo it", async () => {
    const team = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs, { healthPort: 0 });
    await hs.waitForSyncedUpTo();
    const sentSoFar = () => hs.sent.filter(isMessage).length;

    hs.message(team, ALICE, HARSH);
    const [tip] = await hs.waitForSent((e) => isMessage(e) && e.room_id !== team);
    const dm = tip!.room_id;
    // Private, in the bot's DM with Alice, and the one step is spelled the Matrix way.
    expect(String(tip?.content.body)).toMatch(/harsher than you meant/);
    expect(String(tip?.content.body)).toContain("Not helpful? `!outloud unhelpful`");

    let before = sentSoFar();
    hs.message(dm, ALICE, "!outloud unhelpful");
    await hs.waitForSent((e) => isMessage(e) && hs.sent.filter(isMessage).length > before);
    expect(String(hs.sent.filter(isMessage).at(-1)?.content.body)).toMatch(
      /noted: that be-kind nudge did not help/,
    );

    before = sentSoFar();
    hs.message(team, ALICE, "!outloud unhelpful be-kind");
    await hs.waitForSent((e) => isMessage(e) && hs.sent.filter(isMessage).length > before);
    const muted = hs.sent.filter(isMessage).at(-1)!;
    expect(muted.room_id).toBe(dm);
    expect(String(muted.content.body)).toMatch(/twice in 30 days.*`!outloud unmute be-kind`/s);

    const metrics = await (await fetch(`http://127.0.0.1:${bot.adapter.port}/metrics`)).text();
    expect(metrics).toMatch(/outloud_nudges_unhelpful\{kind="be-kind"\} 2/);

    // Muted: the next harsh message gets no note.
    before = sentSoFar();
    hs.message(team, ALICE, HARSH);
    await hs.waitForSyncedUpTo();
    await new Promise((r) => setTimeout(r, 200));
    expect(sentSoFar()).toBe(before);
  });

  it("takes a 👎 on the private nudge as not helpful, from the person it was for, once per nudge", async () => {
    const team = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs, { healthPort: 0 });
    await hs.waitForSyncedUpTo();
    const unhelpfulMarks = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${bot!.adapter.port}/metrics`)).text();
      return /outloud_nudges_unhelpful\{kind="be-kind"\} (\d+)/.exec(metrics)?.[1] ?? "0";
    };

    hs.message(team, ALICE, HARSH);
    const [tip] = await hs.waitForSent((e) => isMessage(e) && e.room_id !== team);
    const dm = tip!.room_id;
    // The nudge says how, in the message itself.
    expect(String(tip?.content.body)).toMatch(/React with 👎 to this message if it did not help\.$/);

    // A 👎 on something else the bot said counts for nothing.
    hs.message(dm, ALICE, "!rota who");
    const other = (await hs.waitForSent((e) => isMessage(e) && e.room_id === dm, 2)).at(-1)!;
    hs.reaction(dm, ALICE, other.event_id, "👎");
    await hs.waitForSyncedUpTo();

    // Alice's 👎 on the nudge (as Element sends it, with the variation selector) is her "not helpful".
    hs.reaction(dm, ALICE, tip!.event_id, "\u{1F44E}\u{FE0F}");
    const thanks = await hs.waitForSent((e) => isMessage(e) && /^Thanks/.test(String(e.content.body)));
    expect(thanks.at(-1)?.room_id).toBe(dm);
    expect(String(thanks.at(-1)?.content.body)).toMatch(/^Thanks, noted: that be-kind nudge did not help/);
    expect(await unhelpfulMarks()).toBe("1");

    // Taken back and given again, in another skin tone: still one mark, and no second answer.
    const before = hs.sent.filter(isMessage).length;
    hs.reaction(dm, ALICE, tip!.event_id, "\u{1F44E}\u{1F3FD}");
    await hs.waitForSyncedUpTo();
    expect(await unhelpfulMarks()).toBe("1");
    expect(hs.sent.filter(isMessage).length).toBe(before);
  });
});
