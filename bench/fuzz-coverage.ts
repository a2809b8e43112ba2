// `npm run bench:coverage`: what a fuzz campaign reaches, and what it never does. Runs
// exactly `raftsim fuzz --runs N --seed S --workers 1` (the bundled CLI, so the code measured
// is the code users run) under V8's block coverage, maps every block that never ran back to
// its TypeScript line through the bundle's source map, and prints, per source file of the
// store and the simulated world, how many such blocks there are (`--list` prints them).
// A path of the store that no run takes is a blind spot of the fuzzer: this is how the
// request shapes of scenarios/workload/kv-requests.ts ("full") were chosen.
//
//   npm run bench:coverage [-- --runs 400] [--seed 77] [--cycles N] [--only core/server/] [--list] [--json]
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { decodeMappings, type SourceMap } from "./source-map";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const runs = Number(flag("runs") ?? 400);
const seed = Number(flag("seed") ?? 77);
const cycles = flag("cycles");
const only = flag("only") ?? "";
const list = process.argv.includes("--list");
const json = process.argv.includes("--json");
/** The layers whose blind spots matter; the CLI, checker and reports are not the system under test. */
const LAYERS = ["core/", "sim/"];

const cliPath = resolve("dist/raftsim.mjs");
/** The CLI hands runs to a worker thread (even one), which loads this bundle: the code measured. */
const bundlePath = resolve("dist/fuzz-worker.mjs");
for (const path of [cliPath, bundlePath]) {
  if (!existsSync(path) || !existsSync(`${path}.map`)) {
    console.error(`bench:coverage: ${path}(.map) missing: run \`npm run build\` first`);
    process.exit(2);
  }
}
const coverageDir = mkdtempSync(join(tmpdir(), "raftsim-coverage-"));
try {
  const args = [cliPath, "fuzz", "--runs", String(runs), "--seed", String(seed), "--workers", "1", "--max-failures", "0", "--out", join(coverageDir, "failures"), ...(cycles ? ["--cycles", cycles] : [])];
  if (!json) console.error(`fuzz-coverage: raftsim fuzz --runs ${runs} --seed ${seed}${cycles ? ` --cycles ${cycles}` : ""} --workers 1, under V8 block coverage…`);
  const fuzz = spawnSync(process.execPath, args, { env: { ...process.env, NODE_V8_COVERAGE: coverageDir }, encoding: "utf8" });
  if (fuzz.status !== 0 && fuzz.status !== 1) {
    console.error(`fuzz-coverage: raftsim fuzz exited ${fuzz.status}: ${fuzz.stderr.trim().split("\n").at(-1)}`);
    process.exit(2);
  }
  const summary = fuzz.stdout.trim().split("\n").at(-1) ?? "";

  const bundle = readFileSync(bundlePath, "utf8");
  const map = JSON.parse(readFileSync(`${bundlePath}.map`, "utf8")) as SourceMap;
  const locate = decodeMappings(bundle, map);
  const neverRun = new Map<string, Set<string>>(); // source file -> "line-line text"
  let measured = false;
  for (const file of readdirSync(coverageDir).filter((f) => f.endsWith(".json"))) {
    const coverage = JSON.parse(readFileSync(join(coverageDir, file), "utf8")) as { result: { url: string; functions: { functionName: string; ranges: { startOffset: number; endOffset: number; count: number }[] }[] }[] };
    for (const script of coverage.result) {
      if (!script.url.endsWith("dist/fuzz-worker.mjs")) continue;
      measured = true;
      for (const fn of script.functions) {
        fn.ranges.forEach((range, i) => {
          if (range.count !== 0) return;
          const from = locate(range.startOffset);
          const to = locate(Math.max(range.startOffset, range.endOffset - 1));
          if (!from || !LAYERS.some((l) => from.source.startsWith(l)) || !from.source.startsWith(only)) return;
          const text = bundle.slice(range.startOffset, Math.min(range.endOffset, range.startOffset + 80)).replace(/\s+/g, " ");
          const where = `${from.line}${to && to.source === from.source && to.line !== from.line ? `-${to.line}` : ""}`;
          const blocks = neverRun.get(from.source) ?? new Set<string>();
          blocks.add(`${where} ${i === 0 ? `[function ${fn.functionName || "(anonymous)"}] ` : ""}${text}`);
          neverRun.set(from.source, blocks);
        });
      }
    }
  }
  if (!measured) {
    console.error("bench:coverage: no coverage of dist/fuzz-worker.mjs was written (did the fuzz run start a worker?)");
    process.exit(2);
  }
  const files = [...neverRun.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = files.reduce((n, [, b]) => n + b.size, 0);
  if (json) {
    console.log(JSON.stringify({ runs, seed, cycles: cycles ? Number(cycles) : 1, fuzz: summary, neverRunBlocks: total, byFile: Object.fromEntries(files.map(([f, b]) => [f, list ? [...b].sort() : b.size])) }));
  } else {
    console.log(`fuzz: ${summary}`);
    for (const [file, blocks] of files) {
      console.log(`${String(blocks.size).padStart(4)}  ${file}`);
      if (list) for (const b of [...blocks].sort((x, y) => parseInt(x) - parseInt(y))) console.log(`        ${file}:${b}`);
    }
    console.log(`${total} blocks of ${only || LAYERS.join(" and ")} never ran in ${runs} runs (error paths and assertion messages included: most of them should never run)`);
  }
} finally {
  rmSync(coverageDir, { recursive: true, force: true });
}
