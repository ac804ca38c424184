/**
 * Direct messages on a real Synapse: a work question in a group DM gets a private suggestion in the
 * asker's DM with the bot, naming the group DM by its people; `!share` reposts it in the team room;
 * a person who writes in their own DM with the bot is answered there; and `m.direct` is read and kept,
 * so a person who left one DM with the bot is reached in another they still share, even after a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyOf, noticesFrom, type SeenEvent } from "./person.js";
import { createWorld, teamRoom, type World, waitForMember } from "./world.js";

const QUESTION = "Can you review the deploy checklist for the payments service before Friday?";

describe("direct messages on Synapse", () => {
  let world: World;
  let team = "";
  let aliceDm = "";
  const fromBot = (room?: string) => (e: SeenEvent) => noticesFrom(world.botAccount.userId, room)(e);

  beforeAll(async () => {
    world = await createWorld();
    team = await teamRoom(world, "Team");
    // The team room is where Alice and Bob talk in public: the suggestion points there.
    await world.alice.say(team, "morning all, standup notes are in the doc");
    await world.bob.say(team, "thanks, reading them now");
  });
  afterAll(async () => {
    await world?.bot.dispose();
  });

  it("suggests, privately, to ask a group DM's work question in the team room, naming the group DM by its people", async () => {
    const { alice, bob, carol, botAccount } = world;
    const groupDm = await alice.createRoom({
      preset: "trusted_private_chat",
      is_direct: true,
      invite: [bob.userId, carol.userId, botAccount.userId],
    });
    await bob.join(groupDm);
    await carol.join(groupDm);
    await waitForMember(alice, groupDm, botAccount.userId);
    await alice.say(groupDm, QUESTION);
    const [suggestion] = await alice.waitFor(
      "the private suggestion",
      (e) => fromBot()(e) && e.room_id !== groupDm && e.room_id !== team,
    );
    aliceDm = suggestion?.room_id ?? "";
    expect(suggestion?.content.msgtype).toBe("m.notice");
    expect(bodyOf(suggestion)).toMatch(/^In the group DM with Bob and Carol: /);
    expect(bodyOf(suggestion)).toContain("!share");
    // A DM between Alice and the bot, which the bot lists in its m.direct.
    expect((await alice.joinedMembers(aliceDm)).sort()).toEqual([alice.userId, botAccount.userId].sort());
    expect((await botDirect(world))[alice.userId]).toContain(aliceDm);
    // Nothing was said where Bob and Carol could see it.
    await bob.sync();
    expect(bob.seen.filter(fromBot())).toEqual([]);
  });

  it("reposts the question in the team room on `!share`, and says so in the DM", async () => {
    const { alice } = world;
    await alice.say(aliceDm, "!share");
    const [shared] = await alice.waitFor("the repost", (e) => fromBot(team)(e));
    expect(bodyOf(shared)).toBe(`Alice asks: ${QUESTION}`);
    const [thanks] = await alice.waitFor(
      "the confirmation",
      (e) => fromBot(aliceDm)(e) && /^Posted in/.test(bodyOf(e)),
    );
    expect(bodyOf(thanks)).toMatch(/^Posted in #Team/);
  });

  it("takes a 👎 on the private suggestion as not helpful, answered in the same DM", async () => {
    const { alice } = world;
    const [suggestion] = alice.seen.filter((e) => fromBot(aliceDm)(e) && /^In the group DM/.test(bodyOf(e)));
    expect(bodyOf(suggestion)).toMatch(/React with 👎 to this message if it did not help\.$/);
    await alice.react(aliceDm, suggestion?.event_id ?? "", "👎");
    const [thanks] = await alice.waitFor(
      "the thanks",
      (e) => fromBot(aliceDm)(e) && /^Thanks/.test(bodyOf(e)),
    );
    expect(bodyOf(thanks)).toMatch(/^Thanks, noted: that dm-to-channel nudge did not help/);
  });

  it("answers in the DM with the bot that the person wrote in", async () => {
    const { alice, botAccount } = world;
    const ownDm = await alice.createRoom({
      preset: "trusted_private_chat",
      is_direct: true,
      invite: [botAccount.userId],
    });
    await waitForMember(alice, ownDm, botAccount.userId);
    await alice.say(ownDm, "!rota who");
    const [answer] = await alice.waitFor(
      "the answer",
      (e) => fromBot()(e) && /rota/.test(bodyOf(e)) && e.room_id !== aliceDm,
    );
    expect(answer?.room_id).toBe(ownDm);
    // Answered in place: no "In …:" prefix naming the room it is already in.
    expect(bodyOf(answer)).not.toMatch(/^In /);
    const direct = await botDirect(world);
    expect(direct[alice.userId]).toEqual(expect.arrayContaining([aliceDm, ownDm]));
  });

  it("reaches a person who left one DM with the bot in another DM listed in m.direct, also after a restart", async () => {
    const { bob, botAccount, bot } = world;
    await bob.say(team, "!rota who");
    const [first] = await bob.waitFor("a private answer", (e) => fromBot()(e) && e.room_id !== team);
    const created = first?.room_id ?? "";
    expect(bodyOf(first)).toMatch(/^In Team: /);
    // Commands are spelled the Matrix way in the bot's texts.
    expect(bodyOf(first)).toContain("`!rota setup");
    expect(bodyOf(first)).not.toContain("/rota");
    // Bob opens a DM with the bot himself; the bot lists it for Bob in m.direct.
    const own = await bob.createRoom({
      preset: "trusted_private_chat",
      is_direct: true,
      invite: [botAccount.userId],
    });
    await waitForMember(bob, own, botAccount.userId);
    await waitFor(async () => ((await botDirect(world))[bob.userId] ?? []).includes(own));
    await bot.stop("SIGTERM");
    await bot.start();
    await bob.leave(created);
    await bob.say(team, "!rota who");
    const [second] = await bob.waitFor("the next private answer", (e) => fromBot(own)(e));
    expect(bodyOf(second)).toMatch(/^In Team: /);
    // No new DM room: Bob was invited by the bot once only.
    await bob.sync();
    expect(bob.invitations.filter((i) => i.inviter === botAccount.userId).map((i) => i.roomId)).toEqual([
      created,
    ]);
  });
});

/** The bot's `m.direct` account data, read with its own token as its other clients would. */
async function botDirect(world: World): Promise<Record<string, string[]>> {
  const { synapse, botAccount } = world;
  const res = await fetch(
    `${synapse.url}/_matrix/client/v3/user/${encodeURIComponent(botAccount.userId)}/account_data/m.direct`,
    { headers: { authorization: `Bearer ${botAccount.accessToken}` } },
  );
  return res.ok ? ((await res.json()) as Record<string, string[]>) : {};
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 250));
  }
}
