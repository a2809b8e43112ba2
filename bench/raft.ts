// Raft on the simulated world: simulated time / wall time for a 5-node cluster on lan/ssd
// under a steady proposal load of 1,000 entries/s (one 100 B proposal every simulated ms,
// to whichever node leads; default Raft timing: 100 ms ticks, heartbeat 1 tick, election
// 10 ticks). Target ≥ 2,000× real time. One warm-up run, then the median of RUNS runs.
// Every run is the same seed, so every run does identical work (the figures check that).
// Beside it, alternating run by run in the same process, the Raft core alone under the same
// load (bench/raft-core-workload.ts): what the consensus core costs without the world.
// And the same 1,000 entries/s arriving in batches (proposeBatch of B entries every B ms):
// what the ratio is when a message carries many entries, as the per-message cost dominates.
import { buildRaftWorld } from "../sim/host/testkit";
import type { HashListStateMachine } from "../sim/host/state_machine";
import { raftCoreWorkload, type CoreFigures } from "./raft-core-workload";
import { fmt, median, timedCpu } from "./stats";

const SIM_SECONDS = Number(process.env.RAFT_BENCH_SECONDS ?? 10);
const RUNS = Number(process.env.RAFT_BENCH_RUNS ?? 5);
const RATE_PER_SEC = 1_000;
const US_PER_SEC = 1_000_000;
/** Batch sizes of the batched rows (entries per proposeBatch, one batch every B ms). */
const BATCHES = (process.env.RAFT_BENCH_BATCHES ?? "10,100").split(",").filter((b) => b !== "").map(Number);
for (const [name, value, max] of [["RAFT_BENCH_SECONDS", SIM_SECONDS, 3_600], ["RAFT_BENCH_RUNS", RUNS, 1_000]] as const) {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    console.error(`bench/raft.ts: ${name}="${process.env[name]}": expected an integer from 1 to ${max}`);
    process.exit(2);
  }
}
if (BATCHES.some((b) => !Number.isInteger(b) || b < 2 || b > 1_000)) {
  console.error(`bench/raft.ts: RAFT_BENCH_BATCHES="${process.env.RAFT_BENCH_BATCHES}": expected comma-separated batch sizes, integers from 2 to 1,000`);
  process.exit(2);
}

interface RunFigures {
  committed: number;
  loadStartUs: number;
  events: number;
  messages: number;
  traceRecords: number;
  appliedMin: number;
  traceHash: string;
}
let last: RunFigures | undefined;

function workload(batch = 1): void {
  const { world, system } = buildRaftWorld({ seed: 1, nodes: 5, disk: "ssd", network: "lan" });
  const sched = world.scheduler;
  const payload = new Uint8Array(100);
  const gapUs = (batch * US_PER_SEC) / RATE_PER_SEC;
  const payloads = Array.from({ length: batch }, () => payload);
  let committed = 0;
  let loadStartUs = -1;
  const onDone = (r: { ok: boolean }) => {
    if (r.ok) committed++;
  };
  const propose = () => {
    const leader = system.leader();
    if (leader) {
      if (loadStartUs < 0) loadStartUs = sched.nowUs;
      if (batch === 1) leader.propose(payload, onDone);
      else leader.proposeBatch(payloads, onDone);
    }
    sched.after(gapUs, propose);
  };
  sched.after(gapUs, propose);
  sched.runUntil(SIM_SECONDS * US_PER_SEC);
  let appliedMin = Number.POSITIVE_INFINITY;
  for (const h of system.hosts.values()) appliedMin = Math.min(appliedMin, (h.sm as HashListStateMachine).count);
  last = { committed, loadStartUs, events: sched.eventsRun, messages: world.network.messagesSent, traceRecords: world.trace.count, appliedMin, traceHash: world.trace.finish() };
}

