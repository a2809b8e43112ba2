// The clock-skew-lease-read scenario against the lease-read-ignores-skew canary (thesis
// §6.4.1): with the drift margin the lease lapses before a new leader can be elected; without
// it the isolated leader, its clock 20% slow, still holds its lease when another leader is
// elected, and answers reads from it. The Raft monitor's lease-read invariant sees the lease
// at the election, and every read answered from it; a client sees a stale read only when a
// read lands in the window and a write reached the new leader first, so linearizability
// fails on fewer seeds.
import { describe, expect, it } from "vitest";
import { findBuiltin } from "./builtin";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEEDS = Array.from({ length: 16 }, (_, i) => i + 1);
const CANARY = new Set(["lease-read-ignores-skew"] as const);

describe("clock-skew-lease-read", () => {
  const scenario = findBuiltin("clock-skew-lease-read")!;

  it("the monitor's lease-read invariant catches the canary on most seeds; the same seeds pass without it", () => {
    const detected = SEEDS.filter((seed) => {
      const r = runScenario({ seed, scenario, bugs: CANARY });
      return r.checks.invariants === "fail" && r.violations.some((v) => v.message.includes("lease-read"));
    });
    console.log(`lease-read-ignores-skew: lease-read invariant broken on seeds ${detected.join(", ")} of 1–${SEEDS.length}`);
    expect(detected.length).toBeGreaterThanOrEqual(SEEDS.length / 2);
    for (const seed of detected) {
      const clean = runScenario({ seed, scenario });
      expect([clean.checks.invariants, clean.checks.linearizability], `seed ${seed} without the canary`).toEqual(["pass", "pass"]);
    }
  });

  it("clients see stale reads on some seeds (linearizability fails), run past the breach", () => {
    const detected = SEEDS.filter((seed) => runScenario({ seed, scenario, bugs: CANARY, continuePastBreach: true }).checks.linearizability === "fail");
    console.log(`lease-read-ignores-skew: linearizability fails on seeds ${detected.join(", ")} of 1–${SEEDS.length}`);
    expect(detected.length).toBeGreaterThanOrEqual(2);
  });
});

// What a plain campaign found: `raftsim fuzz --bug lease-read-ignores-skew --runs 40000
// --seed 1`, run 30997, shrunk to its one fault. No drift at all: the leader (node 4) is cut
// off, and the canary's lease, a full election timeout from the last acknowledged heartbeat,
// outlives the followers' refusal to vote, which may end up to one tick sooner (the tick
// right after the heartbeat counts). The drift margin also covers that tick.
const CAMPAIGN_SEED_1_RUN_30997 = validateScenario({"name":"fuzz","description":"fuzzed: 1 faults from [network], heal at 1006 ms","cluster":{"nodes":5,"disk":"nvme","network":"lan","tickMs":20,"electionTicks":5,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"lease","snapshotEntries":10000},"workload":{"kind":"kubernetes","clients":1,"ratePerSec":12,"keys":1,"valueBytes":1,"mix":{"put":1,"txn":2},"watchers":0,"requestTimeoutMs":1910,"kubernetes":{"kinds":["pods","deployments","configmaps","leases"],"namespaces":["default","kube-system","monitoring"],"leaseTtlSeconds":3,"listPageSize":1,"mix":{"get":1,"update":1,"delete":1}}},"faults":[{"atMs":206,"type":"partition","groups":[[1,2,3,5],[4]]},{"atMs":1006,"type":"heal"}],"durationMs":2006,"checks":["linearizability","watch","durability","convergence","liveness","kubernetes","leases"]}, "campaign find");

describe("lease-read-ignores-skew as a campaign found it", () => {
  it("breaks the lease-read invariant with the canary, and passes without it", () => {
    const found = runScenario({ seed: 1176303509, scenario: CAMPAIGN_SEED_1_RUN_30997, bugs: CANARY });
    expect(found.checks.invariants).toBe("fail");
    // Since the monitor checks leases at each election, it is caught there, before the read.
    expect(found.violations.map((v) => v.message).join("; ")).toMatch(/lease-read: node 4 still held its lease of term \d+ when node \d was elected/);
    const clean = runScenario({ seed: 1176303509, scenario: CAMPAIGN_SEED_1_RUN_30997 });
    expect(clean.checks.invariants).toBe("pass");
    expect(clean.violations).toEqual([]);
  });
});

