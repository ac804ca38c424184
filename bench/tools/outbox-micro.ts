/**
 * The durable outbox's own CPU per announcement: a transaction with four actions (a rota announcement's
 * post, DM, topic and group), each sent after the commit to a sink that does nothing, then marked sent.
 *
 *   npx tsx bench/tools/outbox-micro.ts [ANNOUNCEMENTS]   (default 3000, after 1000 to warm up)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DurableOutbox } from "../../src/outbox/durable-outbox.js";
import { SqlActionOutboxStore } from "../../src/storage/action-outbox-store.js";
import { openBenchApp } from "../workers/app.js";

const N = Number(process.argv[2] ?? 3000);
const app = await openBenchApp(join(mkdtempSync(join(tmpdir(), "obx-")), "o.sqlite"));
const outbox = new DurableOutbox({
  platform: "slack",
  store: new SqlActionOutboxStore(app.db.db),
  sink: {
    deliver: async () => {
      await new Promise((r) => setImmediate(r));
    },
  },
  log: app.log,
  holder: "h",
  afterCommit: (then) => app.db.afterCommit(then),
});
const mk = (i: number, k: number) =>
  ({
    action: "post",
    workspace: "T1",
    room: { workspace: "T1", id: `C${i}`, name: `r${i}`, kind: "public" },
    source: "rota.announce",
    text: `Today's responder is @U${k}: they answer questions from other teams here today, so everyone else can focus.`,
    mentions: [`U${k}`],
  }) as never;
async function round(from: number, n: number) {
  const work: Promise<unknown>[] = [];
  for (let i = from; i < from + n; i++) {
    work.push(
      app.db.atomically(async () => {
        await Promise.all([0, 1, 2, 3].map((k) => outbox.deliver(mk(i, k))));
      }),
    );
    if (work.length >= 16) await Promise.all(work.splice(0));
  }
  await Promise.all(work);
  await outbox.stop();
}
await round(0, 1000); // warm
const c0 = process.cpuUsage();
const t0 = performance.now();
await round(1000, N);
await new Promise((r) => setTimeout(r, 1500));
const c = process.cpuUsage(c0);
console.log(
  JSON.stringify({ cpuUsPerAnnouncement: (c.user + c.system) / N, wallMs: performance.now() - t0 - 1500 }),
);
await app.db.close();
