import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { scriptString } from "./html";
import { ViewerInputError, openViewer, readTrace } from "./serve";
import { syntheticTrace, toNdjson } from "./testing/synthetic";

const dir = mkdtempSync(join(tmpdir(), "raftsim-view-"));
const goodPath = join(dir, "good.ndjson");
const badPath = join(dir, "bad.ndjson");

beforeAll(() => {
  // The CLI and the viewer bundle are what users run: build them once.
  if (!existsSync("dist/viewer/viewer.js") || !existsSync("dist/raftsim.mjs")) execFileSync("node", ["build.mjs"], { stdio: "inherit" });
  writeFileSync(goodPath, toNdjson(syntheticTrace({ nodes: 3, durationUs: 2_000_000, key: "</script><script>alert(1)</script>" })));
  writeFileSync(badPath, '{"type":"header","formatVersion":1,"seed":1,"scenario":"s","config":{}}\n{"type":"send","tUs":1,"msgId":1}\n');
});

describe("scriptString", () => {
  it("cannot close the script tag and round-trips the text", () => {
    const text = 'a</script><script>alert(1)</script>\u2028<!-- "q" \\';
    const literal = scriptString(text);
    expect(literal).not.toMatch(/<\/script|<!--|\u2028/i);
    expect(new Function(`return ${literal};`)()).toBe(text);
  });
});

describe("openViewer", () => {
  it("writes one self-contained page with the trace inlined safely, atomically", async () => {
    const out = join(dir, "run.html");
    const opened = await openViewer(goodPath, { out });
    expect(opened.out).toBe(out);
    const html = readFileSync(out, "utf8");
    expect(html).toContain("window.__RAFTSIM_TRACE__ =");
    // The only script tags are the page's own: the key's "</script><script>" stayed inside the string.
    expect(html.match(/<script/gi)!.length).toBe(2);
    // Nothing is loaded from elsewhere (the bundle's strings may mention URLs; no tag does).
    expect(/<(script|link|img)[^>]*(src|href)="(?!data:)/i.test(html)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses a malformed trace and an unwritable output without leaving files", async () => {
    await expect(openViewer(badPath, { out: join(dir, "bad.html") })).rejects.toThrow(/bad\.ndjson: line 2: expected "from" \(number\) in the send event/);
    expect(existsSync(join(dir, "bad.html"))).toBe(false);
    await expect(openViewer(goodPath, { out: join(dir, "no-such-dir", "x.html") })).rejects.toBeInstanceOf(ViewerInputError);
    expect(() => readTrace(join(dir, "missing.ndjson"))).toThrow(/cannot read the trace \(ENOENT\)/);
  });

  it("serves the page, bundle and trace on 127.0.0.1 only", async () => {
    const opened = await openViewer(goodPath, {});
    try {
      expect(opened.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(opened.url!);
      expect(page.headers.get("content-type")).toMatch(/text\/html/);
      expect(await page.text()).toContain('src="viewer.js"');
      expect((await fetch(new URL("trace.ndjson", opened.url))).status).toBe(200);
      expect((await fetch(new URL("viewer.js", opened.url))).status).toBe(200);
      expect((await fetch(new URL("../etc/passwd", opened.url))).status).toBe(404);
    } finally {
      await opened.close();
    }
  });
});

describe("raftsim view (bundled CLI)", () => {
  it("gives one clear line and exit 2 for a malformed trace", () => {
    const r = spawnSync("node", ["bin/raftsim.mjs", "view", badPath, "--out", join(dir, "x.html")], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^raftsim: view: .*bad\.ndjson: line 2: expected "from"/);
  });

  it("writes --out and reports it in --json", () => {
    const out = join(dir, "cli.html");
    const r = spawnSync("node", ["bin/raftsim.mjs", "view", goodPath, "--out", out, "--json"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ trace: goodPath, out });
    expect(existsSync(out)).toBe(true);
  });
});
