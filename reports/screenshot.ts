// Screenshots a report page's figures for the README with Debian's chromium (never a
// downloaded browser): `npx tsx reports/screenshot.ts REPORT.html OUT.png [SELECTOR...]`.
// The picture is the smallest box around every element the selectors match (default: the
// charts), taken once the page's charts have drawn.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

async function main(): Promise<number> {
  const [html, out, ...selectors] = process.argv.slice(2);
  if (!html || !out) {
    process.stderr.write("usage: tsx reports/screenshot.ts REPORT.html OUT.png [SELECTOR...]\n");
    return 2;
  }
  if (!existsSync(html)) {
    process.stderr.write(`screenshot: ${html}: no such file\n`);
    return 2;
  }
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`screenshot: ${CHROMIUM} is missing (apt-get install -y chromium)\n`);
    return 2;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(resolve(html)).href);
    await page.waitForFunction(() => document.body.dataset.charts !== "loading", null, { timeout: 15_000 });
    if ((await page.evaluate(() => document.body.dataset.charts)) !== "ready") throw new Error("the page's charts failed to draw");
    const boxes = [];
    for (const sel of selectors.length > 0 ? selectors : [".charts"]) {
      for (const el of await page.$$(sel)) {
        const b = await el.boundingBox();
        if (b) boxes.push(b);
      }
    }
    if (boxes.length === 0) throw new Error(`nothing matches ${selectors.join(", ") || ".charts"}`);
    const pad = 8;
    const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
    const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
    const width = Math.max(...boxes.map((b) => b.x + b.width)) + pad - x;
    const height = Math.max(...boxes.map((b) => b.y + b.height)) + pad - y;
    await page.screenshot({ path: out, clip: { x, y, width, height }, fullPage: true });
    process.stderr.write(`wrote ${out} (${Math.round(width)}×${Math.round(height)})\n`);
    return 0;
  } finally {
    await browser.close();
  }
}

main().then((code) => (process.exitCode = code), (error: unknown) => {
  process.stderr.write(`screenshot: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
