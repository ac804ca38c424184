// Shutdown: stop taking events, finish what is in flight (a slow post included), then let go.
import { describe, expect, it } from "vitest";
import { SIGNING_SECRET, seedWorkspace, startSlackHarness } from "../../helpers/fake-slack-harness.js";
import { mkSlashCommand, postSigned } from "../../helpers/fake-slack-requests.js";

describe("Slack adapter shutdown", () => {
  it("finishes a post still in flight, then refuses new requests", async () => {
    const h = await startSlackHarness({
      seed: (s) => seedWorkspace(s),
      adapter: { perChannelIntervalMs: 0 },
    });
    try {
      h.slack.failNext("chat.postMessage", { delayMs: 1500 });
      // Not awaited: the command's HTTP answer only comes once its public post is done.
      const request = postSigned(
        h.url,
        SIGNING_SECRET,
        mkSlashCommand({
          team: "T1",
          user: "UT1A",
          channel: "CT1",
          command: "/decision",
          text: "Stand-ups are async from Monday.",
          responseUrl: h.slack.responseUrl(),
        }),
      );
      // Slack has the post, and is slow to answer it; now the process is asked to stop.
      await h.slack.waitFor((s) => s.calls.some((c) => c.method === "chat.postMessage"));
      const answered = () => h.slack.calls.find((c) => c.method === "chat.postMessage")!;
      const postsDone = async () =>
        Number(
          (await h.adapter.metrics.actionsOut.get()).values.find((v) => v.labels.action === "post")?.value ??
            0,
        );
      expect(await postsDone()).toBe(0);
      await h.adapter.stop();
      expect((await request).status).toBe(200);
      expect(answered().status).toBe(200);
      expect(await postsDone()).toBe(1);
      expect(h.adapter.ready()).toBe(false);
      await expect(fetch(`${h.url}/healthz`)).rejects.toThrow();
    } finally {
      await h.close();
    }
  });
});
