// The built-in scenarios: the classic ways a consensus store gets hurt.
import { ALL_CHECKS, type ClusterSpec, DEFAULT_CLUSTER, DEFAULT_WORKLOAD, type FaultStep, type Scenario, type WorkloadSpec } from "./types";

interface Spec {
  description: string;
  cluster?: Partial<ClusterSpec>;
  workload?: Partial<WorkloadSpec>;
  faults?: FaultStep[];
  durationMs?: number;
}

function scenario(name: string, spec: Spec): Scenario {
  return {
    name,
    description: spec.description,
    cluster: { ...DEFAULT_CLUSTER, ...spec.cluster },
    workload: { ...DEFAULT_WORKLOAD, ...spec.workload, mix: { ...(spec.workload?.mix ?? DEFAULT_WORKLOAD.mix) } },
    faults: spec.faults ?? [],
    durationMs: spec.durationMs ?? 10_000,
    checks: ALL_CHECKS.slice(),
  };
}

export const BUILTIN_SCENARIOS: Scenario[] = [
  scenario("kv-mixed", {
    description: "a mixed get/range/put/delete/txn/lease/watch workload on 3 nodes, no faults",
  }),
  scenario("leader-partition", {
    description: "the leader is cut off from the others for 3 s, then the partition heals",
    cluster: { nodes: 5 },
    faults: [
      { atMs: 3_000, type: "isolate", node: "leader" },
      { atMs: 6_000, type: "heal" },
    ],
  }),
  scenario("minority-partition", {
    description: "two followers of five are cut off together, then healed",
    cluster: { nodes: 5 },
    faults: [
      { atMs: 3_000, type: "partition", groups: [[1, 2, 3], [4, 5]] },
      { atMs: 6_000, type: "heal" },
    ],
  }),
  scenario("flapping-partitions", {
    description: "random nodes are isolated and healed every second",
    cluster: { nodes: 5 },
    faults: [1, 2, 3, 4, 5, 6, 7].flatMap((i): FaultStep[] => [
      { atMs: i * 1_000, type: "isolate", node: "random" },
      { atMs: i * 1_000 + 600, type: "heal" },
    ]),
  }),
  scenario("leader-crash-restart", {
    description: "the leader crashes (unsynced writes lost), restarts 2 s later",
    faults: [
      { atMs: 3_000, type: "crash", node: "leader" },
      { atMs: 5_000, type: "restart", node: "all-down" },
    ],
  }),
  scenario("rolling-restarts", {
    description: "each node in turn crashes with a torn write and restarts",
    faults: [1, 2, 3].flatMap((n): FaultStep[] => [
      { atMs: n * 2_500, type: "crash", node: n, tear: true },
      { atMs: n * 2_500 + 1_000, type: "restart", node: n },
    ]),
  }),
  scenario("slow-fsync-leader", {
    description: "the leader's fsyncs take 20x longer (+10 ms) for 4 s",
    faults: [{ atMs: 2_000, type: "slow-fsync", node: "leader", factor: 20, addMs: 10, durationMs: 4_000 }],
  }),
  scenario("disk-stall", {
    description: "a follower's disk stalls for 3 s, then recovers",
    faults: [{ atMs: 2_000, type: "disk-stall", node: "follower", durationMs: 3_000 }],
  }),
  scenario("process-pause", {
    description: "the leader is paused for 3 s (a GC pause); it wakes up believing it still leads",
    faults: [
      { atMs: 3_000, type: "pause", node: "leader" },
      { atMs: 6_000, type: "resume", node: "all-paused" },
    ],
  }),
  scenario("clock-skew-lease-read", {
    description: "lease-based reads while every clock runs 20% fast but the leader's 20% slow (the drift bound leases allow for), then the leader is isolated from its peers but not from its readers",
    // Every machine fast from boot; the leader, once known, is slowed: the dangerous direction.
    cluster: { readMode: "lease", clockDriftPpm: [200_000, 200_000, 200_000] },
    // Read-heavy, short timeouts, requests spread over all members (clientv3's round-robin):
    // reads keep reaching the old leader while writes reach the new one soon after it is elected.
    workload: { ratePerSec: 60, keys: 4, mix: { get: 5, put: 1 }, watchers: 0, requestTimeoutMs: 300, balancer: "round-robin" },
    faults: [
      { atMs: 2_000, type: "clock-drift", node: "leader", ppm: -200_000 },
      { atMs: 3_000, type: "isolate", node: "leader" },
      { atMs: 6_000, type: "heal" },
    ],
  }),
  scenario("membership-change-under-partition", {
    description: "a learner joins and is promoted, then a member is removed while a follower is partitioned",
    faults: [
      { atMs: 2_000, type: "add-member", learner: true },
      { atMs: 3_500, type: "promote-learner" },
      { atMs: 4_000, type: "isolate", node: "follower" },
      { atMs: 5_000, type: "remove-member", node: "leader" },
      { atMs: 7_000, type: "heal" },
    ],
  }),
  scenario("snapshot-install", {
    description: "a follower is down while the log is compacted; it catches up by InstallSnapshot; then it is asked for a snapshot (Maintenance API), which must restore into a fresh cluster with the same state",
    cluster: { snapshotEntries: 50 },
    workload: { ratePerSec: 150 },
    faults: [
      { atMs: 1_000, type: "crash", node: "follower" },
      { atMs: 6_000, type: "restart", node: "all-down" },
      { atMs: 8_000, type: "snapshot-save-restore", node: "follower" },
    ],
  }),
  scenario("compaction-under-watch", {
    description: "watchers stay subscribed while the store is compacted repeatedly",
    workload: { watchers: 3, mix: { get: 2, put: 6, delete: 1, txn: 1, compact: 1 } },
    faults: [
      { atMs: 3_000, type: "compact" },
      { atMs: 6_000, type: "compact" },
    ],
  }),
  scenario("kubernetes", {
    description: "Kubernetes-style objects: list+watch controllers, CAS updates, leader election on a lease",
    workload: { kind: "kubernetes", clients: 3, watchers: 2 },
    faults: [
      { atMs: 4_000, type: "crash", node: "leader" },
      { atMs: 6_000, type: "restart", node: "all-down" },
    ],
  }),
];

export function findBuiltin(name: string): Scenario | undefined {
  const s = BUILTIN_SCENARIOS.find((x) => x.name === name);
  return s ? (JSON.parse(JSON.stringify(s)) as Scenario) : undefined;
}
