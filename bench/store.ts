// The simulated 3-node etcd cluster under the kv-mixed workload at 1,000 ops/s: put and
// range throughput as clients see it, and simulated-time / wall-time ratio. Median of 5.
import { performance } from "node:perf_hooks";
import { findBuiltin } from "../scenarios/builtin";
import { runScenario } from "../scenarios/run";
import { fmt, median } from "./stats";

const RUNS = 5;
const SIMULATED_MS = 5_000;

const base = findBuiltin("kv-mixed")!;
base.workload.ratePerSec = 1_000;
base.workload.clients = 32;
base.durationMs = SIMULATED_MS;
base.checks = []; // measure the simulation, not the checkers

const ratios: number[] = [];
const putsPerSec: number[] = [];
const rangesPerSec: number[] = [];
const okPerSec: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const r = runScenario({ seed: i + 1, scenario: base });
  const wallMs = performance.now() - t0;
  ratios.push(SIMULATED_MS / wallMs);
  const ok = (type: string) => r.recorder.ops.filter((op) => op.opType === type && op.status === "ok").length;
  putsPerSec.push(ok("put") / (SIMULATED_MS / 1_000));
  rangesPerSec.push((ok("get") + ok("range")) / (SIMULATED_MS / 1_000));
  okPerSec.push(r.ops.ok / (SIMULATED_MS / 1_000));
}
console.log(`store: 3 nodes, lan/ssd, kv-mixed at 1,000 ops/s offered, ${SIMULATED_MS} ms simulated, ${RUNS} runs`);
console.log(`  simulated/wall ratio: ${ratios.map((x) => fmt(x, 1)).join(", ")} → median ${fmt(median(ratios), 1)}x`);
console.log(`  ok ops/s (simulated): median ${fmt(median(okPerSec))}; put ${fmt(median(putsPerSec))}/s, get+range ${fmt(median(rangesPerSec))}/s`);
