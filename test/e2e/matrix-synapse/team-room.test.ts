/**
 * A team room on a real Synapse, as its people see it: the bot joins when invited, the rota is set up
 * and announced (the post and the topic), a long back-and-forth in a thread gets the call suggestion,
 * and decisions are recorded by command in the thread and by reaction.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyOf, noticesFrom, type SeenEvent, threadOf } from "./person.js";
import { createWorld, teamRoom, type World } from "./world.js";

const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

describe("a team room on Synapse", () => {
  let world: World;
  let team = "";
  const fromBot = (room?: string) => (e: SeenEvent) => noticesFrom(world.botAccount.userId, room)(e);

  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => {
    await world?.bot.dispose();
  });

  it("joins the room it is invited to", async () => {
    team = await teamRoom(world, "Team");
    expect(await world.alice.joinedMembers(team)).toContain(world.botAccount.userId);
  });

  it("sets up the rota and announces it: the post names the responder, and so does the topic, by display name", async () => {
    const { alice, bob } = world;
    await alice.say(team, `!rota setup ${alice.userId} ${bob.userId} at 09:00 tz UTC days mon-sun`);
    const [setup] = await alice.waitFor("the setup confirmation", (e) => fromBot(team)(e));
    expect(setup?.content.msgtype).toBe("m.notice");
    expect(bodyOf(setup)).toMatch(/^Alice set up this room's rota: Alice, Bob/);
    expect(String(setup?.content.formatted_body)).toContain(
      `href="https://matrix.to/#/${alice.userId}">Alice</a>`,
    );

    await alice.say(team, "!rota announce");
    const [announcement] = await alice.waitFor(
      "the announcement",
      (e) => fromBot(team)(e) && bodyOf(e).startsWith("Today's responder"),
    );
    const responder = /^Today's responder is (Alice|Bob): they answer questions/.exec(
      bodyOf(announcement),
    )?.[1];
    expect(responder).toBeDefined();
    // Topics are plain text: the display name, not a Matrix id (and never `@@alice:localhost`).
    const topic = await waitForTopic(world, team, (t) => t.startsWith("Today's responder"));
    expect(topic).toBe(`Today's responder: ${responder}`);
  });

  it("refuses `!rota announce` on a day the rota does not work, with a short private reply", async () => {
    const { alice, bob } = world;
    const ops = await teamRoom(world, "Ops");
    const today = WEEKDAYS[new Date().getUTCDay()];
    const workingDays = WEEKDAYS.filter((d) => d !== today).join(",");
    await alice.say(ops, `!rota setup ${alice.userId} ${bob.userId} at 09:00 tz UTC days ${workingDays}`);
    await alice.waitFor("the setup confirmation", (e) => fromBot(ops)(e));
    await alice.say(ops, "!rota announce");
    const [refusal] = await alice.waitFor(
      "the refusal",
      (e) => fromBot()(e) && e.room_id !== ops && /not a working day/.test(bodyOf(e)),
    );
    // Said privately, in Alice's DM with the bot, naming the room by its name.
    expect(bodyOf(refusal)).toMatch(/^In Ops: /);
    // Commands are spelled the Matrix way in the bot's texts.
    expect(bodyOf(refusal)).toContain("Usage: `!rota announce`");
    expect(bodyOf(refusal)).not.toContain("/rota");
    expect(await world.alice.joinedMembers(refusal?.room_id ?? "")).toHaveLength(2);
    await alice.sync();
    expect(alice.seen.filter((e) => fromBot(ops)(e) && bodyOf(e).startsWith("Today's responder"))).toEqual(
      [],
    );
  });

  it("suggests a call in a long back-and-forth, inside the thread", async () => {
    const { alice, bob } = world;
    const root = await alice.say(team, "Should we move the payments cron to the new cluster?");
    for (let i = 0; i < 9; i++)
      await (i % 2 ? alice : bob).say(team, `reply ${i}: the cron needs the new queue first`, {
        thread: root,
      });
    const [suggestion] = await alice.waitFor(
      "the call suggestion",
      (e) => fromBot(team)(e) && threadOf(e) === root,
    );
    expect(suggestion?.content.msgtype).toBe("m.notice");
    expect(bodyOf(suggestion)).toContain("https://meet.jit.si/");
    // In the thread only: nothing about it in the room's main timeline.
    expect(
      alice.seen.filter((e) => fromBot(team)(e) && /meet\.jit\.si/.test(bodyOf(e)) && !threadOf(e)),
    ).toEqual([]);
  });

  it("records `!decision` typed in a thread, and confirms it in that thread", async () => {
    const { alice, carol } = world;
    const root = await alice.say(team, "Which queue for the payments cron?");
    await carol.say(team, "!decision We use the new queue for the payments cron", { thread: root });
    const [confirmation] = await alice.waitFor(
      "the decision confirmation",
      (e) => fromBot(team)(e) && threadOf(e) === root,
    );
    expect(bodyOf(confirmation)).toMatch(
      /^Recorded decision \*D-\d+\*: We use the new queue for the payments cron/,
    );
  });

  it("records a decision by 📝 reaction, its title without the quote and the sender prefix", async () => {
    const { alice, bob, carol } = world;
    // A message quoting another, as some clients and bridges write it: a quote line, then `**Name:**`.
    const quoted = await bob.send(team, {
      msgtype: "m.text",
      body: "> Which database for the ledger?\n**Alice:** We go with PostgreSQL for the ledger",
    });
    await carol.react(team, quoted, "📝");
    const [confirmation] = await alice.waitFor(
      "the reaction's decision",
      (e) => fromBot(team)(e) && threadOf(e) === quoted,
    );
    expect(bodyOf(confirmation)).toMatch(
      /^Recorded decision \*D-\d+\*: We go with PostgreSQL for the ledger\./,
    );
    expect(bodyOf(confirmation)).not.toContain("Alice:");
    expect(bodyOf(confirmation)).not.toContain(">");
  });
});

async function waitForTopic(world: World, roomId: string, ok: (topic: string) => boolean): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const topic = String((await world.alice.state(roomId, "m.room.topic"))?.topic ?? "");
    if (ok(topic)) return topic;
    if (Date.now() > deadline) throw new Error(`the topic stayed "${topic}"`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
