// Times the linearizability checker on every history in the porcupine data folder:
// per file and in total, median of 5 runs (parsing excluded; one warm-up run first).
// Usage: npm run bench:checker [-- DATA_DIR]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { checkHistory } from "../checker/check";
import { loadHistory } from "../checker/parsers/detect";

const dataDir = process.argv[2] ?? "/work/shared/data/porcupine";
const RUNS = 5;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (/\.(log|txt|edn|json)$/.test(name) && name !== "expected.json") out.push(path);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const files = listFiles(dataDir).map((path) => ({ path, loaded: loadHistory(readFileSync(path, "utf8"), path) }));
const rows: { file: string; ops: number; verdict: string; ms: number }[] = [];
const totals: number[] = [];
const cpuTotals: number[] = []; // CPU ms of this process: less sensitive to other load on a shared machine
for (const f of files) checkHistory(f.loaded.history, f.loaded.model); // warm-up (JIT)
const perFile = files.map(() => [] as number[]);
let verdicts: string[] = [];
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  verdicts = files.map((f, i) => {
    const s = performance.now();
    const v = checkHistory(f.loaded.history, f.loaded.model).verdict;
    perFile[i]!.push(performance.now() - s);
    return v;
  });
  totals.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpuTotals.push((c.user + c.system) / 1000);
}
files.forEach((f, i) => rows.push({ file: f.path.slice(dataDir.length + 1), ops: f.loaded.history.operations.length, verdict: verdicts[i]!, ms: median(perFile[i]!) }));
for (const r of rows) console.log(`${r.file.padEnd(28)} ${String(r.ops).padStart(6)} ops  ${r.verdict.padEnd(17)} ${r.ms.toFixed(2).padStart(9)} ms`);
const etcd = rows.filter((r) => r.file.startsWith("jepsen-etcd/"));
console.log(`jepsen-etcd: ${etcd.length} files, sum of per-file medians ${etcd.reduce((a, r) => a + r.ms, 0).toFixed(1)} ms`);
console.log(`TOTAL (${files.length} files, median of ${RUNS} runs): ${median(totals).toFixed(1)} ms wall, ${median(cpuTotals).toFixed(1)} ms CPU (min wall ${Math.min(...totals).toFixed(1)} ms)`);
