/**
 * The report's charts as Vega-Lite specifications, rendered to static SVG on the server
 * (`vega.View#toSVG` with no renderer attached), so the page needs no script and no network.
 * Each chart's data is the report's figures flattened to rows; docs/report.md says what each shows.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { HealthReport } from "./health.js";

export interface Chart {
  id: string;
  title: string;
  /** One sentence under the title: how to read it. */
  caption: string;
  svg: string;
}

type Row = Record<string, string | number | null>;

const WIDTH = 540;
const HEIGHT = 220;
const PALETTE = ["#3b6ea8", "#e07b39", "#5a9e6f", "#b5485d", "#8a6bb1", "#c9a227", "#4aa3a2", "#7f7f7f"];

/** Renders one Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: compiled } = compile(spec);
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** What every chart shares: its data, size and look. */
function base(values: Row[], height = HEIGHT): Record<string, unknown> {
  return {
    data: { values },
    width: WIDTH,
    height,
    // The whole chart, axes and legend included, fits the width: the page's cards do not scroll.
    autosize: { type: "fit-x", contains: "padding" },
    config: {
      font: "system-ui, sans-serif",
      range: { category: PALETTE },
      axis: { labelFontSize: 11, titleFontSize: 11 },
      legend: { orient: "bottom", title: null, labelLimit: 320 },
      view: { stroke: null },
    },
  };
}

/** Counts have whole-number ticks, also when every value is zero. */
const COUNT_AXIS = { tickMinStep: 1, format: "d" } as const;

const weekAxis = {
  field: "week",
  type: "ordinal",
  title: "week starting",
  axis: { labelAngle: -40 },
} as const;

/** A stacked bar per week, one colour per series. */
function stackedByWeek(rows: Row[], yTitle: string, order: string[]): TopLevelSpec {
  return {
    ...base(rows),
    mark: { type: "bar" },
    encoding: {
      x: weekAxis,
      y: { field: "value", type: "quantitative", title: yTitle, stack: "zero", axis: COUNT_AXIS },
      color: { field: "series", type: "nominal", sort: order, scale: { domain: order } },
      order: { field: "rank", type: "quantitative" },
    },
  } as TopLevelSpec;
}

/** Rows for a stacked chart: one per week and series, with the series' rank to keep stacks in order. */
function seriesRows(
  report: HealthReport,
  series: [string, (w: HealthReport["weeks"][number]) => number][],
): Row[] {
  return report.weeks.flatMap((w) =>
    series.map(([name, value], rank) => ({ week: w.week, series: name, value: value(w), rank })),
  );
}

function horizontalBars(rows: Row[], field: string, xTitle: string, color = PALETTE[0]!): TopLevelSpec {
  return {
    ...base(rows, Math.max(60, rows.length * 22)),
    mark: { type: "bar", color },
    encoding: {
      y: { field: "name", type: "nominal", sort: "-x", title: null },
      x: { field, type: "quantitative", title: xTitle, axis: COUNT_AXIS },
    },
  } as TopLevelSpec;
}

