// Fails if the simulated world reaches for real time, real randomness or timers.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..");
const DIRS = ["core", "sim", "scenarios", "checker"];
const FORBIDDEN = /\bDate\.now\b|\bnew Date\b|\bDate\(|\bMath\.random\b|\bsetTimeout\b|\bsetInterval\b|\bsetImmediate\b|\bperformance\.now\b|\bprocess\.hrtime\b|\bcrypto\.random|\brandomBytes\b|\brandomUUID\b|\bgetRandomValues\b|from "node:perf_hooks"|from "perf_hooks"/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    // Tests may spawn the CLI and wait on it; test-only support (*.testkit.ts) is held to the
    // rule like the product. What drives real processes (the real etcd of the conformance
    // suite) lives outside these folders, in conformance/.
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

export function findNondeterminism(files: string[]): string[] {
  const hits: string[] = [];
  for (const file of files) {
    readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      if (FORBIDDEN.test(code)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  return hits;
}

describe("determinism rule", () => {
  it("core/, sim/, scenarios/, checker/ use no Date, Math.random, timers, performance.now, hrtime or crypto randomness", () => {
    const files = DIRS.flatMap((d) => sources(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(10);
    expect(findNondeterminism(files)).toEqual([]);
  });

  it("no source under the rule imports a *.testkit module (test-only code stays out of the product)", () => {
    const files = DIRS.flatMap((d) => sources(join(ROOT, d)));
    const importing = files.filter((f) => /from "[^"]*\.testkit"/.test(readFileSync(f, "utf8")));
    expect(importing).toEqual([]);
  });

  it("the scan catches each forbidden call (it can fail)", () => {
    const { writeFileSync, mkdtempSync } = require("node:fs") as typeof import("node:fs");
    const dir = mkdtempSync(join(require("node:os").tmpdir(), "nd-"));
    const samples = ["Date.now()", "new Date()", "Math.random()", "setTimeout(f, 1)", "setInterval(f, 1)", "setImmediate(f)", "performance.now()", "process.hrtime()", "crypto.randomUUID()"];
    samples.forEach((s, i) => writeFileSync(join(dir, `s${i}.ts`), `const x = ${s};\n`));
    expect(findNondeterminism(samples.map((_, i) => join(dir, `s${i}.ts`))).length).toBe(samples.length);
  });
});
