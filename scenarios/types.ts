// A Scenario is data: JSON-serializable, validated on load, and with a seed it determines
// a whole run.

/** Which node a fault targets: a node id, or one chosen when the fault fires. */
export type NodeSelector = number | "leader" | "follower" | "random";

/** What a crash-after step waits for (see FaultStep). */
export type CrashTrigger = "vote" | "ack" | "commit";
export const CRASH_TRIGGERS: readonly CrashTrigger[] = ["vote", "ack", "commit"];

export type FaultStep = { atMs: number } & (
  | { type: "partition"; groups: number[][] }
  | { type: "isolate"; node: NodeSelector }
  | { type: "cut-one-way"; from: NodeSelector; to: NodeSelector }
  | { type: "clog"; a: NodeSelector; b: NodeSelector; durationMs: number }
  | { type: "heal" }
  /** reorder: probability a message is held back, by up to delayMaxMs (default 5) more. */
  | { type: "link-faults"; loss: number; duplicate: number; reorder: number; delayMaxMs?: number }
  | { type: "crash"; node: NodeSelector; tear?: boolean }
  /**
   * Adversarial crash (as the VOPR's): armed at atMs, it crashes `node` (resolved then) right
   * after the next vote it grants or append it acknowledges — while that message's fsync may
   * still be in flight — or the next time its commit index advances ("commit": the WAL holds
   * the new commit index, while what applying it writes may not be synced yet), and restarts
   * it 1–40 ms later. node "any": whichever member does so next. It fires `times` times
   * (default once).
   */
  | { type: "crash-after"; on: CrashTrigger; node: NodeSelector | "any"; tear?: boolean; times?: number }
  | { type: "restart"; node: NodeSelector | "all-down" }
  | { type: "pause"; node: NodeSelector }
  | { type: "resume"; node: NodeSelector | "all-paused" }
  | { type: "slow-fsync"; node: NodeSelector; factor: number; addMs: number; durationMs: number }
  | { type: "disk-stall"; node: NodeSelector; durationMs: number }
  | { type: "fsync-error"; node: NodeSelector; count: number }
  | { type: "clock-jump"; node: NodeSelector; deltaMs: number }
  | { type: "clock-drift"; node: NodeSelector; ppm: number }
  /**
   * Skew aimed at a lease (thesis §6.4.1): every clock runs fast by `ppm` and `node`'s slow
   * by it, for `durationMs`; then each clock runs at the drift it had before.
   */
  | { type: "clock-skew"; node: NodeSelector; ppm: number; durationMs: number }
  /**
   * A new member, as a voter or a learner; a learner with `promoteAfterMs` is promoted that
   * long after (retried while the store says it is not in sync, PROMOTE_ATTEMPTS_MAX times).
   */
  | { type: "add-member"; learner?: boolean; promoteAfterMs?: number }
  | { type: "remove-member"; node: NodeSelector }
  | { type: "promote-learner" }
  | { type: "transfer-leader"; to?: NodeSelector }
  | { type: "compact" }
  | { type: "snapshot"; node: NodeSelector }
  /** Save a snapshot from `node` through the Maintenance API; a fresh cluster restored from it must hold the same state. */
  | { type: "snapshot-save-restore"; node: NodeSelector }
);

export type FaultType = FaultStep["type"];

export interface ClusterSpec {
  nodes: number;
  disk: string; // nvme | ssd | hdd
  network: string; // lan | wan
  tickMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  /** Linearizable reads by "read-index" (default) or "lease". */
  readMode: "read-index" | "lease";
  /** Take a Raft snapshot and compact the log every this many applied entries. */
  snapshotEntries: number;
  /**
   * Each machine's clock drift from the start, in ppm (entry i is node i+1; missing = 0), as
   * quartz differs between machines. The clock-drift fault step changes it later.
   */
  clockDriftPpm?: number[];
  /**
   * Raft flow control (etcd-raft's MaxSizePerMsg and MaxInflightMsgs; defaults 1 MiB and 256).
   * Small values make followers catch up an entry or a few at a time.
   */
  maxSizePerMsgBytes?: number;
  maxInflightMsgs?: number;
  /**
   * Members start ticking in lockstep, as machines booted together by one orchestrator do:
   * their election timers can then run out at the same moment (split votes). Default false:
   * each starts at a random phase. A restarted member starts at its own phase.
   */
  alignedTicks?: boolean;
  /**
   * Members split a watch response of at least this many bytes (protobuf size) into fragments
   * for watchers that ask for them (WatchCreateRequest.fragment). Default etcd's: 2 MiB
   * (--max-request-bytes 1.5 MiB + 512 KiB gRPC overhead). Fuzzing draws small ones, so the
   * workload's small values fragment too.
   */
  watchFragmentBytes?: number;
}

