import { webApi } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { SlackOutbox } from "../../../src/adapters/slack/outbox.js";
import { silentLogger } from "../../../src/logging.js";

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Time that moves only when the test says: pacing and Retry-After are checked without timing the test. */
class FakeTime {
  now = 0;
  private sleepers: Array<{ until: number; wake: () => void }> = [];

  sleep = (ms: number, woken?: AbortSignal) =>
    new Promise<void>((wake) => {
      const sleeper = { until: this.now + ms, wake };
      this.sleepers.push(sleeper);
      woken?.addEventListener("abort", () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        wake();
      });
    });

  /** Moves on by `ms`, waking each sleeper at its own time. */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      await settle();
      const due = this.sleepers.filter((s) => s.until <= target).sort((a, b) => a.until - b.until)[0];
      if (!due) break;
      this.sleepers.splice(this.sleepers.indexOf(due), 1);
      this.now = Math.max(this.now, due.until);
      due.wake();
    }
    this.now = target;
    await settle();
  }
}

function outbox(intervalMs: number, callsInFlight?: number) {
  const time = new FakeTime();
  const box = new SlackOutbox({
    perChannelIntervalMs: intervalMs,
    callsInFlight,
    log: silentLogger,
    sleep: time.sleep,
    now: () => time.now,
  });
  return { box, time };
}

/** Posts to T1 that record when they went out and stay in flight until the test finishes them. */
function postsHeldOpen(box: SlackOutbox, time: FakeTime) {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const post = (channel: string, name: string) =>
    box.post("T1", channel, "chat.postMessage", () => {
      started.push(`${name}@${time.now}`);
      return new Promise<void>((resolve) => finish.set(name, resolve));
    });
  return { started, finish, post };
}

const rateLimited = (seconds: number) => new webApi.WebAPIRateLimitedError(seconds) as unknown as Error;

/**
 * Slack's side of a workspace-wide limit: at most 5 posts in any second, a 429 with Retry-After 1
 * beyond, answered after `refusalMs`; accepted posts take 10 ms.
 */
function workspaceLimit(time: FakeTime, refusalMs: number) {
  const slack = {
    accepted: [] as number[],
    refused: 0,
    send: async () => {
      if (slack.accepted.filter((at) => at > time.now - 1000).length >= 5) {
        slack.refused++;
        if (refusalMs > 0) await time.sleep(refusalMs);
        throw rateLimited(1);
      }
      slack.accepted.push(time.now);
      await time.sleep(10);
    },
  };
  return slack;
}

