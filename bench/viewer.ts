// `npm run bench:viewer`: the viewer on a trace of >= 100,000 events in headless chromium.
// Prints the median over several page loads of (a) time to first render, from navigation
// to the first drawn frame, and (b) frames per second while scrubbing the mini-map across
// the whole run, driven by real pointer events, one per animation frame. Targets: first
// render < 2 s, scrubbing >= 30 frames/s.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { findBundle, selfContainedPage } from "../viewer/serve";
import { syntheticTrace, toNdjson } from "../viewer/testing/synthetic";
import { fmt, median } from "./stats";

const CHROMIUM = "/usr/bin/chromium";
const RUNS = Number(process.env.RUNS ?? 5);
const SCRUB_FRAMES = 240;

if (!existsSync(CHROMIUM)) {
  console.warn(`bench:viewer: ${CHROMIUM} is absent (apt-get install -y chromium); skipping`);
  process.exit(0);
}
execFileSync("node", ["build.mjs"], { stdio: "inherit" });
const trace = syntheticTrace({ nodes: 5, durationUs: 60_000_000, opIntervalUs: 9_000, clients: 8, failing: true });
const events = trace.events.length;
const dir = mkdtempSync(join(tmpdir(), "raftsim-bench-viewer-"));
const pagePath = join(dir, "bench.html");
writeFileSync(pagePath, selfContainedPage(toNdjson(trace), "bench.ndjson", readFileSync(findBundle(), "utf8")));
console.log(`trace: ${fmt(events)} events, ${trace.header.config && (trace.header.config as { nodes: number }).nodes} nodes, 60 s simulated; page ${fmt(statSync(pagePath).size / 1e6, 1)} MB (self-contained)`);
if (events < 100_000) throw new Error(`the bench trace must have >= 100,000 events, has ${events}`);

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
const rows: { firstRenderMs: number; parseMs: number; modelMs: number; fpsDefault: number; fpsWide: number; p95FrameMs: number }[] = [];

/** Scrubs across the run in the page: one pointermove on the mini-map per animation frame. */
async function scrub(page: import("playwright-core").Page, viewSpanUs: number | null): Promise<{ fps: number; p95FrameMs: number }> {
  return page.evaluate(
    async ({ frames, viewSpanUs }) => {
      const store = window.__viewer!.store;
      if (viewSpanUs !== null) store.state.viewSpanUs = viewSpanUs;
      const canvas = document.getElementById("minimap") as HTMLCanvasElement;
      const rect = canvas.getBoundingClientRect();
      const at = (i: number) => ({ clientX: rect.left + 1 + ((rect.width - 2) * i) / frames, clientY: rect.top + rect.height / 2, pointerId: 1, bubbles: true });
      canvas.dispatchEvent(new PointerEvent("pointerdown", at(0)));
      const frames0 = store.frames;
      const frameMs: number[] = [];
      const t0 = performance.now();
      for (let i = 1; i <= frames; i++) {
        canvas.dispatchEvent(new PointerEvent("pointermove", at(i)));
        await new Promise((r) => requestAnimationFrame(r));
        frameMs.push(store.lastFrameMs);
      }
      // Let the last requested frame draw before stopping the clock.
      await new Promise((r) => requestAnimationFrame(r));
      const elapsedMs = performance.now() - t0;
      canvas.dispatchEvent(new PointerEvent("pointerup", at(frames)));
      frameMs.sort((a, b) => a - b);
      return { fps: ((store.frames - frames0) / elapsedMs) * 1000, p95FrameMs: frameMs[Math.floor(frameMs.length * 0.95)]! };
    },
    { frames: SCRUB_FRAMES, viewSpanUs },
  );
}

for (let run = 0; run < RUNS; run++) {
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  // tsx compiles with keepNames: functions passed to page.evaluate call a __name helper.
  await page.addInitScript({ content: "window.__name = (f) => f;" });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(pathToFileURL(pagePath).href);
  await page.waitForFunction(() => document.body.dataset.state !== "loading", null, { timeout: 60_000 });
  if (errors.length || (await page.evaluate(() => document.body.dataset.state)) !== "ready") throw new Error(`viewer did not render: ${errors.join("; ")}`);
  // readyAtMs is performance.now() at the first frame: time since navigation started.
  const load = await page.evaluate(() => ({ readyAtMs: window.__viewer!.readyAtMs, ...window.__viewer!.loadMs }));
  const d = await scrub(page, null); // the default 2 s window
  const w = await scrub(page, 20_000_000); // a 20 s window: ~1/3 of the run's arrows on screen
  rows.push({ firstRenderMs: load.readyAtMs, parseMs: load.parse, modelMs: load.model, fpsDefault: d.fps, fpsWide: w.fps, p95FrameMs: Math.max(d.p95FrameMs, w.p95FrameMs) });
  await page.close();
}
await browser.close();

const m = (k: keyof (typeof rows)[number]) => median(rows.map((r) => r[k]));
console.log(`runs: ${RUNS} page loads (median shown), headless chromium ${CHROMIUM}`);
console.log(`first render:            ${fmt(m("firstRenderMs"))} ms   (fetch+parse ${fmt(m("parseMs"))} ms, model ${fmt(m("modelMs"))} ms)   target < 2000 ms  ${m("firstRenderMs") < 2000 ? "OK" : "MISSED"}`);
console.log(`scrub, 2 s window:       ${fmt(m("fpsDefault"), 1)} frames/s   target >= 30  ${m("fpsDefault") >= 30 ? "OK" : "MISSED"}`);
console.log(`scrub, 20 s window:      ${fmt(m("fpsWide"), 1)} frames/s   target >= 30  ${m("fpsWide") >= 30 ? "OK" : "MISSED"}`);
console.log(`p95 frame draw time:     ${fmt(m("p95FrameMs"), 1)} ms`);
console.log(JSON.stringify({ events, runs: RUNS, firstRenderMs: Math.round(m("firstRenderMs")), scrubFps: Number(m("fpsDefault").toFixed(1)), scrubFpsWide: Number(m("fpsWide").toFixed(1)), p95FrameMs: Number(m("p95FrameMs").toFixed(2)) }));
