// The simulated 3-node etcd cluster under the kv-mixed workload at 1,000 ops/s offered:
// put and range throughput as clients see it, and simulated-time / wall-time ratio.
// One warm-up run (the JIT), then RUNS runs with seeds 1..RUNS; medians.
import { performance } from "node:perf_hooks";
import { findBuiltin } from "../scenarios/builtin";
import { runScenario } from "../scenarios/run";
import { fmt, median } from "./stats";

const RUNS = Number(process.env.STORE_BENCH_RUNS ?? 5);
const SIMULATED_MS = Number(process.env.STORE_BENCH_SECONDS ?? 5) * 1_000;

const base = findBuiltin("kv-mixed")!;
base.workload.ratePerSec = 1_000;
base.workload.clients = 32;
base.durationMs = SIMULATED_MS;
base.checks = []; // measure the simulation, not the checkers

const wallMs: number[] = [];
const cpuMs: number[] = [];
const events: number[] = [];
const putsPerSec: number[] = [];
const rangesPerSec: number[] = [];
const okPerSec: number[] = [];
runScenario({ seed: 1_000, scenario: base }); // warm-up
for (let i = 0; i < RUNS; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = runScenario({ seed: i + 1, scenario: base });
  wallMs.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpuMs.push((c.user + c.system) / 1_000);
  events.push(r.world.scheduler.eventsRun);
  const ok = (type: string) => r.recorder.ops.filter((op) => op.opType === type && op.status === "ok").length;
  putsPerSec.push(ok("put") / (SIMULATED_MS / 1_000));
  rangesPerSec.push((ok("get") + ok("range")) / (SIMULATED_MS / 1_000));
  okPerSec.push(r.ops.ok / (SIMULATED_MS / 1_000));
}
const ratios = wallMs.map((ms) => SIMULATED_MS / ms);
console.log(`store: 3 nodes, lan/ssd, kv-mixed at 1,000 ops/s offered by 32 clients, ${fmt(SIMULATED_MS)} ms simulated, median of ${RUNS} runs (+1 warm-up)`);
console.log(`  wall ms per run: ${wallMs.map((x) => fmt(x)).join(", ")}; cpu ms per run: ${cpuMs.map((x) => fmt(x)).join(", ")}`);
console.log(`  ok ops/s (simulated): median ${fmt(median(okPerSec))}; put ${fmt(median(putsPerSec))}/s, get+range ${fmt(median(rangesPerSec))}/s`);
console.log(`  events per run: median ${fmt(median(events))}; events/s ${fmt(median(events) / (median(wallMs) / 1_000))} (wall), ${fmt(median(events) / (median(cpuMs) / 1_000))} (cpu)`);
console.log(`  ratio: ${fmt(median(ratios), 1)}x real time by wall clock, ${fmt(SIMULATED_MS / median(cpuMs), 1)}x by process cpu time`);
