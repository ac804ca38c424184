/**
 * `!outloud report` on Matrix: a room admin (power level) gets a signed, room-scoped link to the live
 * report in their DM with the bot; it opens that room's report once and then a session cookie carries
 * on. Everyone else is refused; a forged or expired link opens nothing; the token is never logged.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeHomeserver, type SentEvent } from "../../helpers/fake-homeserver.js";
import { ALICE, BOB, BOT, CAROL, type RunningBot, startBot, TOKEN } from "./bot.js";

const SECRET = "a-report-secret-that-is-long-enough-to-sign";
const isMessage = (e: SentEvent) => e.type === "m.room.message";
const body = (e: SentEvent | undefined) => String(e?.content.body ?? "");

describe("report links for Matrix room admins", () => {
  let hs: FakeHomeserver;
  let bot: RunningBot | undefined;
  let room: string;
  let base: string;
  /** The bot's clock runs this far ahead of the wall clock: a day later, links have expired. */
  let ahead = 0;

  beforeEach(async () => {
    hs = await new FakeHomeserver({ botUserId: BOT, token: TOKEN }).start();
    room = hs.createRoom({ members: [ALICE, BOB, CAROL, BOT], name: "team", public: true });
    hs.setPowerLevels(room, ALICE, {
      users: { [ALICE]: 100, [BOT]: 50 },
      users_default: 0,
      state_default: 50,
    });
    ahead = 0;
    bot = await startBot(hs, {
      healthPort: 0,
      clock: { now: () => new Date(Date.now() + ahead) },
      env: { REPORT_SECRET: SECRET, OUTLOUD_PUBLIC_URL: "https://outloud.example.test" },
    });
    base = `http://127.0.0.1:${bot.adapter.port}`;
    await hs.waitForSyncedUpTo();
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    await hs.close();
  });

  /** Asks for the link as `who` in the team room; returns the bot's private answer (outside the room). */
  async function ask(who: string, count = 1): Promise<SentEvent | undefined> {
    hs.message(room, who, "!outloud report");
    const sent = await hs.waitForSent((e) => isMessage(e) && e.room_id !== room, count);
    return sent[count - 1];
  }

  function tokenOf(answer: SentEvent | undefined): string {
    const link = /https:\/\/outloud\.example\.test\/report\?token=(\S+)/.exec(body(answer));
    expect(link, body(answer)).not.toBeNull();
    return decodeURIComponent(link![1]!);
  }

  it("sends an admin a private link that opens this room's report, then a cookie without the token", async () => {
    hs.message(room, BOB, "we decided to ship on Friday, agreed?");
    const answer = await ask(ALICE);
    expect(hs.messagesIn(room)).toHaveLength(0); // nothing said in the room itself
    expect(hs.members(answer!.room_id)).toContain(BOT); // the DM with Alice
    expect(body(answer)).toContain("24 hours");
    const token = tokenOf(answer);

    const first = await fetch(`${base}/report?token=${encodeURIComponent(token)}`, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/report");
    const cookie = first.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(cookie).not.toContain(token);

    const page = await fetch(`${base}/report`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<svg");
    expect(html).toContain(`room ${room}`);
    expect(html).not.toContain("ship on Friday");

    // The link opens this room only.
    const other = await fetch(`${base}/report?room=${encodeURIComponent("!other:example.test")}`, {
      headers: { cookie },
    });
    expect(other.status).toBe(403);
    for (const line of bot!.logs) expect(line).not.toContain(token.split(".")[1]);
  });

  it("refuses people who are not the room's admins", async () => {
    const answer = await ask(BOB);
    expect(body(answer)).toContain("Only this room's admins");
    expect(body(answer)).not.toContain("/report?token=");
  });

  it("opens nothing with a forged, tampered or expired link", async () => {
    const token = tokenOf(await ask(ALICE));
    const [payload, mac] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
    const widened = Buffer.from(JSON.stringify({ ...claims, room: "!other:example.test" })).toString(
      "base64url",
    );
    const longer = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1e9 })).toString("base64url");
    const tries = [`${widened}.${mac}`, `${longer}.${mac}`, `${payload}.AAAA`, "not-a-token"];
    const opens = (t: string) =>
      fetch(`${base}/report?token=${encodeURIComponent(t)}`, { redirect: "manual" });
    for (const forged of tries) {
      const res = await opens(forged);
      expect(res.status, forged).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    // The genuine link works until a day has passed, and not after.
    expect((await opens(token)).status).toBe(303);
    ahead = 24 * 60 * 60_000 + 1000;
    expect((await opens(token)).status).toBe(401);
  });
});
