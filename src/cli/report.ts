/**
 * npm run report -- INPUT [--out report.html] [--json figures.json] [--config F] [--title T]
 * A communication-health report for a team lead, from a Slack export ZIP, an Element room export or a
 * replay scenario: one self-contained HTML page of charts per week and per room. See docs/report.md.
 */
import { writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { createLogger } from "../logging.js";
import { buildHealthReport } from "../report/build.js";
import { reportCharts } from "../report/charts.js";
import { reportHtml } from "../report/html.js";
import { inputKind, readInput } from "../report/input.js";
import { cliConfig, filesExist, parsedOrUsage, runCli, singleInput } from "./common.js";
import { Progress } from "./progress.js";

const USAGE =
  "Usage: npm run report -- INPUT [--out report.html] [--json figures.json] [--config F] [--title T]";

async function main(): Promise<number> {
  const args = parsedOrUsage(parse, USAGE);
  if (!args) return 2;
  const input = singleInput(args.positionals, USAGE);
  if (!input) return 2;
  if (!filesExist([input])) return 2;
  const loaded = cliConfig(args.values.config);
  if (!loaded) return 2;
  const out = args.values.out ?? "report.html";
  const kind = await inputKind(input);
  const progress = new Progress(process.stderr, kind === "slack-export" ? "day files" : "lines");
  let problems = 0;
  let count = 0;
  const lines = readInput(input, kind, {
    onProgress: (done, total) => {
      count = done;
      progress.update(done, total);
    },
    onLines: (n) => {
      count = n;
      progress.update(n);
    },
    onProblem: (problem) => {
      problems++;
      progress.clear();
      process.stderr.write(`${problem}\n`);
    },
  });
  const log = createLogger(loaded.env.LOG_LEVEL === "debug" ? "debug" : "error");
  const report = await buildHealthReport(lines, loaded.config, log);
  progress.done(count);
  const charts = await reportCharts(report);
  const title = args.values.title ?? `Communication health: ${basename(input)}`;
  await writeFile(
    out,
    reportHtml(report, charts, { title, source: basename(input), generatedAt: new Date() }),
  );
  // The same figures as data, for a team lead who tracks them over time or in a spreadsheet.
  if (args.values.json) await writeFile(args.values.json, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(
    `${out}: ${report.messages.toLocaleString("en")} messages, ${report.weeks.length} weeks, ${report.rooms.length} rooms\n`,
  );
  return problems > 0 ? 1 : 0;
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      out: { type: "string" },
      json: { type: "string" },
      config: { type: "string" },
      title: { type: "string" },
    },
  });
}

runCli("report", main);
