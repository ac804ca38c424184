/**
 * The report as one self-contained HTML page: inline CSS and inline SVG charts, no script, no font,
 * image or style sheet fetched at view time (a Content-Security-Policy in the page says so too).
 */
import { type Chart, roomLabel } from "./charts.js";
import type { HealthReport } from "./health.js";

export interface PageOptions {
  title: string;
  /** Where the figures came from, e.g. the input file's name or "last 4 weeks". */
  source: string;
  generatedAt: Date;
}

export function reportHtml(report: HealthReport, charts: Chart[], options: PageOptions): string {
  const period =
    report.from && report.to ? `${report.from.slice(0, 10)} to ${report.to.slice(0, 10)}` : "no messages";
  const asked = sum(report.weeks.map((w) => w.questions.asked));
  const answered = sum(report.weeks.map((w) => w.questions.answered));
  const roomMessages = sum(report.weeks.map((w) => w.roomMessages));
  const threadReplies = sum(report.weeks.map((w) => w.threadReplies));
  const offHours = sum(report.weeks.map((w) => w.mentions.offHours));
  const mentions = offHours + sum(report.weeks.map((w) => w.mentions.inHours));
  const summary: [string, string][] = [
    ["messages", fmt(report.messages)],
    ["people", fmt(report.people)],
    ["rooms", fmt(report.rooms.length)],
    ["replies in threads", percent(threadReplies, roomMessages)],
    ["mentions out of hours", percent(offHours, mentions)],
    ["other teams' questions answered", asked ? `${answered} of ${asked}` : "none asked"],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(options.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(options.title)}</h1>
<p class="meta">${esc(options.source)} · ${esc(period)} · generated ${esc(options.generatedAt.toISOString().slice(0, 16).replace("T", " "))} UTC</p>
<dl class="summary">${summary.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join("")}</dl>
</header>
<main>
${charts.map(chartSection).join("\n")}
<section id="per-room">
<h2>Per room</h2>
<p class="caption">Every room with messages. Direct messages are counted together and never named.</p>
<table>
<thead><tr><th>room</th><th>messages</th><th>in threads</th><th>long, stayed in channel</th><th>@channel/@here (people)</th><th>questions from other teams</th><th>median first answer</th></tr></thead>
<tbody>
${report.rooms
  .map(
    (r) =>
      `<tr><td>${esc(roomLabel(r))}</td><td>${fmt(r.messages)}</td><td>${percent(r.threadReplies, r.messages)}</td>` +
      `<td>${r.longConversations.stayed} of ${r.longConversations.stayed + r.longConversations.moved}</td>` +
      `<td>${r.broadcasts.count} (${fmt(r.broadcasts.reached)})</td>` +
      `<td>${r.questions.answered} of ${r.questions.asked} answered</td><td>${duration(r.questions.medianMinutes)}</td></tr>`,
  )
  .join("\n")}
<tr class="direct"><td>direct messages (${fmt(report.direct.conversations)} conversations)</td><td>${fmt(report.direct.messages)}</td><td colspan="5"></td></tr>
</tbody>
</table>
</section>
</main>
<footer><p>Built from ids, counts and times only: no message is quoted. How each figure is computed: docs/report.md.</p></footer>
</body>
</html>
`;
}

function chartSection(c: Chart): string {
  return `<section class="chart" id="chart-${esc(c.id)}">
<h2>${esc(c.title)}</h2>
<p class="caption">${esc(c.caption)}</p>
<figure>${c.svg}</figure>
</section>`;
}

/** Working minutes as `45 min` or `3.5 h`. */
function duration(minutes: number | undefined): string {
  if (minutes === undefined) return "–";
  return minutes < 90 ? `${Math.round(minutes)} min` : `${(minutes / 60).toFixed(1)} h`;
}

function percent(part: number, whole: number): string {
  return whole ? `${Math.round((100 * part) / whole)}%` : "–";
}

function fmt(n: number): string {
  return n.toLocaleString("en");
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
body{font-family:system-ui,sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
header,main,footer{max-width:1240px;margin:0 auto;padding:0 24px}
h1{font-size:1.6rem;margin:24px 0 4px}h2{font-size:1.1rem;margin:0 0 4px}
.meta,.caption,footer{color:#5b6675;font-size:.9rem;margin:0 0 12px}
.summary{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.summary div{background:#fff;border-radius:8px;padding:10px 14px;box-shadow:0 1px 2px #0001}
.summary dt{font-size:.8rem;color:#5b6675}.summary dd{margin:0;font-size:1.3rem;font-weight:600}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:16px}
section{background:#fff;border-radius:8px;padding:16px;box-shadow:0 1px 2px #0001;overflow-x:auto}
#per-room{grid-column:1/-1}figure{margin:0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e6ea}td:not(:first-child){text-align:right}
`;
