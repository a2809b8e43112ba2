// Regression: a member removal enters C_old,new = {1,3,4,5} & {1,2,3,4,5}; the leader that
// proposed it crashed (an armed crash-after-commit) once followers had applied the joint
// entry but before its entry leaving it reached anyone. Member 5 won the next election
// already joint, and only a leader applying the joint entry itself proposed the leave, so
// the cluster stayed joint for good: every later membership change refused as pending,
// commits needing a majority of both configurations. Now a leader with everything applied
// up to its last configuration entry and still joint proposes the leave (etcd-io/raft's
// AutoLeave), and every run ends with SafetyMonitor.checkJointLeft.
// Found by `raftsim fuzz --seed 3210 --runs 2258 --shard 2257/2258` with auto-leave switched
// off by hand (run 2257, shrunk from 11 faults to these).
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 858504010;
const SCENARIO = validateScenario(
  {
    name: "fuzz",
    description: "seed 3210, run 2257, shrunk",
    cluster: { nodes: 5, disk: "ssd", network: "lan", tickMs: 50, electionTicks: 3, heartbeatTicks: 1, preVote: true, checkQuorum: true, readMode: "lease", snapshotEntries: 5, clockDriftPpm: [100000, -100000, 200000, 0, 200000], watchFragmentBytes: 813 },
    workload: { kind: "kv", clients: 2, ratePerSec: 100, keys: 1, valueBytes: 53, mix: { get: 1, range: 2, put: 5, delete: 3, txn: 4, lease: 1, compact: 1 }, watchers: 0, requestTimeoutMs: 300, api: "full", balancer: "round-robin" },
    faults: [
      { atMs: 238, type: "crash", node: "random", tear: true },
      { atMs: 329, type: "crash-after", on: "commit", node: "any" },
      { atMs: 382, type: "remove-member", node: 2 },
      { atMs: 1007, type: "restart", node: "all-down" },
    ],
    durationMs: 2007,
    checks: ["linearizability", "watch", "durability", "convergence", "liveness", "kubernetes", "leases"],
  },
  "joint-left case",
);

describe("a leader elected inside C_old,new after its predecessor's leave entry was lost", () => {
  it("leaves the joint configuration: the removal completes", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO });
    expect(r.violations).toEqual([]);
    const leaders = [...r.system.hosts.values()].filter((h) => h.rn.raft.role === "leader");
    expect(leaders.length).toBe(1);
    expect(leaders[0]!.rn.raft.conf).toEqual({ voters: [1, 3, 4, 5], votersOutgoing: [], learners: [] });
  });
});