// The monitor's election-time check (SafetyMonitor.checkLeasesAt) needs no read to land in
// the window, only the window itself. What a plain campaign found with it: `raftsim fuzz
// --bug lease-read-ignores-skew --seed 1`, run 994, one fault. Node 2, the leader, is
// isolated; its clock runs 10% fast, node 5's 10% slow. With the canary its lease still holds
// when node 4 wins the election; with the drift margin it has lapsed.
const CAMPAIGN_SEED_1_RUN_994 = validateScenario({"name":"fuzz","description":"fuzzed: 1 faults from [network], heal at 1039 ms","cluster":{"nodes":5,"disk":"nvme","network":"lan","tickMs":50,"electionTicks":3,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"lease","snapshotEntries":10000,"clockDriftPpm":[100000,100000,0,0,-100000]},"workload":{"kind":"kv","clients":1,"ratePerSec":10,"keys":1,"valueBytes":1,"mix":{"put":1,"compact":1},"watchers":0,"requestTimeoutMs":1793},"faults":[{"atMs":167,"type":"isolate","node":2},{"atMs":1039,"type":"heal"}],"durationMs":2039,"checks":["linearizability","watch","durability","convergence","liveness","kubernetes","leases"]}, "campaign find");

describe("a lease that outlives the next election, with no read in it", () => {
  it("is caught at the election with the canary, and never held that long without it", () => {
    const found = runScenario({ seed: 780526567, scenario: CAMPAIGN_SEED_1_RUN_994, bugs: CANARY });
    expect(found.checks.invariants).toBe("fail");
    expect(found.violations.map((v) => v.message).join("; ")).toMatch(/lease-read: node 2 still held its lease of term 2 when node 4 was elected leader of term 3/);
    const clean = runScenario({ seed: 780526567, scenario: CAMPAIGN_SEED_1_RUN_994 });
    expect(clean.checks.invariants).toBe("pass");
    expect(clean.violations).toEqual([]);
  });
});

// The clock-skew step, as fuzzing aims it at the lease: every clock fast, the leader's slow,
// for a while; then every clock back to the drift it had (the cluster's, here node 2's).
describe("the clock-skew fault step", () => {
  const base = findBuiltin("clock-skew-lease-read")!;
  const skewed = validateScenario({
    ...base,
    cluster: { ...base.cluster, clockDriftPpm: [0, 50_000, 0] },
    faults: [
      { atMs: 1_500, type: "clock-skew", node: "leader", ppm: 200_000, durationMs: 1_000 },
      { atMs: 1_600, type: "isolate", node: "leader" },
      { atMs: 3_000, type: "heal" },
    ],
    durationMs: 4_000,
  }, "test");

  it("sets every clock fast and the leader's slow, then puts back each drift it found", () => {
    const r = runScenario({ seed: 3, scenario: skewed, keepTrace: true });
    const drifts = r.world.trace.events.flatMap((e) => (e.type === "fault" && e.fault === "clock-drift" && e.tUs > 0 ? [[e.tUs / 1_000, e.nodes[0], e.detail]] : []));
    const leader = drifts.find(([, , d]) => d === "-200000ppm")![1];
    expect(drifts.filter(([t]) => t === 1_500).map(([, n, d]) => [n, d]).sort()).toEqual([1, 2, 3].map((n) => [n, n === leader ? "-200000ppm" : "200000ppm"]).sort());
    expect(drifts.filter(([t]) => t === 2_500).map(([, n, d]) => [n, d]).sort()).toEqual([[1, "0ppm"], [2, "50000ppm"], [3, "0ppm"]]);
    expect(r.checks.invariants).toBe("pass");
  });

  it("with it, the lease canary is caught on most seeds; the same runs pass with the drift margin", () => {
    const caught = SEEDS.filter((seed) => runScenario({ seed, scenario: skewed, bugs: CANARY }).checks.invariants === "fail");
    console.log(`clock-skew step: lease-read-ignores-skew caught on seeds ${caught.join(", ")} of 1–${SEEDS.length}`);
    expect(caught.length).toBeGreaterThanOrEqual(SEEDS.length / 2);
    for (const seed of caught) expect(runScenario({ seed, scenario: skewed }).checks.invariants, `seed ${seed} without the canary`).toBe("pass");
  });
});
