// Validates a scenario (from a file or built-in) and names the first bad field.
import { DISK_PROFILES } from "../sim/disk";
import { NETWORK_PROFILES } from "../sim/network";
import { ALL_CHECKS, CRASH_TRIGGERS, DEFAULT_CLUSTER, DEFAULT_WORKLOAD, type Scenario } from "./types";
import { validateKubernetesSpec } from "./validate-kubernetes";

export class ScenarioError extends Error {
  override name = "ScenarioError";
  constructor(readonly path: string, readonly expected: string) {
    super(`${path}: ${expected}`);
  }
}

const FAULT_FIELDS: Record<string, string[]> = {
  partition: ["groups"], isolate: ["node"], "cut-one-way": ["from", "to"], clog: ["a", "b", "durationMs"], heal: [],
  "link-faults": ["loss", "duplicate", "reorder"], crash: ["node"], "crash-after": ["on", "node"], restart: ["node"], pause: ["node"], resume: ["node"],
  "slow-fsync": ["node", "factor", "addMs", "durationMs"], "disk-stall": ["node", "durationMs"], "fsync-error": ["node", "count"],
  "clock-jump": ["node", "deltaMs"], "clock-drift": ["node", "ppm"], "clock-skew": ["node", "ppm", "durationMs"], "add-member": [], "remove-member": ["node"],
  "promote-learner": [], "transfer-leader": [], compact: [], snapshot: ["node"], "snapshot-save-restore": ["node"],
};

export const FAULT_TYPES = Object.keys(FAULT_FIELDS);

