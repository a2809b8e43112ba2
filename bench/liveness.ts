// `npm run bench:liveness [-- --seeds 300]`: how long a cluster takes to a client write after
// the heal, over many simulation seeds of one fault plan: the clean seed-9 campaign's case
// (`raftsim fuzz --runs 60000 --seed 9`, run 38049: 4 members, two of them behind in their
// logs after a crash and a pause, clocks drifting up to ±20%). Side by side: as found
// (pre-vote off, lease reads), with pre-vote, pre-vote off without drift, and with ReadIndex
// reads instead of the lease. The liveness bounds in
// scenarios/run.ts come from these figures.
import { runScenario } from "../scenarios/run";
import type { Scenario } from "../scenarios/types";
import { validateScenario } from "../scenarios/validate";

const i = process.argv.indexOf("--seeds");
const SEEDS = i === -1 ? 300 : Number(process.argv[i + 1]);
if (!Number.isInteger(SEEDS) || SEEDS < 1) {
  console.error("bench:liveness: --seeds expects a positive integer");
  process.exit(2);
}

const CASE = validateScenario({"name":"fuzz","description":"seed-9 campaign, run 38049","cluster":{"nodes":4,"disk":"nvme","network":"wan","tickMs":100,"electionTicks":10,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"lease","snapshotEntries":10000,"clockDriftPpm":[-100000,100000,-200000,200000]},"workload":{"kind":"kubernetes","clients":1,"ratePerSec":67,"keys":6,"valueBytes":59,"mix":{"get":3,"getSerializable":2,"range":1,"put":1,"delete":1,"lease":1},"watchers":2,"requestTimeoutMs":1048,"kubernetes":{"kinds":["pods","deployments","configmaps"],"namespaces":["default"],"leaseTtlSeconds":4,"listPageSize":0,"mix":{"get":1,"update":1,"delete":1}}},"faults":[{"atMs":0,"type":"crash","node":2},{"atMs":1266,"type":"pause","node":4},{"atMs":1499,"type":"crash","node":3},{"atMs":2988,"type":"resume","node":"all-paused"},{"atMs":2988,"type":"restart","node":"all-down"}],"durationMs":3988,"checks":["liveness"]}, "bench case");
const PROBE_CLIENT_ID = 99; // scenarios/run.ts

function sweep(scenario: Scenario): { ms: number[]; failed: number } {
  const ms: number[] = [];
  let failed = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = runScenario({ seed, scenario });
    if (r.checks.liveness !== "pass") failed++;
    const ok = r.recorder.ops.find((op) => op.client === PROBE_CLIENT_ID && op.status === "ok");
    if (ok?.return != null) ms.push(ok.return / 1_000 - scenario.durationMs);
  }
  return { ms: ms.sort((a, b) => a - b), failed };
}

const at = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const etMs = CASE.cluster.electionTicks * CASE.cluster.tickMs;
const { clockDriftPpm: _drift, ...noDrift } = CASE.cluster;
const variants: [string, Scenario][] = [
  ["pre-vote off, drift (as found)", CASE],
  ["pre-vote on, drift", { ...CASE, cluster: { ...CASE.cluster, preVote: true } }],
  ["pre-vote off, no drift", { ...CASE, cluster: noDrift }],
  // Lease reads make a restarted member hold its vote for an election timeout (core/raft/raft.ts).
  ["pre-vote off, drift, ReadIndex", { ...CASE, cluster: { ...CASE.cluster, readMode: "read-index" } }],
];
console.log(`liveness after the heal: ${SEEDS} simulation seeds per row; election timeout ${etMs} ms; ms from the end of the fault plan to the probe's first write`);
for (const [name, scenario] of variants) {
  const { ms, failed } = sweep(scenario);
  const over = (n: number) => ms.filter((x) => x > n * etMs).length;
  console.log(`  ${name.padEnd(32)} median ${Math.round(at(ms, 0.5))}  p90 ${Math.round(at(ms, 0.9))}  p99 ${Math.round(at(ms, 0.99))}  max ${Math.round(ms.at(-1)!)}  (> 20 ET: ${over(20)}, > 100 ET: ${over(100)}, liveness failed: ${failed})`);
}
