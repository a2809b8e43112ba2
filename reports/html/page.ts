// A self-contained report page: header, prose and tables rendered here (escaped), chart
// specs as JSON, and the d3 chart bundle inlined, so the file opens from file:// with no
// network access.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CHART_DATA_ID, type ChartSpec } from "./chart-spec";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** JSON safe inside a <script> element: no "</script>" or "<!--" can end it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export interface Table {
  caption?: string;
  head: string[];
  rows: (string | number)[][];
  /** Per-row CSS class, e.g. "ok" / "gap". */
  rowClass?: (string | undefined)[];
}

export function renderTable(t: Table): string {
  const head = t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const rows = t.rows
    .map((r, i) => {
      const cls = t.rowClass?.[i];
      return `<tr${cls ? ` class="${escapeHtml(cls)}"` : ""}>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join("")}</tr>`;
    })
    .join("\n");
  return `<table>${t.caption ? `<caption>${escapeHtml(t.caption)}</caption>` : ""}<thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/** Horizontal stacked bars drawn with plain HTML/CSS (no script): one bar per row, segments in order. */
export interface Bars {
  caption: string;
  unit: string;
  /** Segment names, in stacking order, with their colours. */
  legend: { name: string; color: string }[];
  rows: { label: string; segments: number[] }[];
}

export function renderBars(b: Bars): string {
  const max = Math.max(1e-9, ...b.rows.map((r) => r.segments.reduce((a, v) => a + v, 0)));
  const legend = b.legend.map((l) => `<span class="legend-item"><i style="background:${escapeHtml(l.color)}"></i>${escapeHtml(l.name)}</span>`).join("");
  const rows = b.rows
    .map((r) => {
      const total = r.segments.reduce((a, v) => a + v, 0);
      const segs = r.segments
        .map((v, i) => (v > 0 ? `<span class="seg" style="width:${((100 * v) / max).toFixed(3)}%;background:${escapeHtml(b.legend[i]!.color)}" title="${escapeHtml(`${b.legend[i]!.name}: ${v.toFixed(3)} ${b.unit}`)}"></span>` : ""))
        .join("");
      return `<div class="bar-row"><span class="bar-label">${escapeHtml(r.label)}</span><span class="bar">${segs}</span><span class="bar-total">${escapeHtml(`${total.toFixed(2)} ${b.unit}`)}</span></div>`;
    })
    .join("\n");
  return `<figure class="bars"><figcaption>${escapeHtml(b.caption)}</figcaption><div class="bar-legend">${legend}</div>${rows}</figure>`;
}

export type Block = { kind: "h2"; text: string } | { kind: "p"; text: string } | { kind: "table"; table: Table } | { kind: "charts"; ids: string[] } | { kind: "bars"; bars: Bars };

export interface PageInput {
  title: string;
  subtitle: string;
  blocks: Block[];
  charts: ChartSpec[];
  /** The chart bundle's JavaScript (findChartsBundle / buildChartsBundle). */
  chartsJs: string;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1220px;padding:0 16px;color:#1d2330;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
.subtitle{color:#5b6475;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid #dde2ea;padding:4px 10px;text-align:right}th{background:#f3f5f9}
td:first-child,th:first-child{text-align:left}
tr.ok td{background:#eefaf0}tr.gap td{background:#fff6e5}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.chart{border:1px solid #e3e7ee;border-radius:6px;padding:4px}
.chart-title{font-weight:600;font-size:13px}.axis-label,.legend,.marker-label{font-size:11px;fill:#333}
.marker{stroke:#c0392b;stroke-dasharray:4 3}.marker-label{fill:#c0392b}
.error{color:#b00020;font-weight:600}
.bars{margin:8px 0 16px;max-width:1000px}.bars figcaption{font-weight:600;padding:4px 0}
.bar-legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;margin-bottom:6px}.legend-item i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px}
.bar-row{display:flex;align-items:center;gap:8px;margin:3px 0}.bar-label{width:230px;font-size:12px}.bar{flex:1;display:flex;height:18px;background:#f3f5f9}
.seg{display:block;height:100%}.bar-total{width:80px;font-size:12px;text-align:right;font-variant-numeric:tabular-nums}
`;

export function renderPage(input: PageInput): string {
  const body = input.blocks
    .map((b) => {
      switch (b.kind) {
        case "h2":
          return `<h2>${escapeHtml(b.text)}</h2>`;
        case "p":
          return `<p>${escapeHtml(b.text)}</p>`;
        case "table":
          return renderTable(b.table);
        case "bars":
          return renderBars(b.bars);
        case "charts":
          return `<div class="charts">${b.ids.map((id) => `<div class="chart" id="chart-${escapeHtml(id)}"></div>`).join("")}</div>`;
      }
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<style>${CSS}</style></head>
<body data-charts="loading">
<h1>${escapeHtml(input.title)}</h1>
<p class="subtitle">${escapeHtml(input.subtitle)}</p>
${body}
<script type="application/json" id="${CHART_DATA_ID}">${scriptJson(input.charts)}</script>
<script>${input.chartsJs.replace(/<\/script/gi, "<\\/script")}</script>
</body></html>
`;
}

/** The chart bundle built by build.mjs: next to the bundled CLI, or under dist/ from source. */
export function findChartsBundle(): string | undefined {
  const candidates = [new URL("./reports/charts.js", import.meta.url), new URL("../../dist/reports/charts.js", import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  return found === undefined ? undefined : readFileSync(found, "utf8");
}