/** A clock that drifts by a million ppm or more would stop or run backwards. */
const DRIFT_PPM_ABS_MAX = 999_999;
const LIMITS = { nodesMax: 9, durationMsMax: 3_600_000, clientsMax: 64, keysMax: 100_000, faultsMax: 1_000 };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown, path: string, min: number, max: number, integer = true): number {
  if (typeof v !== "number" || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw new ScenarioError(path, `expected ${integer ? "an integer" : "a number"} in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function selector(v: unknown, path: string, nodes: number, extra: string[] = []): void {
  if (typeof v === "number") return void num(v, path, 1, nodes + 8);
  if (typeof v === "string" && ["leader", "follower", "random", ...extra].includes(v)) return;
  throw new ScenarioError(path, `expected a node id or one of "leader", "follower", "random"${extra.map((e) => `, "${e}"`).join("")}, got ${JSON.stringify(v)}`);
}

/** Fills defaults for missing optional fields and checks every field; throws ScenarioError. */
export function validateScenario(input: unknown, where = "scenario"): Scenario {
  if (!isObject(input)) throw new ScenarioError(where, "expected a JSON object");
  const name = input.name;
  if (typeof name !== "string" || name === "") throw new ScenarioError(`${where}.name`, "expected a non-empty string");
  const clusterIn = input.cluster ?? {};
  if (!isObject(clusterIn)) throw new ScenarioError(`${where}.cluster`, "expected an object");
  const cluster = { ...DEFAULT_CLUSTER, ...clusterIn } as Scenario["cluster"];
  num(cluster.nodes, `${where}.cluster.nodes`, 1, LIMITS.nodesMax);
  if (!(cluster.disk in DISK_PROFILES)) throw new ScenarioError(`${where}.cluster.disk`, `expected one of ${Object.keys(DISK_PROFILES).join(", ")}, got ${JSON.stringify(cluster.disk)}`);
  if (!(cluster.network in NETWORK_PROFILES)) throw new ScenarioError(`${where}.cluster.network`, `expected one of ${Object.keys(NETWORK_PROFILES).join(", ")}, got ${JSON.stringify(cluster.network)}`);
  num(cluster.tickMs, `${where}.cluster.tickMs`, 1, 10_000);
  num(cluster.electionTicks, `${where}.cluster.electionTicks`, 2, 10_000);
  num(cluster.heartbeatTicks, `${where}.cluster.heartbeatTicks`, 1, cluster.electionTicks - 1);
  for (const f of ["preVote", "checkQuorum"] as const) if (typeof cluster[f] !== "boolean") throw new ScenarioError(`${where}.cluster.${f}`, "expected true or false");
  if (cluster.readMode !== "read-index" && cluster.readMode !== "lease") throw new ScenarioError(`${where}.cluster.readMode`, `expected "read-index" or "lease"`);
  num(cluster.snapshotEntries, `${where}.cluster.snapshotEntries`, 1, 1e9);
  if (cluster.alignedTicks !== undefined && typeof cluster.alignedTicks !== "boolean") throw new ScenarioError(`${where}.cluster.alignedTicks`, "expected true or false");
  if (cluster.maxSizePerMsgBytes !== undefined) num(cluster.maxSizePerMsgBytes, `${where}.cluster.maxSizePerMsgBytes`, 1, 1 << 30);
  if (cluster.maxInflightMsgs !== undefined) num(cluster.maxInflightMsgs, `${where}.cluster.maxInflightMsgs`, 1, 1 << 20);
  if (cluster.watchFragmentBytes !== undefined) num(cluster.watchFragmentBytes, `${where}.cluster.watchFragmentBytes`, 1, 1 << 30);
  if (cluster.clockDriftPpm !== undefined) {
    if (!Array.isArray(cluster.clockDriftPpm) || cluster.clockDriftPpm.length > cluster.nodes) {
      throw new ScenarioError(`${where}.cluster.clockDriftPpm`, `expected an array of at most ${cluster.nodes} drifts in ppm (one per node)`);
    }
    cluster.clockDriftPpm.forEach((v, i) => num(v, `${where}.cluster.clockDriftPpm[${i}]`, -DRIFT_PPM_ABS_MAX, DRIFT_PPM_ABS_MAX));
  }

  const workloadIn = input.workload ?? {};
  if (!isObject(workloadIn)) throw new ScenarioError(`${where}.workload`, "expected an object");
  const workload = { ...DEFAULT_WORKLOAD, ...workloadIn } as Scenario["workload"];
  if (!["none", "kv", "kubernetes"].includes(workload.kind)) throw new ScenarioError(`${where}.workload.kind`, `expected "none", "kv" or "kubernetes"`);
  num(workload.clients, `${where}.workload.clients`, 0, LIMITS.clientsMax);
  num(workload.ratePerSec, `${where}.workload.ratePerSec`, 0, 100_000, false);
  num(workload.keys, `${where}.workload.keys`, 1, LIMITS.keysMax);
  num(workload.valueBytes, `${where}.workload.valueBytes`, 0, 1_048_576);
  num(workload.watchers, `${where}.workload.watchers`, 0, LIMITS.clientsMax);
  num(workload.requestTimeoutMs, `${where}.workload.requestTimeoutMs`, 1, 600_000);
  if (workload.balancer !== undefined && workload.balancer !== "sticky" && workload.balancer !== "round-robin") {
    throw new ScenarioError(`${where}.workload.balancer`, `expected "sticky" or "round-robin"`);
  }
  if (workload.api !== undefined && workload.api !== "basic" && workload.api !== "full") {
    throw new ScenarioError(`${where}.workload.api`, `expected "basic" or "full"`);
  }
  if (!isObject(workload.mix)) throw new ScenarioError(`${where}.workload.mix`, "expected an object of operation weights");
  const ops = ["get", "getSerializable", "range", "put", "delete", "txn", "lease", "compact"];
  for (const [k, v] of Object.entries(workload.mix)) {
    if (!ops.includes(k)) throw new ScenarioError(`${where}.workload.mix.${k}`, `expected one of ${ops.join(", ")}`);
    num(v, `${where}.workload.mix.${k}`, 0, 1_000, false);
  }

  const kubernetes = validateKubernetesSpec(workload.kubernetes, workload.kind, `${where}.workload.kubernetes`);
  if (kubernetes) workload.kubernetes = kubernetes;

  const durationMs = num(input.durationMs ?? 10_000, `${where}.durationMs`, 1, LIMITS.durationMsMax);
  const faultsIn = input.faults ?? [];
  if (!Array.isArray(faultsIn)) throw new ScenarioError(`${where}.faults`, "expected an array of fault steps");
  if (faultsIn.length > LIMITS.faultsMax) throw new ScenarioError(`${where}.faults`, `expected at most ${LIMITS.faultsMax} steps`);
  faultsIn.forEach((f, i) => {
    const p = `${where}.faults[${i}]`;
    if (!isObject(f)) throw new ScenarioError(p, "expected an object");
    if (typeof f.type !== "string" || !(f.type in FAULT_FIELDS)) throw new ScenarioError(`${p}.type`, `expected one of ${FAULT_TYPES.join(", ")}, got ${JSON.stringify(f.type)}`);
    num(f.atMs, `${p}.atMs`, 0, durationMs);
    for (const field of FAULT_FIELDS[f.type]!) if (!(field in f)) throw new ScenarioError(`${p}.${field}`, `expected a value for "${field}" in a ${f.type} step`);
    for (const field of ["node", "from", "to", "a", "b"]) if (field in f) selector(f[field], `${p}.${field}`, cluster.nodes, field !== "node" ? [] : f.type === "crash-after" ? ["any"] : ["all-down", "all-paused"]);
    if (f.type === "crash-after" && !(CRASH_TRIGGERS as readonly unknown[]).includes(f.on)) throw new ScenarioError(`${p}.on`, `expected one of ${CRASH_TRIGGERS.map((t) => JSON.stringify(t)).join(", ")}, got ${JSON.stringify(f.on)}`);
    if (f.type === "crash-after" && "times" in f) num(f.times, `${p}.times`, 1, 1_000);
    if (f.type === "add-member" && "promoteAfterMs" in f) {
      if (f.learner !== true) throw new ScenarioError(`${p}.promoteAfterMs`, "only a learner (learner: true) is promoted");
      num(f.promoteAfterMs, `${p}.promoteAfterMs`, 0, durationMs);
    }
    if (f.type === "partition") {
      if (!Array.isArray(f.groups) || f.groups.some((g) => !Array.isArray(g))) throw new ScenarioError(`${p}.groups`, "expected an array of arrays of node ids");
      (f.groups as unknown[][]).forEach((g, gi) => g.forEach((n, ni) => num(n, `${p}.groups[${gi}][${ni}]`, 1, cluster.nodes + 8)));
    }
    for (const field of ["durationMs", "count", "addMs"]) if (field in f) num(f[field], `${p}.${field}`, 0, LIMITS.durationMsMax);
    if (f.type === "link-faults" && "delayMaxMs" in f) num(f.delayMaxMs, `${p}.delayMaxMs`, 0, 60_000);
    if ("factor" in f) num(f.factor, `${p}.factor`, 1, 10_000, false);
    for (const field of ["loss", "duplicate", "reorder"]) if (field in f) num(f[field], `${p}.${field}`, 0, 1, false);
    if (f.type === "clock-drift" || f.type === "clock-skew") num(f.ppm, `${p}.ppm`, -DRIFT_PPM_ABS_MAX, DRIFT_PPM_ABS_MAX);
  });
  const checksIn = input.checks ?? ALL_CHECKS;
  if (!Array.isArray(checksIn)) throw new ScenarioError(`${where}.checks`, "expected an array of check names");
  checksIn.forEach((c, i) => {
    if (!ALL_CHECKS.includes(c as never)) throw new ScenarioError(`${where}.checks[${i}]`, `expected one of ${ALL_CHECKS.join(", ")}, got ${JSON.stringify(c)}`);
  });
  return {
    name,
    description: typeof input.description === "string" ? input.description : "",
    cluster,
    workload,
    faults: (faultsIn as Scenario["faults"]).slice().sort((a, b) => a.atMs - b.atMs),
    durationMs,
    checks: checksIn as Scenario["checks"],
  };
}