describe("SlackOutbox", () => {
  it("sends one channel's posts in order, spacing them by the interval", async () => {
    const { box, time } = outbox(1000);
    const sent: Array<[string, number]> = [];
    const all = Promise.all(
      ["a", "b", "c"].map((x) =>
        box.post("T1", "C1", "chat.postMessage", async () => sent.push([x, time.now])),
      ),
    );
    await time.advance(5000);
    await all;
    expect(sent).toEqual([
      ["a", 0],
      ["b", 1000],
      ["c", 2000],
    ]);
  });

  it("does not make one channel wait for another", async () => {
    const { box, time } = outbox(1000);
    const sent: number[] = [];
    await Promise.all([
      box.post("T1", "C1", "chat.postMessage", async () => sent.push(time.now)),
      box.post("T1", "C2", "chat.postMessage", async () => sent.push(time.now)),
      box.post("T2", "C1", "chat.postMessage", async () => sent.push(time.now)),
    ]);
    expect(sent).toEqual([0, 0, 0]);
  });

  it("retries a rate-limited call after its Retry-After, as often as needed, and never drops it", async () => {
    const { box, time } = outbox(0);
    const tries: number[] = [];
    const result = box.post("T1", "C1", "chat.postMessage", async () => {
      tries.push(time.now);
      if (tries.length <= 3) throw rateLimited(2);
      return "delivered";
    });
    await time.advance(10_000);
    expect(await result).toBe("delivered");
    expect(tries).toEqual([0, 2000, 4000, 6000]);
  });

  it("holds every post to the workspace until a 429's Retry-After, but not other workspaces or methods", async () => {
    const { box, time } = outbox(0);
    const tries: string[] = [];
    let limited = false;
    const first = box.post("T1", "C1", "chat.postMessage", async () => {
      tries.push(`T1/C1@${time.now}`);
      if (!limited) {
        limited = true;
        throw rateLimited(2);
      }
    });
    await settle();
    const others = [
      box.post("T1", "C2", "chat.postMessage", async () => tries.push(`T1/C2@${time.now}`)),
      box.post("T2", "C1", "chat.postMessage", async () => tries.push(`T2/C1@${time.now}`)),
      box.call("T1", "conversations.setTopic", async () => tries.push(`topic@${time.now}`)),
    ];
    await time.advance(1999);
    expect([...tries].sort()).toEqual(["T1/C1@0", "T2/C1@0", "topic@0"]);
    await time.advance(1);
    await Promise.all([first, ...others]);
    expect(tries.slice(3).sort()).toEqual(["T1/C1@2000", "T1/C2@2000"]);
  });

  it("lets posts go first come, first served, while a channel with a backlog waits for its own pace", async () => {
    const { box, time } = outbox(1000, 2);
    const { started, finish, post } = postsHeldOpen(box, time);
    const all = [post("CA", "a1"), post("CA", "a2"), post("CB", "b1"), post("CC", "c1")];
    await settle();
    expect(started).toEqual(["a1@0", "b1@0"]);
    // a2 came before c1, but its channel needs its gap: c1 takes the place meanwhile.
    finish.get("a1")!();
    await settle();
    expect(started).toEqual(["a1@0", "b1@0", "c1@0"]);
    finish.get("b1")!();
    await time.advance(999);
    expect(started).toHaveLength(3);
    await time.advance(1);
    expect(started).toEqual(["a1@0", "b1@0", "c1@0", "a2@1000"]);
    for (const name of ["c1", "a2"]) finish.get(name)!();
    await Promise.all(all);
  });

  it("keeps a waiting post's place: once its channel is ready it goes before posts that came later", async () => {
    const { box, time } = outbox(1000, 1);
    const { started, finish, post } = postsHeldOpen(box, time);
    const all = [post("D1", "d1"), post("D1", "d2")];
    await settle();
    finish.get("d1")!();
    await time.advance(500);
    all.push(post("CX", "x1"), post("CY", "y1"));
    await time.advance(700);
    // x1 went while d2 waited for its channel; when x1 ends, d2 (ready since 1000) is first in line.
    finish.get("x1")!();
    await settle();
    expect(started).toEqual(["d1@0", "x1@500", "d2@1200"]);
    finish.get("d2")!();
    await settle();
    finish.get("y1")!();
    await Promise.all(all);
    expect(started).toEqual(["d1@0", "x1@500", "d2@1200", "y1@1200"]);
  });

  it("learns a workspace limit Slack does not publish from its first 429, and keeps to it", async () => {
    const { box, time } = outbox(0, 3);
    const slack = workspaceLimit(time, 0);
    const all = Array.from({ length: 30 }, (_, i) => box.post("T1", `C${i}`, "chat.postMessage", slack.send));
    await time.advance(10_000);
    await Promise.all(all);
    const { accepted } = slack;
    expect(accepted).toHaveLength(30);
    // Only the posts in flight when the limit was first met were refused.
    expect(slack.refused).toBeLessThanOrEqual(3);
    for (const at of accepted)
      expect(accepted.filter((t) => t >= at && t < at + 1000).length).toBeLessThanOrEqual(5);
    // 30 posts at 5 a second, after the one Retry-After: not much longer than the limit allows.
    expect(Math.max(...accepted)).toBeLessThan(7000);
  });

  it("learns the limit from the posts that went out before the refused one, however late its 429 comes back", async () => {
    const { box, time } = outbox(0, 3);
    // A refusal takes 1.5 s to come back (a slow network, a busy process).
    const slack = workspaceLimit(time, 1500);
    const all = Array.from({ length: 20 }, (_, i) => box.post("T1", `C${i}`, "chat.postMessage", slack.send));
    await time.advance(20_000);
    await Promise.all(all);
    expect(slack.accepted).toHaveLength(20);
    // The three in flight when the limit was first met; none after it was learnt.
    expect(slack.refused).toBe(3);
  });

  it("sends the workspace's posts before its topic and group updates, and an update waits no longer than its limit", async () => {
    const { box, time } = outbox(1000);
    const { started, finish, post } = postsHeldOpen(box, time);
    const update = (name: string, workspace = "T1") =>
      box.update(workspace, "C1", "conversations.setTopic", async () => {
        started.push(`${name}@${time.now}`);
      });
    const posts = [post("C1", "announce"), post("D1", "hand-over")];
    const updates = [update("topic"), update("other workspace's topic", "T2")];
    await settle();
    // The topic waits for the announcement and the hand-over; another workspace's does not.
    expect(started).toEqual(["announce@0", "hand-over@0", "other workspace's topic@0"]);
    finish.get("announce")!();
    await settle();
    expect(started).toHaveLength(3);
    finish.get("hand-over")!();
    await Promise.all([...posts, ...updates]);
    expect(started).toEqual(["announce@0", "hand-over@0", "other workspace's topic@0", "topic@0"]);

    // A workspace that never stops posting still gets its topic, after 30 s.
    const endless = post("C2", "held open");
    const late = update("late topic");
    await time.advance(29_999);
    expect(started).not.toContain("late topic@29999");
    await time.advance(1);
    await late;
    expect(started).toContain("late topic@30000");
    finish.get("held open")!();
    await endless;
  });

  it("gives up at once on a platform error, which no retry can fix, and keeps the lane going", async () => {
    const { box } = outbox(0);
    const platformError = Object.assign(new Error("channel_not_found"), {
      code: webApi.ErrorCode.PlatformError,
      data: { error: "channel_not_found" },
    });
    await expect(
      box.post("T1", "C1", "chat.postMessage", async () => Promise.reject(platformError)),
    ).rejects.toBe(platformError);
    await expect(box.post("T1", "C1", "chat.postMessage", async () => "next")).resolves.toBe("next");
  });

  it("drain waits for what is queued", async () => {
    const { box, time } = outbox(0);
    let done = false;
    void box.post("T1", "C1", "chat.postMessage", async () => {
      await time.sleep(20);
      done = true;
    });
    const drained = box.drain();
    await time.advance(20);
    await drained;
    expect(done).toBe(true);
  });
});
