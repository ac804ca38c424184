/** Renders results as a plain-text table (terminal) and as a Markdown table (docs/PERFORMANCE.md). */
import type { BenchResult } from "./types.js";

const HEADER = ["benchmark", "measure", "baseline", "subject", "ratio", "target", "ok"];

function cells(results: BenchResult[]): string[][] {
  const rows: string[][] = [];
  for (const r of results) {
    r.rows.forEach((row, i) => {
      rows.push([
        i === 0 ? r.name : "",
        row.measure,
        row.baseline ?? "",
        row.subject,
        row.ratio ?? "",
        row.target ?? "",
        row.met === undefined ? "" : row.met ? "yes" : "NO",
      ]);
    });
  }
  return rows;
}

export function textTable(results: BenchResult[]): string {
  const rows = [HEADER, ...cells(results)];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join("  ")
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

export function markdownTable(results: BenchResult[]): string {
  const escapeCell = (s: string) => s.replace(/\|/g, "\\|");
  const line = (r: string[]) => `| ${r.map(escapeCell).join(" | ")} |`;
  return [line(HEADER), line(HEADER.map(() => "---")), ...cells(results).map(line)].join("\n");
}

/** Readable numbers: 12,345 / 1,234.5 / 12.35. */
export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "n/a";
  return n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtRatio(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}×` : "n/a";
}

export function fmtMiB(bytes: number): string {
  return `${fmt(bytes / 2 ** 20, 0)} MiB`;
}
