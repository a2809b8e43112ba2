// Regression, found by `raftsim fuzz` (campaign 3, run 3851): a leader whose disk stalls is
// deposed while its Ready waits on the fsync, so its lessor is never demoted. Its lease
// expiry times are stale (the keepalives went to the new leader), and its revoke, forwarded
// to the new leader, revoked a lease a keepalive had just renewed. etcd had the same bug
// (etcd-io/etcd#15247, fixed in 3.5 by confirming leadership before revoking).
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const scenario = validateScenario({
  name: "stale-leader-lease",
  cluster: { nodes: 5, disk: "nvme", network: "lan", tickMs: 50, electionTicks: 3, preVote: true, checkQuorum: false, clockDriftPpm: [100_000, 100_000, -200_000, -100_000, 0] },
  workload: {
    kind: "kubernetes", clients: 2, ratePerSec: 11, keys: 6, valueBytes: 17, watchers: 1, requestTimeoutMs: 300,
    kubernetes: { kinds: ["pods", "deployments", "configmaps", "leases"], namespaces: ["default", "kube-system", "monitoring"], leaseTtlSeconds: 2, listPageSize: 1, mix: { update: 1 } },
  },
  // Node 2 leads from the start; its disk stalls and the others elect node 4 meanwhile.
  faults: [{ atMs: 344, type: "disk-stall", node: 2, durationMs: 1_702 }],
  durationMs: 3_998,
  checks: ["leases", "linearizability"],
});

describe("a deposed leader stuck on its disk", () => {
  it("does not revoke a lease the new leader keeps alive", () => {
    const r = runScenario({ seed: 335444095, scenario, keepTrace: true });
    const stalledLeader = r.world.trace.events.find((e) => e.type === "role" && e.role === "leader");
    expect(stalledLeader?.type === "role" && stalledLeader.node).toBe(2);
    expect(r.checks.leases).not.toBe("fail");
    expect(r.checks.linearizability).toBe("pass");
    // The lease was renewed through the new leader while node 2 was stalled.
    expect(r.ops.byType["k8s-lease-keepalive"] ?? 0).toBeGreaterThan(0);
  });
});