let core: CoreFigures | undefined;
const coreWorkload = () => {
  core = raftCoreWorkload(SIM_SECONDS);
};
workload();
let oneEntry = last!;
coreWorkload();
const runs: { wallMs: number; cpuMs: number }[] = [];
const coreRuns: { wallMs: number; cpuMs: number }[] = [];
const batchRuns = BATCHES.map(() => [] as { wallMs: number; cpuMs: number }[]);
const batchFigures: RunFigures[] = [];
BATCHES.forEach((b, k) => {
  workload(b); // warm-up
  batchFigures[k] = last!;
});
for (let i = 0; i < RUNS; i++) {
  runs.push(timedCpu(() => workload()));
  oneEntry = last!;
  coreRuns.push(timedCpu(coreWorkload));
  BATCHES.forEach((b, k) => {
    batchRuns[k]!.push(timedCpu(() => workload(b)));
    batchFigures[k] = last!;
  });
}
const f = oneEntry;
const c = core!;
const simMs = SIM_SECONDS * 1_000;
const loadSeconds = (SIM_SECONDS * US_PER_SEC - f.loadStartUs) / US_PER_SEC;
const wallMedian = median(runs.map((r) => r.wallMs));
const cpuMedian = median(runs.map((r) => r.cpuMs));
const coreWallMedian = median(coreRuns.map((r) => r.wallMs));
const coreCpuMedian = median(coreRuns.map((r) => r.cpuMs));
console.log(`raft: 5 nodes, lan/ssd, ${fmt(RATE_PER_SEC)} proposals/s of 100 B, ${SIM_SECONDS} s simulated, median of ${RUNS} runs (+1 warm-up)`);
console.log(`  wall ms per run: ${runs.map((r) => fmt(r.wallMs)).join(", ")}; cpu ms per run: ${runs.map((r) => fmt(r.cpuMs)).join(", ")}`);
console.log(`  load: ${fmt(f.committed)} entries committed and applied (leader acks) from t=${fmt(f.loadStartUs / 1_000)} ms, ${fmt(f.committed / loadSeconds)} entries/s; every node applied ≥ ${fmt(f.appliedMin)}`);
console.log(`  work per run: ${fmt(f.events)} events, ${fmt(f.messages)} messages, ${fmt(f.traceRecords)} trace records (trace hash ${f.traceHash})`);
console.log(`  events/s: ${fmt(f.events / (wallMedian / 1_000))} (wall), ${fmt(f.events / (cpuMedian / 1_000))} (cpu)`);
console.log(`  ratio: ${fmt(simMs / wallMedian, 1)}x real time by wall clock, ${fmt(simMs / cpuMedian, 1)}x by process cpu time (target ≥ 2,000x)`);
console.log(`raft core alone, alternating with the runs above: the same 5 voters and load, instant delivery and persistence, no world, no trace`);
console.log(`  wall ms per run: ${coreRuns.map((r) => fmt(r.wallMs)).join(", ")}; cpu ms per run: ${coreRuns.map((r) => fmt(r.cpuMs)).join(", ")}`);
console.log(`  work per run: ${fmt(c.committed)} entries committed, every node applied ≥ ${fmt(c.appliedMin)}; ${fmt(c.messages)} messages, ${fmt(c.readies)} Readies`);
console.log(`  ratio: ${fmt(simMs / coreWallMedian, 1)}x real time by wall clock, ${fmt(simMs / coreCpuMedian, 1)}x by cpu time: the core is ${fmt((100 * coreCpuMedian) / cpuMedian)}% of the hosted run's cpu time`);
if (BATCHES.length > 0) console.log(`the same ${fmt(RATE_PER_SEC)} entries/s of 100 B proposed in batches (one proposeBatch of B entries every B ms), alternating with the runs above`);
BATCHES.forEach((b, k) => {
  const bf = batchFigures[k]!;
  const w = median(batchRuns[k]!.map((r) => r.wallMs));
  const c2 = median(batchRuns[k]!.map((r) => r.cpuMs));
  console.log(`  B=${b}: ${fmt(bf.committed)} committed, ${fmt(bf.events)} events, ${fmt(bf.messages)} messages; wall ms ${batchRuns[k]!.map((r) => fmt(r.wallMs)).join(", ")}; ratio ${fmt(simMs / w, 1)}x by wall clock, ${fmt(simMs / c2, 1)}x by cpu time (${fmt(cpuMedian / c2, 1)}x the one-entry run's)`);
});