export async function reportCharts(report: HealthReport): Promise<Chart[]> {
  const charts: { id: string; title: string; caption: string; spec: TopLevelSpec }[] = [];
  const kinds = ["public rooms", "private rooms", "direct messages"];
  charts.push({
    id: "messages",
    title: "Where people talk",
    caption:
      "Messages per week in public rooms, private rooms and direct messages (as far as the export shows them).",
    spec: stackedByWeek(
      seriesRows(report, [
        [kinds[0]!, (w) => w.messages.public],
        [kinds[1]!, (w) => w.messages.private],
        [kinds[2]!, (w) => w.messages.direct],
      ]),
      "messages",
      kinds,
    ),
  });
  charts.push({
    id: "threads",
    title: "Replies in threads",
    caption:
      "Share of room messages that were thread replies, per week. Higher means channels stay readable.",
    spec: {
      ...base(
        report.weeks.map((w) => ({
          week: w.week,
          share: w.roomMessages ? w.threadReplies / w.roomMessages : null,
        })),
      ),
      mark: { type: "line", point: true },
      encoding: {
        x: weekAxis,
        y: {
          field: "share",
          type: "quantitative",
          title: "thread replies",
          axis: { format: "%" },
          scale: { domain: [0, 1] },
        },
      },
    } as TopLevelSpec,
  });
  charts.push({
    id: "rooms",
    title: "Rooms: top-level messages and thread replies",
    caption: "Messages per room over the whole period, split into channel messages and thread replies.",
    spec: {
      ...base(
        report.rooms.slice(0, 25).flatMap((r) => [
          { name: roomLabel(r), series: "in the channel", value: r.messages - r.threadReplies, rank: 0 },
          { name: roomLabel(r), series: "in threads", value: r.threadReplies, rank: 1 },
        ]),
        Math.max(60, Math.min(25, report.rooms.length) * 22),
      ),
      mark: { type: "bar" },
      encoding: {
        y: {
          field: "name",
          type: "nominal",
          title: null,
          sort: { field: "value", op: "sum", order: "descending" },
        },
        x: { field: "value", type: "quantitative", title: "messages", stack: "zero", axis: COUNT_AXIS },
        color: { field: "series", type: "nominal" },
        order: { field: "rank", type: "quantitative" },
      },
    } as TopLevelSpec,
  });
  const long = ["stayed in the channel", "moved to a thread"];
  charts.push({
    id: "long-conversations",
    title: "Long conversations in the channel",
    caption:
      "Back-and-forths of 6 or more channel messages (gaps under 10 minutes, 2+ people), and whether a thread was started on them.",
    spec: stackedByWeek(
      seriesRows(report, [
        [long[0]!, (w) => w.longConversations.stayed],
        [long[1]!, (w) => w.longConversations.moved],
      ]),
      "conversations",
      long,
    ),
  });
  const hours = ["during their working hours", "outside their working hours"];
  charts.push({
    id: "off-hours",
    title: "Mentions outside working hours",
    caption: "@-mentions of a person per week, by whether it was working time where the person lives.",
    spec: stackedByWeek(
      seriesRows(report, [
        [hours[0]!, (w) => w.mentions.inHours],
        [hours[1]!, (w) => w.mentions.offHours],
      ]),
      "mentions",
      hours,
    ),
  });
  charts.push({
    id: "broadcasts",
    title: "@channel and @here",
    caption: "Whole-room mentions per week (bars) and the people they notified (line, right axis).",
    spec: {
      ...base(
        report.weeks.map((w) => ({ week: w.week, count: w.broadcasts.count, reached: w.broadcasts.reached })),
      ),
      encoding: { x: weekAxis },
      layer: [
        {
          mark: { type: "bar", color: PALETTE[0] },
          encoding: {
            y: { field: "count", type: "quantitative", title: "@channel / @here", axis: COUNT_AXIS },
          },
        },
        {
          mark: { type: "line", color: PALETTE[1], point: true },
          encoding: {
            y: { field: "reached", type: "quantitative", title: "people notified", axis: COUNT_AXIS },
          },
        },
      ],
      resolve: { scale: { y: "independent" } },
    } as TopLevelSpec,
  });
  const questions = ["answered", "not answered"];
  charts.push({
    id: "questions",
    title: "Questions from other teams",
    caption: "Questions asked in a room by someone outside its team, per week, by whether anyone answered.",
    spec: stackedByWeek(
      seriesRows(report, [
        [questions[0]!, (w) => w.questions.answered],
        [questions[1]!, (w) => w.questions.asked - w.questions.answered],
      ]),
      "questions",
      questions,
    ),
  });
  const clocks = ["working hours", "clock hours"];
  charts.push({
    id: "first-answer",
    title: "Time to first answer",
    caption:
      "Median time from another team's question to its first answer, per week: in working hours, and on the clock.",
    spec: {
      ...base(
        report.weeks.flatMap((w) => [
          { week: w.week, series: clocks[0]!, hours: hoursOf(w.questions.medianMinutes) },
          { week: w.week, series: clocks[1]!, hours: hoursOf(w.questions.medianClockMinutes) },
        ]),
      ),
      mark: { type: "bar" },
      encoding: {
        x: weekAxis,
        xOffset: { field: "series", type: "nominal", sort: clocks },
        y: { field: "hours", type: "quantitative", title: "hours (median)" },
        color: {
          field: "series",
          type: "nominal",
          sort: clocks,
          scale: { domain: clocks, range: [PALETTE[2], PALETTE[7]] },
        },
      },
    } as TopLevelSpec,
  });
  charts.push({
    id: "responders",
    title: "Responder load",
    caption: "Who gave the first answer to other teams' questions, over the whole period.",
    spec: horizontalBars(
      report.responders.slice(0, 20).map((r) => ({ name: r.name, answers: r.answers })),
      "answers",
      "first answers",
      PALETTE[4],
    ),
  });
  const decisions = ["recorded", "decision language in chat"];
  charts.push({
    id: "decisions",
    title: "Decisions: recorded vs said",
    caption: "Decisions recorded with Outloud per week, beside messages that state a decision in words.",
    spec: {
      ...base(
        report.weeks.flatMap((w) => [
          { week: w.week, series: decisions[0]!, value: w.decisions.recorded },
          { week: w.week, series: decisions[1]!, value: w.decisions.language },
        ]),
      ),
      mark: { type: "bar" },
      encoding: {
        x: weekAxis,
        xOffset: { field: "series", type: "nominal", sort: decisions },
        y: { field: "value", type: "quantitative", title: "count", axis: COUNT_AXIS },
        color: { field: "series", type: "nominal", sort: decisions, scale: { domain: decisions } },
      },
    } as TopLevelSpec,
  });
  const nudgeKinds = report.nudgeKinds.length ? report.nudgeKinds : ["none"];
  charts.push({
    id: "nudges",
    title: "What Outloud's nudges would have said",
    caption: "Nudges the bot would have sent per week, by kind, had it been in these rooms.",
    spec: stackedByWeek(
      seriesRows(
        report,
        nudgeKinds.map(
          (k) => [k, (w) => w.nudges[k] ?? 0] as [string, (w: HealthReport["weeks"][number]) => number],
        ),
      ),
      "nudges",
      nudgeKinds,
    ),
  });
  const rendered: Chart[] = [];
  for (const c of charts)
    rendered.push({ id: c.id, title: c.title, caption: c.caption, svg: await renderSvg(c.spec) });
  return rendered;
}

function hoursOf(minutes: number | undefined): number | null {
  return minutes === undefined ? null : minutes / 60;
}

export function roomLabel(r: { name: string; visibility: string }): string {
  return r.visibility === "private" ? `${r.name} (private)` : `#${r.name}`;
}
