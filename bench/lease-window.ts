// `npm run bench:lease-window`: why campaigns do not find lease-read-ignores-skew. Takes
// fuzz-drawn clusters and workloads, forces what the canary needs one condition at a time,
// and counts the runs that fail with the canary on (the Raft monitor's lease-read invariant,
// or linearizability):
//   A. lease reads, kv workload, the leader isolated from its peers (not its clients) for 2.5 s;
//   B. A + the worst drift leases allow (leader 20% slow, every follower 20% fast) and a
//      1 s election timeout (100 ms × 10 ticks);
//   C. B + a 3-member LAN cluster, 3 clients at 100 requests/s with 300 ms request timeouts.
// A campaign has to draw every condition of C together, on top of timing luck.
//
//   npm run bench:lease-window [-- --runs 100]
import fc from "fast-check";
import { fuzzCaseArb } from "../scenarios/fuzz/arbitraries";
import { runSeed } from "../scenarios/fuzz/seeds";
import { runScenario } from "../scenarios/run";
import type { FaultStep, Scenario } from "../scenarios/types";

const i = process.argv.indexOf("--runs");
const runs = i === -1 ? 100 : Number(process.argv[i + 1]);
if (!Number.isInteger(runs) || runs < 1) {
  console.error("bench:lease-window: --runs expects a positive integer");
  process.exit(2);
}
const CAMPAIGN_SEED = 11;
const ISOLATE_AT_MS = 3_000;
const ISOLATED_MS = 2_500;

type Condition = "A" | "B" | "C";

/** The Raft monitor's lease-read invariant (it stops the run) or a stale read a client saw. */
const caughtBy = (checks: Partial<Record<string, string>>) => checks.invariants === "fail" || checks.linearizability === "fail";

function forced(drawn: Scenario, condition: Condition): Scenario {
  const s: Scenario = structuredClone(drawn);
  s.cluster.readMode = "lease";
  s.cluster.checkQuorum = true;
  const { kubernetes: _kubernetes, ...workload } = s.workload;
  s.workload = { ...workload, kind: "kv", clients: Math.max(2, workload.clients) };
  const faults: FaultStep[] = [];
  if (condition !== "A") {
    s.cluster.tickMs = 100;
    s.cluster.electionTicks = 10;
    if (condition === "C") {
      s.cluster.network = "lan";
      s.cluster.nodes = 3;
      s.workload = { ...s.workload, clients: 3, ratePerSec: 100, requestTimeoutMs: 300 };
    }
    // Every clock fast from boot; the leader, once known, slow.
    s.cluster.clockDriftPpm = Array.from({ length: s.cluster.nodes }, () => 200_000);
    faults.push({ atMs: ISOLATE_AT_MS - 1, type: "clock-drift", node: "leader", ppm: -200_000 });
  }
  faults.push({ atMs: ISOLATE_AT_MS, type: "isolate", node: "leader" }, { atMs: ISOLATE_AT_MS + ISOLATED_MS, type: "heal" });
  return { ...s, faults, durationMs: ISOLATE_AT_MS + ISOLATED_MS + 1_500, checks: ["linearizability"] };
}

console.log(`lease-read-ignores-skew under forced conditions: ${runs} fuzz-drawn cases each (campaign seed ${CAMPAIGN_SEED})`);
for (const condition of ["A", "B", "C"] as const) {
  let caught = 0;
  let falseAlarms = 0;
  for (let index = 0; index < runs; index++) {
    const seed = runSeed(CAMPAIGN_SEED, index);
    const [drawn] = fc.sample(fuzzCaseArb, { seed, numRuns: 1 });
    const scenario = forced(drawn!.scenario, condition);
    if (!caughtBy(runScenario({ seed, scenario, bugs: new Set(["lease-read-ignores-skew"]) }).checks)) continue;
    // Credit the canary only when the same run passes without it.
    if (caughtBy(runScenario({ seed, scenario }).checks)) falseAlarms++;
    else caught++;
  }
  console.log(`  ${condition}: caught in ${caught} of ${runs} runs${falseAlarms ? ` (${falseAlarms} failed without the canary too)` : ""}`);
}
