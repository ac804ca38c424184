/**
 * The people of one test file on the suite's Synapse: a bot account (an ordinary user, with Synapse's
 * default rate limits) run as `npm start`, and Alice, Bob and Carol with display names. Each file
 * registers its own accounts (a fresh suffix), so files never see each other's rooms or rate limits.
 * The people's own message rate limit is lifted: they type faster than people do, the bot must not.
 */
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { BotProcess } from "./bot-process.js";
import { Person } from "./person.js";
import { type Account, liftRateLimit, register, type SynapseServer } from "./synapse.js";

export interface World {
  synapse: SynapseServer;
  botAccount: Account;
  bot: BotProcess;
  alice: Person;
  bob: Person;
  carol: Person;
}

// Every working day, all day: the nudges about working hours stay out of what the tests look at.
const ALWAYS_WORKING = `workspace:
  workingHours: { start: "00:00", end: "23:59", days: mon-sun }
`;

/** Registers the accounts and starts the bot; the bot's process is running when this resolves. */
export async function createWorld(options: { config?: string; host?: string } = {}): Promise<World> {
  const synapse = inject("synapse");
  const suffix = randomUUID().slice(0, 6);
  // Registration hashes each password (bcrypt): done side by side, it costs one hash's time.
  const [admin, botAccount] = await Promise.all([
    register(synapse, `admin-${suffix}`, { admin: true }),
    register(synapse, `outloud-${suffix}`, { displayName: "Outloud" }),
  ]);
  const person = async (name: string) => {
    const account = await register(synapse, `${name.toLowerCase()}-${suffix}`, { displayName: name });
    await liftRateLimit(synapse, admin, account.userId);
    const p = new Person(synapse.url, account, name);
    p.acceptsInvitesFrom.add(botAccount.userId);
    await p.sync();
    return p;
  };
  const bot = new BotProcess({
    homeserverUrl: synapse.url,
    account: botAccount,
    config: ALWAYS_WORKING + (options.config ?? ""),
    host: options.host,
  });
  // The bot starts (`npm start`, until /readyz) while the people register.
  const [alice, bob, carol] = await Promise.all([
    person("Alice"),
    person("Bob"),
    person("Carol"),
    bot.start(),
  ]);
  return { synapse, botAccount, bot, alice, bob, carol };
}

/**
 * A room Alice creates with Bob and Carol in it, and the bot invited (it joins by itself). The bot is
 * a moderator (power level 50), as an admin must make it for the daily topic.
 */
export async function teamRoom(
  world: World,
  name: string,
  options: { public?: boolean; botPowerLevel?: number } = {},
): Promise<string> {
  const { alice, bob, carol, botAccount } = world;
  const roomId = await alice.createRoom({
    name,
    preset: options.public === false ? "private_chat" : "public_chat",
    invite: [bob.userId, carol.userId],
    power_level_content_override: {
      users: { [alice.userId]: 100, [botAccount.userId]: options.botPowerLevel ?? 50 },
    },
  });
  await bob.join(roomId);
  await carol.join(roomId);
  await alice.invite(roomId, botAccount.userId);
  await waitForMember(alice, roomId, botAccount.userId);
  return roomId;
}

/** Waits until `userId` has joined `roomId` (as `viewer` sees its members). */
export async function waitForMember(viewer: Person, roomId: string, userId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await viewer.joinedMembers(roomId)).includes(userId)) {
    if (Date.now() > deadline) throw new Error(`${userId} never joined ${roomId}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