export interface WorkloadSpec {
  kind: "none" | "kv" | "kubernetes";
  clients: number;
  /** Total requests per second over all clients (open loop), or 0 for closed loop. */
  ratePerSec: number;
  keys: number;
  valueBytes: number;
  /** Relative weights of operation types. */
  mix: Partial<Record<"get" | "getSerializable" | "range" | "put" | "delete" | "txn" | "lease" | "compact", number>>;
  watchers: number;
  requestTimeoutMs: number;
  /**
   * How a kv client picks the member for each request: "sticky" (default) keeps one member
   * until a request fails or times out; "round-robin" sends each new request to the next
   * member, as etcd's clientv3 balancer spreads unary calls over its endpoints.
   */
  balancer?: "sticky" | "round-robin";
  /**
   * Which request shapes a kv client draws for each operation type, and which watches the
   * watchers open: "basic" (default; point gets and deletes, a CAS txn, whole-range watches)
   * or "full" (etcd's whole KV API as the checker models it: keysOnly / countOnly /
   * historical reads, sub-ranges, sorted and revision-bounded lists, range deletes, ignoreValue / ignoreLease puts, txns with
   * every compare target and result, nested txns, server-assigned lease IDs, and watches
   * with NOPUT / NODELETE filters over sub-ranges). See scenarios/workload/kv-requests.ts.
   */
  api?: "basic" | "full";
  /** Only for kind "kubernetes" (defaults: DEFAULT_KUBERNETES). */
  kubernetes?: KubernetesSpec;
}

/** The kubernetes workload: object kinds and namespaces, leader lease, list paging, action weights. */
export interface KubernetesSpec {
  /** Object kinds (path segments under /registry/); names per kind and namespace come from `keys`. */
  kinds: string[];
  namespaces: string[];
  /** TTL of each controller's election lease, in seconds (the server raises it to its minimum). */
  leaseTtlSeconds: number;
  /** Keys per LIST page (0 = one page). */
  listPageSize: number;
  /** Relative weights of a controller's actions once its cache is synced. */
  mix: Partial<Record<"get" | "update" | "create" | "delete" | "compact", number>>;
}

export type CheckName = "linearizability" | "watch" | "durability" | "convergence" | "liveness" | "kubernetes" | "leases";

export interface Scenario {
  name: string;
  description: string;
  cluster: ClusterSpec;
  workload: WorkloadSpec;
  faults: FaultStep[];
  durationMs: number;
  checks: CheckName[];
}

export const ALL_CHECKS: CheckName[] = ["linearizability", "watch", "durability", "convergence", "liveness", "kubernetes", "leases"];

export const DEFAULT_CLUSTER: ClusterSpec = {
  nodes: 3,
  disk: "ssd",
  network: "lan",
  tickMs: 100,
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  readMode: "read-index",
  snapshotEntries: 10_000,
};

export const DEFAULT_WORKLOAD: WorkloadSpec = {
  kind: "kv",
  clients: 3,
  ratePerSec: 50,
  keys: 5,
  valueBytes: 16,
  mix: { get: 3, range: 1, put: 4, delete: 1, txn: 2, lease: 1 },
  watchers: 1,
  requestTimeoutMs: 1_000,
};

export const DEFAULT_KUBERNETES: KubernetesSpec = {
  kinds: ["pods", "deployments", "configmaps"],
  namespaces: ["default", "kube-system"],
  leaseTtlSeconds: 3,
  listPageSize: 8,
  mix: { get: 2, update: 4, create: 2, delete: 1, compact: 0.1 },
};
