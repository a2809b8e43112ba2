// Opens the report pages in Debian's chromium from file:// and checks the d3 charts drew
// (one line per profile / timeout range), with no network access and no script errors.
// Screenshots go to test-artifacts/. Skips loudly when /usr/bin/chromium is absent.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchmarkHtml } from "./benchmark/render";
import { runBenchmark } from "./benchmark/run";
import { runFigure16 } from "./elections/figure16";
import { electionsHtml } from "./elections/render";
import { latencyHtml } from "./latency/render";
import { buildChartsBundle, syntheticLatencyResult } from "./testing";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`\n*** SKIPPING report browser tests: ${CHROMIUM} is absent (apt-get install -y chromium) ***\n`);

const dir = mkdtempSync(join(tmpdir(), "raftsim-report-"));
let browser: Browser;
let js: string;

async function openPage(name: string, html: string, shot: string) {
  const path = join(dir, `${name}.html`);
  writeFileSync(path, html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => !r.url().startsWith("file:") && !r.url().startsWith("data:") && problems.push(`network: ${r.url()}`));
  await page.goto(pathToFileURL(path).href);
  await page.waitForFunction(() => document.body.dataset.charts !== "loading", null, { timeout: 15_000 });
  mkdirSync("test-artifacts", { recursive: true });
  await page.screenshot({ path: join("test-artifacts", shot), fullPage: true });
  return { page, problems };
}

describe.skipIf(!haveChromium)("report pages in chromium", () => {
  beforeAll(async () => {
    js = await buildChartsBundle();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  }, 30_000);
  afterAll(async () => browser?.close());

  it("latency: one CDF per operation type, one line per disk, tables escaped", async () => {
    const { page, problems } = await openPage("latency", latencyHtml(syntheticLatencyResult({ nvme: 0.2, ssd: 1, hdd: 12 }), js), "report-latency.png");
    expect(await page.evaluate(() => document.body.dataset.charts)).toBe("ready");
    const charts = await page.$$eval(".chart svg", (svgs) => svgs.map((s) => ({ title: s.getAttribute("aria-label"), lines: s.querySelectorAll("path.series").length })));
    expect(charts.map((c) => c.title)).toEqual(["put: latency CDF per disk", "range: latency CDF per disk", "rangeSerializable: latency CDF per disk", "txn: latency CDF per disk"]);
    for (const c of charts) expect(c.lines).toBe(3);
    // A series path has real geometry, not an empty "d".
    const d = await page.$eval("path.series", (p) => p.getAttribute("d") ?? "");
    expect(d.length).toBeGreaterThan(100);
    expect(await page.$$eval("b", (b) => b.length)).toBe(0); // the workload text is escaped
    expect(problems).toEqual([]);
  }, 30_000);

  it("elections: two panels of CDFs, one line per timeout range", async () => {
    const result = runFigure16({ trials: 20, seed: 1, ablation: false });
    const { page, problems } = await openPage("elections", electionsHtml(result, js), "report-elections.png");
    const lines = await page.$$eval(".chart svg", (svgs) => svgs.map((s) => s.querySelectorAll("path.series").length));
    expect(lines).toEqual([6, 5]);
    expect(await page.$$eval("table", (t) => t.length)).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
  }, 30_000);

  it("benchmark: one CDF line per published row with its published average marked, cost bars, no script errors", async () => {
    const result = runBenchmark({ seed: 1, requests: 200 });
    const { page, problems } = await openPage("benchmark", benchmarkHtml(result, js), "report-benchmark.png");
    expect(await page.evaluate(() => document.body.dataset.charts)).toBe("ready");
    const chart = await page.$eval(".chart svg", (svg) => ({ lines: svg.querySelectorAll("path.series").length, markers: Array.from(svg.querySelectorAll(".marker-label")).map((t) => t.textContent) }));
    expect(chart.lines).toBe(3);
    expect(chart.markers).toEqual(["put 1.6 ms", "linearizable 0.7 ms", "serializable 0.3 ms"]);
    // Six bars (simulated + published per row); the put's simulated bar has a visible fsync segment.
    expect(await page.$$eval(".bar-row", (rows) => rows.length)).toBe(6);
    const putSegments = await page.$$eval(".bar-row", (rows) => Array.from(rows[0]!.querySelectorAll(".seg")).map((s) => s.getBoundingClientRect().width));
    expect(putSegments.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...putSegments)).toBeGreaterThan(50);
    expect(await page.$$eval("table", (t) => t.length)).toBe(2);
    expect(problems).toEqual([]);
  }, 60_000);
});
