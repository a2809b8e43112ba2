// Raft on the simulated world: simulated time / wall time for a 5-node cluster on lan/ssd
// under a steady proposal load of 1,000 entries/s (default Raft timing: 100 ms ticks,
// heartbeat 1 tick, election 10 ticks). Target ≥ 2,000× real time. Median of 5 runs.
import { buildRaftWorld } from "../sim/host/testkit";
import type { HashListStateMachine } from "../sim/host/state_machine";
import { fmt, median, timeRuns } from "./stats";

const SIM_SECONDS = Number(process.env.RAFT_BENCH_SECONDS ?? 10);
const RATE_PER_SEC = 1_000;
const RUNS = 5;
const MS = 1_000;

let last = { applied: 0, events: 0, messages: 0 };

function workload(): void {
  const { world, system } = buildRaftWorld({ seed: 1, nodes: 5, disk: "ssd", network: "lan" });
  const sched = world.scheduler;
  const payload = new Uint8Array(100);
  const gapUs = 1_000_000 / RATE_PER_SEC;
  const propose = () => {
    system.leader()?.propose(payload, () => undefined);
    sched.after(gapUs, propose);
  };
  sched.after(gapUs, propose);
  sched.runUntil(SIM_SECONDS * 1_000 * MS);
  const l = system.leader();
  last = { applied: l ? (l.sm as HashListStateMachine).count : 0, events: sched.eventsRun, messages: world.network.messagesSent };
}

const wallMs = timeRuns(RUNS, workload);
const ratios = wallMs.map((ms) => (SIM_SECONDS * 1_000) / ms);
console.log(`raft: 5 nodes, lan/ssd, ${fmt(RATE_PER_SEC)} proposals/s of 100 B, ${SIM_SECONDS} s simulated, ${RUNS} runs`);
console.log(`  wall ms per run: ${wallMs.map((m) => fmt(m)).join(", ")}`);
console.log(`  entries applied on the leader: ${fmt(last.applied)}; events: ${fmt(last.events)}; messages: ${fmt(last.messages)}`);
console.log(`  median: ${fmt(median(ratios), 1)}x real time (target ≥ 2,000x)`);
