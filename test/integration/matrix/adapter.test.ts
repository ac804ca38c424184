/**
 * The Matrix adapter end to end: the real matrix-js-sdk client inside the real adapter and engine,
 * against a fake homeserver on loopback. Each case is something a person in a Matrix room would see.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { VirtualClock } from "../../../src/core/clocks.js";
import { Scheduler } from "../../../src/core/scheduler.js";
import { silentLogger } from "../../../src/logging.js";
import { FakeHomeserver, type SentEvent } from "../../helpers/fake-homeserver.js";
import { ALICE, BOB, BOT, CAROL, freshDataDir, type RunningBot, startBot, TOKEN } from "./bot.js";

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

  it("suggests a call inside a long thread, counting the replies a limited sync left out", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs, { settings: { nudges: { "thread-to-call": { maxReplies: 5 } } } });
    await hs.waitForSyncedUpTo();
    // Six events arrive at once, but the sync shows only the last two: the rest must be back-filled.
    hs.limitNextSync(room, 2);
    const root = hs.message(room, ALICE, "Should we move the payments cron to the new cluster?");
    for (let i = 0; i < 5; i++)
      hs.message(room, i % 2 ? ALICE : BOB, `reply ${i} about the cron`, { thread: root });
    const [suggestion] = await hs.waitForSent((e) => isMessage(e) && threadOf(e) === root);
    expect(String(suggestion?.content.body)).toContain("https://meet.jit.si/");
    expect(hs.requests.some((r) => r.method === "GET" && r.path.endsWith("/messages"))).toBe(true);
    // In the thread, not in the room's main timeline.
    expect(hs.messagesIn(room).filter((e) => threadOf(e) === undefined)).toEqual([]);
  });

  it("sends a private nudge about a DM question in the bot's own DM with the asker", async () => {
    const team = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    const groupDm = hs.createRoom({ members: [ALICE, BOB] });
    bot = await startBot(hs);
    hs.message(team, ALICE, "morning all, standup notes are in the doc");
    hs.message(team, BOB, "thanks, reading them now");
    hs.inviteBot(groupDm, ALICE, { isDirect: true });
    await hs.waitForRequests("POST", new RegExp(`/join/${escapeRegExp(groupDm)}`));
    await hs.waitForSyncedUpTo();
    hs.message(groupDm, ALICE, "Can you review the deploy checklist for the payments service before Friday?");
    const [nudge] = await hs.waitForSent((e) => isMessage(e) && e.room_id !== team && e.room_id !== groupDm);
    const dm = nudge?.room_id ?? "";
    // The bot opened a DM room with Alice for it, marked as direct, and remembers it in m.direct.
    const created = hs.requests.find((r) => r.method === "POST" && r.path === "/createRoom");
    expect(created?.body).toMatchObject({ is_direct: true, invite: [ALICE] });
    expect(hs.directContent()[ALICE]).toContain(dm);
    expect(String(nudge?.content.body)).toContain("team");
    // The hints are spelled the Matrix way.
    expect(String(nudge?.content.body)).toContain("!share");
    expect(String(nudge?.content.body)).not.toContain("/share");
    // Nothing was said in the group DM or the public room.
    expect(hs.messagesIn(groupDm)).toEqual([]);
    expect(hs.messagesIn(team)).toEqual([]);
  });

  it("acts once on an event that a sync batch repeats", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs);
    await hs.waitForSyncedUpTo();
    const command = hs.message(room, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30`);
    hs.repeatInNextSync(command);
    await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    await hs.waitForSyncedUpTo();
    expect(hs.messagesIn(room)).toHaveLength(1);
  });

  it("waits the retry_after_ms a 429 asks for, then posts once with the same transaction id", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs);
    await hs.waitForSyncedUpTo();
    hs.rateLimitNext("PUT", /\/send\//, { retryAfterMs: 700 });
    hs.message(room, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30`);
    await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    const attempts = hs.requests.filter((r) => r.method === "PUT" && r.path.includes("/send/"));
    expect(attempts).toHaveLength(2);
    expect(attempts[1]?.path).toBe(attempts[0]?.path);
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(700);
    expect(hs.messagesIn(room)).toHaveLength(1);
  });

  it("waits the Retry-After header of a 429 too", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs);
    await hs.waitForSyncedUpTo();
    hs.rateLimitNext("PUT", /\/send\//, { retryAfterHeaderSeconds: 1 });
    hs.message(room, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30`);
    await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    const attempts = hs.requests.filter((r) => r.method === "PUT" && r.path.includes("/send/"));
    expect(attempts).toHaveLength(2);
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it("resumes after a restart from the stored sync position without acting twice", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    const dataDir = freshDataDir();
    bot = await startBot(hs, { dataDir });
    await hs.waitForSyncedUpTo();
    hs.message(room, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30`);
    await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    await hs.waitForSyncedUpTo();
    await bot.stop();
    // While the bot is down, Bob asks who is on duty (the answer is private: Bob's DM with the bot).
    hs.message(room, BOB, "!rota who");
    const syncsBefore = hs.requests.filter((r) => r.path === "/sync").length;
    bot = await startBot(hs, { dataDir });
    const resumed = hs.requests.filter((r) => r.path === "/sync").slice(syncsBefore)[0];
    expect(resumed?.query.since).toBeDefined();
    const [answer] = await hs.waitForSent((e) => isMessage(e) && e.room_id !== room);
    expect(String(answer?.content.body)).toMatch(/^In team: /);
    await hs.waitForSyncedUpTo();
    // The setup before the restart was not answered again, and the question was answered once.
    expect(hs.messagesIn(room)).toHaveLength(1);
    expect(hs.sent.filter(isMessage)).toHaveLength(2);
  });

  it("joins rooms it is invited to from allowed servers only", async () => {
    const ours = hs.createRoom({ members: [ALICE, BOB, CAROL], name: "ours" });
    const theirs = hs.createRoom({ members: ["@mallory:elsewhere.test", ALICE, BOB], name: "theirs" });
    bot = await startBot(hs);
    hs.inviteBot(ours, ALICE);
    hs.inviteBot(theirs, "@mallory:elsewhere.test");
    await hs.waitForRequests("POST", new RegExp(`/join/${escapeRegExp(ours)}`));
    await hs.waitForSyncedUpTo();
    expect(hs.botRooms()).toEqual([ours]);
  });

  it("says once, in an encrypted room, that it cannot read it", async () => {
    const secret = hs.createRoom({ members: [ALICE, BOB, CAROL], name: "secret", encrypted: true });
    const dataDir = freshDataDir();
    bot = await startBot(hs, { dataDir });
    hs.inviteBot(secret, ALICE);
    const [notice] = await hs.waitForSent((e) => isMessage(e) && e.room_id === secret);
    expect(String(notice?.content.body)).toMatch(/can't read this room/);
    hs.event(secret, ALICE, "m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "…" });
    await hs.waitForSyncedUpTo();
    await bot.stop();
    bot = await startBot(hs, { dataDir });
    hs.event(secret, BOB, "m.room.encrypted", { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "…" });
    await hs.waitForSyncedUpTo();
    expect(hs.messagesIn(secret)).toHaveLength(1);
  });

  it("logs neither the access token nor any message text", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs);
    hs.rateLimitNext("PUT", /\/send\//, { retryAfterMs: 10 });
    hs.message(room, ALICE, "the launch codes are 0000, keep them quiet");
    hs.message(room, ALICE, "!rota setup nobody-known at 09:30");
    hs.message(room, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30`);
    await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    await hs.waitForSyncedUpTo();
    const logs = bot.logs.join("\n");
    expect(logs).toContain("matrix rate limit");
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain("launch codes");
    expect(logs).not.toContain("rota setup");
  });

  it("posts the daily rota announcement in the room and sets the topic", async () => {
    const room = hs.createRoom({
      members: [ALICE, BOB, CAROL, BOT],
      name: "team",
      public: true,
      topic: "Team room",
    });
    const clock = new VirtualClock(new Date());
    const scheduler = new Scheduler(silentLogger);
    bot = await startBot(hs, { clock, scheduler });
    hs.message(room, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30 days mon-sun`);
    await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    await clock.advanceTo(justAfterNextAnnouncement(clock.now()), scheduler);
    const [, announcement] = await hs.waitForSent((e) => isMessage(e) && e.room_id === room, 2);
    expect(String(announcement?.content.body)).toMatch(/^Today's responder is (Alice|Bob)/);
    expect(announcement?.content["m.mentions"]).toMatchObject({
      user_ids: [expect.stringMatching(/^@(alice|bob):/)],
    });
    // Topics are plain text: the responder by display name, never a Matrix id (`@@alice:…` before).
    const responder = /^Today's responder is (Alice|Bob)/.exec(String(announcement?.content.body))?.[1];
    expect(hs.stateOf(room, "m.room.topic")?.topic).toBe(`Today's responder: ${responder}`);
  });

  it("still posts the announcement when it may not change the topic (power levels, as on Synapse)", async () => {
    const room = hs.createRoom({
      members: [ALICE, BOB, CAROL, BOT],
      name: "team",
      public: true,
      topic: "Team room",
      powerLevels: { users: { [ALICE]: 100 }, state_default: 50 },
    });
    const clock = new VirtualClock(new Date());
    const scheduler = new Scheduler(silentLogger);
    bot = await startBot(hs, { clock, scheduler });
    hs.message(room, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30 days mon-sun`);
    await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    await clock.advanceTo(justAfterNextAnnouncement(clock.now()), scheduler);
    const [, announcement] = await hs.waitForSent((e) => isMessage(e) && e.room_id === room, 2);
    expect(String(announcement?.content.body)).toMatch(/^Today's responder is (Alice|Bob)/);
    await hs.waitForRequests("PUT", /\/state\/m\.room\.topic/);
    expect(hs.stateOf(room, "m.room.topic")?.topic).toBe("Team room");
    // The refusal is logged once its answer is back (the send follows the announcement's commit).
    await vi.waitFor(() =>
      expect(bot!.logs.join("\n")).toMatch(/"msg":"matrix action failed","action":"topic"/),
    );
  });

  it("records a decision when someone reacts with 📝, and confirms it in the message's thread", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs);
    await hs.waitForSyncedUpTo();
    const message = hs.message(room, ALICE, "We go with PostgreSQL for the ledger service");
    hs.reaction(room, BOB, message, "👍");
    hs.reaction(room, BOB, message, "📝");
    const [confirmation] = await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    expect(threadOf(confirmation!)).toBe(message);
    expect(String(confirmation?.content.body)).toMatch(/PostgreSQL for the ledger/);
    await hs.waitForSyncedUpTo();
    expect(hs.messagesIn(room)).toHaveLength(1);
  });

  it("reports ready on /readyz once it has synced, and counts events in /metrics", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs, { healthPort: 0 });
    const base = `http://127.0.0.1:${bot.adapter.port}`;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { matrix: true, database: true } });
    hs.message(room, ALICE, `!rota setup ${ALICE} ${BOB} at 09:30`);
    await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/outloud_events_in_total\{platform="matrix",type="command"\} 1/);
  });

  it("keeps using the same DM room for private notices after a restart, and opens a new one if the person left", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    const dataDir = freshDataDir();
    bot = await startBot(hs, { dataDir });
    hs.message(room, BOB, "!rota who");
    const [first] = await hs.waitForSent((e) => isMessage(e) && e.room_id !== room);
    const dm = first?.room_id ?? "";
    hs.join(dm, BOB);
    await hs.waitForSyncedUpTo();
    await bot.stop();
    bot = await startBot(hs, { dataDir });
    hs.message(room, BOB, "!rota who");
    await hs.waitForSent((e) => isMessage(e) && e.room_id === dm, 2);
    expect(hs.requests.filter((r) => r.path === "/createRoom")).toHaveLength(1);

    hs.leave(dm, BOB);
    await hs.waitForSyncedUpTo();
    hs.message(room, BOB, "!rota who");
    const [third] = await hs.waitForSent((e) => isMessage(e) && e.room_id !== room && e.room_id !== dm);
    expect(hs.requests.filter((r) => r.path === "/createRoom")).toHaveLength(2);
    expect(hs.directContent()[BOB]).toContain(third?.room_id);
  });

  it("names a group DM by its people in a private notice, and answers in the DM with the bot the person wrote in", async () => {
    hs.setDisplayName(CAROL, "Carol");
    const groupDm = hs.createRoom({ members: [ALICE, BOB, CAROL] });
    const ownDm = hs.createRoom({ members: [ALICE] });
    bot = await startBot(hs);
    hs.inviteBot(groupDm, ALICE, { isDirect: true });
    hs.inviteBot(ownDm, ALICE, { isDirect: true });
    await hs.waitForRequests("POST", new RegExp(`/join/${escapeRegExp(ownDm)}`));
    await hs.waitForSyncedUpTo();
    hs.message(groupDm, ALICE, "!rota who");
    const [aboutGroup] = await hs.waitForSent((e) => isMessage(e));
    // Not the room's id: the room as Alice knows it. Her own DM with the bot is where it goes.
    expect(String(aboutGroup?.content.body)).toMatch(/^In the group DM with Bob and Carol: /);
    expect(aboutGroup?.room_id).toBe(ownDm);
    hs.message(ownDm, ALICE, "!rota who");
    const [, inPlace] = await hs.waitForSent((e) => isMessage(e), 2);
    expect(inPlace?.room_id).toBe(ownDm);
    expect(String(inPlace?.content.body)).not.toMatch(/^In /);
    expect(hs.requests.filter((r) => r.path === "/createRoom")).toEqual([]);
  });

  it("after a restart, reaches a person who left the remembered DM in another DM that m.direct lists", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    const dataDir = freshDataDir();
    bot = await startBot(hs, { dataDir });
    hs.message(room, BOB, "!rota who");
    const [first] = await hs.waitForSent((e) => isMessage(e) && e.room_id !== room);
    const created = first?.room_id ?? "";
    hs.join(created, BOB);
    const own = hs.createRoom({ members: [BOB] });
    hs.inviteBot(own, BOB, { isDirect: true });
    await hs.waitForRequests("POST", new RegExp(`/join/${escapeRegExp(own)}`));
    await hs.waitForSyncedUpTo();
    await bot.stop();
    bot = await startBot(hs, { dataDir });
    hs.leave(created, BOB);
    hs.message(room, BOB, "!rota who");
    const [second] = await hs.waitForSent((e) => isMessage(e) && e.room_id === own);
    expect(String(second?.content.body)).toMatch(/^In team: /);
    expect(hs.requests.filter((r) => r.path === "/createRoom")).toHaveLength(1);
    expect(hs.directContent()[BOB]).toEqual([created, own]);
  });

  it("opens a DM room for a private answer under Synapse's message limit, where creating a room counts twice", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs);
    await hs.waitForSyncedUpTo();
    // One message left of the burst: the room's creation takes it, and the bot's join in it is refused.
    hs.limitMessages({ burst: 10, perSecond: 2, spent: 9 });
    hs.message(room, BOB, "!rota who");
    const [answer] = await hs.waitForSent((e) => isMessage(e) && e.room_id !== room);
    expect(String(answer?.content.body)).toMatch(/^In team: /);
    // The answer is in a DM Bob is invited to and m.direct lists, not in a half-made room.
    const dm = answer?.room_id ?? "";
    expect(hs.stateOf(dm, "m.room.member", BOB)?.membership).toBe("invite");
    expect(hs.directContent()[BOB]).toEqual([dm]);
  });

  it("answers a command typed in a thread inside that thread", async () => {
    const room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    bot = await startBot(hs);
    const root = hs.message(room, ALICE, "Which database for the ledger?");
    hs.message(room, BOB, "!decision We use PostgreSQL for the ledger", { thread: root });
    const [reply] = await hs.waitForSent((e) => isMessage(e) && e.room_id === room);
    expect(threadOf(reply!)).toBe(root);
  });
});

function threadOf(e: SentEvent): string | undefined {
  const rel = e.content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined;
  return rel?.rel_type === "m.thread" ? rel.event_id : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A minute after the next 09:30 UTC announcement: exactly one falls due on the way, whatever the time
 * of day the test runs (from just after midnight, "tomorrow at 09:31" passed today's 09:30 too).
 */
function justAfterNextAnnouncement(now: Date): Date {
  const at = new Date(now);
  at.setUTCHours(9, 31, 0, 0);
  if (at.getTime() <= now.getTime() + 60_000) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}
