/**
 * The Slack event journal's own CPU per event: a typical message event written as it comes and its
 * end written once handled (here with the next event's line), 50,000 times after 5,000 to warm up
 * (issue 15).
 *
 *   npx tsx bench/tools/journal-micro.ts
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlackEventJournal } from "../../src/adapters/slack/event-journal.js";

const j = new SlackEventJournal(mkdtempSync(join(tmpdir(), "jm-")), "sqlite:bench");
const body = {
  token: "x",
  team_id: "T1",
  api_app_id: "A1",
  event: {
    type: "message",
    user: "U123",
    text: "does anyone know how to mount a second drive at boot? I tried fstab but it hangs",
    ts: "1700000000.000100",
    channel: "C1",
    channel_type: "channel",
    event_ts: "1700000000.000100",
  },
  type: "event_callback",
  event_id: "Ev1",
  event_time: 1700000000,
  authorizations: [{ team_id: "T1", user_id: "UB", is_bot: true }],
};
// As over HTTP: the body's text as the request carried it.
const raw = Buffer.from(JSON.stringify(body));
for (let i = 0; i < 5000; i++) {
  j.came("T1", `w${i}`, body, raw);
  j.ended("T1", `w${i}`);
}
const t = process.cpuUsage();
const N = 50000;
for (let i = 0; i < N; i++) {
  j.came("T1", `E${i}`, body, raw);
  j.ended("T1", `E${i}`);
}
const d = process.cpuUsage(t);
console.log(((d.user + d.system) / N).toFixed(1), "µs CPU per event (came + ended)");
