/**
 * The bot process on a real Synapse through stops and crashes. Both happen while it waits out Synapse's
 * real rate limit (0.2 messages/s after a burst of 10), where a stop or a crash is most likely to find
 * it in the middle of a batch: SIGTERM stops it quietly and it resumes where it left off; SIGKILL and a
 * restart still answer every command exactly once. Each case has its own bot account, so each starts
 * with a full burst allowance. The health routes listen on HOST only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "./bot-process.js";
import { bodyOf, noticesFrom, type Person, type SeenEvent } from "./person.js";
import { createWorld, teamRoom, type World } from "./world.js";

// A short sync lease, so the restarted bot takes over from the killed one within seconds.
const CONFIG = "matrix:\n  syncLeaseSeconds: 3\n";
// 127.0.0.2 is loopback too on Linux, so "listens on HOST only" is visible from 127.0.0.1.
const HOST = "127.0.0.2";
// More commands than Synapse's burst of 10 messages: the last ones wait for the rate limit.
const BURST = 13;

describe("a clean stop on Synapse (SIGTERM)", () => {
  let world: World;
  let team = "";

  beforeAll(async () => {
    world = await createWorld({ config: CONFIG, host: HOST });
    team = await teamRoom(world, "Team");
  });
  afterAll(async () => {
    await world?.bot.dispose("SIGKILL");
  });

  it("serves its health routes on HOST only", async () => {
    const { bot } = world;
    const onHost = await fetch(`http://${HOST}:${bot.healthPort}/healthz`);
    expect(onHost.status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${bot.healthPort}/healthz`)).rejects.toThrow();
  });

  it("stops quietly while rate-limited, then resumes where it left off and answers everything once", async () => {
    const { alice, bot } = world;
    const labels = await sendBurst(alice, team, "Weekly item");
    await waitForRateLimit(bot);
    expect(await bot.stop("SIGTERM")).toBe(0);
    // A clean stop says nothing alarming: no lost lease, no refused position, no error.
    expect(bot.logged(/lease lost|refused|failed/)).toEqual([]);
    expect(bot.logs).not.toMatch(/"level":(50|60)/);

    await alice.say(team, "!decision We freeze deploys on Fridays");
    await bot.start();
    for (const label of [...labels, "We freeze deploys on Fridays"])
      await alice.waitFor(`the answer to "${label}"`, answerTo(world, team, label), { timeoutMs: 120_000 });
    await settle(alice);
    for (const label of labels)
      expect(alice.seen.filter(answerTo(world, team, label)), label).toHaveLength(1);
  });
});

describe("a crash on Synapse (SIGKILL)", () => {
  let world: World;
  let team = "";

  beforeAll(async () => {
    world = await createWorld({ config: CONFIG });
    team = await teamRoom(world, "Team");
  });
  afterAll(async () => {
    await world?.bot.dispose("SIGKILL");
  });

  // Without the durable outbox the event was marked handled before its reply was sent, so the reply
  // waiting out Synapse's 429 when SIGKILL came was lost for good (one `Burst item N` never answered).
  it("answers every command of a rate-limited burst exactly once, though killed in the middle", async () => {
    const { alice, bot } = world;
    const labels = await sendBurst(alice, team, "Burst item");
    // Killed while it waits out a 429, with a reply in hand and more to send.
    await waitForRateLimit(bot);
    expect(await bot.stop("SIGKILL")).toBeNull();
    await alice.sync();
    expect(labels.filter((l) => alice.seen.some(answerTo(world, team, l))).length).toBeLessThan(BURST);

    await bot.start();
    for (const label of labels)
      await alice.waitFor(`the answer to "${label}"`, answerTo(world, team, label), { timeoutMs: 60_000 });
    await settle(alice);
    for (const label of labels)
      expect(alice.seen.filter(answerTo(world, team, label)), label).toHaveLength(1);
  });
});

/** `!decision <label> N` for N = 1…BURST, sent as fast as Synapse takes them; returns the labels. */
async function sendBurst(person: Person, roomId: string, prefix: string): Promise<string[]> {
  const labels = Array.from({ length: BURST }, (_, i) => `${prefix} ${i + 1}`);
  for (const label of labels) await person.say(roomId, `!decision ${label}`);
  return labels;
}

/** The bot's confirmation of the decision `label`, in the room. */
function answerTo(world: World, roomId: string, label: string) {
  return (e: SeenEvent): boolean =>
    noticesFrom(world.botAccount.userId, roomId)(e) && bodyOf(e).includes(`: ${label}.`);
}

/**
 * Resolves once the bot has logged that Synapse told it to wait (a 429 M_LIMIT_EXCEEDED) for 3 s or
 * more, so a signal sent now lands during the wait even on a busy machine. The first 429 of a burst may
 * ask for less (the allowance refills while the bot answers); the next ones ask for about 5 s.
 */
async function waitForRateLimit(bot: BotProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!bot.logged(/matrix rate limit/).some((l) => Number(l.waitMs) >= 3000)) {
    if (Date.now() > deadline) throw new Error(`the bot never met a rate limit:\n${bot.logs.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Gives the bot a few seconds to send anything more it would (a double answer), then syncs. */
async function settle(person: Person): Promise<void> {
  await new Promise((r) => setTimeout(r, 6000));
  await person.sync();
}
