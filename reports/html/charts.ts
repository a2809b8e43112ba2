// Browser entry (bundled by build.mjs with d3 and inlined into report pages): draws every
// ChartSpec found in the page's JSON data element as an SVG line chart, then marks the
// body `data-charts="ready"` (or "error") so a test or a screenshot knows when it is done.
import { axisBottom, axisLeft, line, scaleLinear, scaleLog, scaleOrdinal, schemeTableau10, select } from "d3";
import { CHART_DATA_ID, type ChartSpec } from "./chart-spec";

const WIDTH = 560;
const HEIGHT = 320;
const MARGIN = { top: 28, right: 16, bottom: 44, left: 56 };

function draw(container: HTMLElement, spec: ChartSpec): void {
  const all = spec.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]).filter((x) => !spec.xLog || x > 0);
  const xMin = xs.length ? Math.min(...xs) : 1;
  const xMax = xs.length ? Math.max(...xs) : 10;
  const x = spec.xLog
    ? scaleLog().domain([Math.max(1e-3, xMin * 0.9), Math.max(xMin * 1.1, xMax * 1.1)]).range([MARGIN.left, WIDTH - MARGIN.right])
    : scaleLinear().domain([0, xMax * 1.05 || 1]).range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear().domain([0, 1]).range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const color = scaleOrdinal<string, string>(schemeTableau10).domain(spec.series.map((s) => s.name));

  const svg = select(container).append("svg").attr("viewBox", `0 0 ${WIDTH} ${HEIGHT}`).attr("width", WIDTH).attr("height", HEIGHT).attr("role", "img").attr("aria-label", spec.title);
  svg.append("text").attr("x", MARGIN.left).attr("y", 16).attr("class", "chart-title").text(spec.title);
  svg
    .append("g")
    .attr("transform", `translate(0,${HEIGHT - MARGIN.bottom})`)
    .call(axisBottom(x).ticks(6, spec.xLog ? "~g" : undefined));
  svg
    .append("g")
    .attr("transform", `translate(${MARGIN.left},0)`)
    .call(axisLeft(y).ticks(5).tickFormat((v) => (spec.yPercent ? `${Math.round(Number(v) * 100)}%` : String(v))));
  svg.append("text").attr("x", (MARGIN.left + WIDTH - MARGIN.right) / 2).attr("y", HEIGHT - 8).attr("text-anchor", "middle").attr("class", "axis-label").text(spec.xLabel);
  svg.append("text").attr("transform", `translate(14,${(MARGIN.top + HEIGHT - MARGIN.bottom) / 2}) rotate(-90)`).attr("text-anchor", "middle").attr("class", "axis-label").text(spec.yLabel);

  (spec.markers ?? []).forEach((m, i) => {
    if (spec.xLog && m.x <= 0) return;
    const px = x(m.x);
    svg.append("line").attr("x1", px).attr("x2", px).attr("y1", MARGIN.top).attr("y2", HEIGHT - MARGIN.bottom).attr("class", "marker");
    // Staggered from the bottom up so neighbouring labels and the legend (top right) stay readable.
    svg.append("text").attr("x", px + 3).attr("y", HEIGHT - MARGIN.bottom - 6 - i * 13).attr("class", "marker-label").text(m.label);
  });

  // A CDF is a step function: draw it as steps so the tail is not smoothed away.
  const path = line<[number, number]>()
    .x((p) => x(spec.xLog ? Math.max(p[0], x.domain()[0]!) : p[0]))
    .y((p) => y(p[1]));
  spec.series.forEach((s, i) => {
    const pts = s.points.filter((p) => !spec.xLog || p[0] > 0);
    const steps: [number, number][] = [];
    let prevY = 0;
    for (const p of pts) {
      steps.push([p[0], prevY], p);
      prevY = p[1];
    }
    svg.append("path").attr("d", path(steps) ?? "").attr("fill", "none").attr("stroke", color(s.name)).attr("stroke-width", 1.8).attr("class", "series");
    const ly = MARGIN.top + 14 + i * 16;
    const lx = WIDTH - MARGIN.right - 150;
    svg.append("rect").attr("x", lx).attr("y", ly - 9).attr("width", 12).attr("height", 3).attr("fill", color(s.name));
    svg.append("text").attr("x", lx + 16).attr("y", ly - 5).attr("class", "legend").text(s.name);
  });
}

function main(): void {
  try {
    const el = document.getElementById(CHART_DATA_ID);
    if (!el) throw new Error("no chart data in the page");
    const specs = JSON.parse(el.textContent ?? "[]") as ChartSpec[];
    for (const spec of specs) {
      const container = document.getElementById(`chart-${spec.id}`);
      if (container) draw(container, spec);
    }
    document.body.dataset.charts = "ready";
  } catch (error) {
    document.body.dataset.charts = "error";
    document.body.insertAdjacentHTML("afterbegin", `<p class="error"></p>`);
    document.querySelector(".error")!.textContent = `charts failed: ${(error as Error).message}`;
    throw error;
  }
}

main();
