// Runs one workload with one seed once per disk profile (same cluster, network, fault
// plan and seed; only the disk differs) and measures each run.
import { BUILTIN_SCENARIOS } from "../../scenarios/builtin";
import { runScenario } from "../../scenarios/run";
import { DEFAULT_CLUSTER, type FaultStep, type Scenario } from "../../scenarios/types";
import { CLIENT_ID_BASE } from "../../scenarios/workload/kv";
import { DISK_PROFILES } from "../../sim/disk";
import { measure, type ProfileMeasurement } from "./measure";
import type { LatencyOptions, LatencyResult } from "./types";

export type { LatencyOptions, LatencyResult } from "./types";
import { LATENCY_WORKLOADS } from "./workloads";

/** Why an option is bad, or undefined; the CLI turns it into a usage error. */
export function validateLatencyOptions(o: Pick<LatencyOptions, "disks" | "nodes" | "workload" | "faults" | "durationMs">): string | undefined {
  if (o.disks.length === 0) return "--disks needs at least one profile";
  for (const d of o.disks) if (!DISK_PROFILES[d]) return `unknown disk profile '${d}' (expected: ${Object.keys(DISK_PROFILES).join(", ")})`;
  if (new Set(o.disks).size !== o.disks.length) return "--disks lists a profile twice";
  if (!(o.nodes >= 1 && o.nodes <= 9)) return `--nodes must be between 1 and 9, got ${o.nodes}`;
  if (!LATENCY_WORKLOADS[o.workload]) return `unknown workload '${o.workload}' (expected: ${Object.keys(LATENCY_WORKLOADS).join(", ")})`;
  if (o.faults !== undefined && !BUILTIN_SCENARIOS.some((s) => s.name === o.faults)) return `unknown fault plan '${o.faults}' (expected a built-in scenario: ${BUILTIN_SCENARIOS.map((s) => s.name).join(", ")})`;
  if (!(o.durationMs >= 1_000)) return `--duration must be at least 1s`;
  return undefined;
}

/** The fault plan's steps, split into those inside the run and those at or after its end (never fired). */
export function faultSteps(o: Pick<LatencyOptions, "faults" | "durationMs">): { applied: FaultStep[]; beyondEnd: FaultStep[] } {
  const all = o.faults === undefined ? [] : BUILTIN_SCENARIOS.find((s) => s.name === o.faults)!.faults;
  return { applied: all.filter((f) => f.atMs < o.durationMs), beyondEnd: all.filter((f) => f.atMs >= o.durationMs) };
}

export function latencyScenario(o: LatencyOptions, disk: string): Scenario {
  const faults = faultSteps(o).applied;
  return {
    name: `latency-${o.workload}-${disk}`,
    description: LATENCY_WORKLOADS[o.workload]!.description,
    cluster: { ...DEFAULT_CLUSTER, nodes: o.nodes, disk, network: o.network ?? "lan" },
    workload: { ...LATENCY_WORKLOADS[o.workload]!.workload },
    faults: faults.map((f) => ({ ...f })),
    durationMs: o.durationMs,
    // Latency is what this run is for; the correctness checks run in `raftsim run/fuzz`.
    checks: [],
  };
}

export function runLatency(o: LatencyOptions): LatencyResult {
  const profiles: Record<string, ProfileMeasurement> = {};
  o.disks.forEach((disk, i) => {
    const scenario = latencyScenario(o, disk);
    const r = runScenario({ seed: o.seed, scenario });
    const fsyncLatenciesUs = r.world.allEndpoints().map((id) => r.world.node(id).disk.fsyncLatenciesUs);
    profiles[disk] = measure(
      { ops: r.recorder.ops, startUs: Math.round((r.elections[0]?.endMs ?? 0) * 1_000), durationUs: scenario.durationMs * 1_000, fsyncLatenciesUs, elections: r.elections.length },
      (client) => client >= CLIENT_ID_BASE,
    );
    o.onProfile?.(i + 1, o.disks.length, disk);
  });
  return {
    seed: o.seed,
    nodes: o.nodes,
    network: o.network ?? "lan",
    workload: o.workload,
    workloadDescription: LATENCY_WORKLOADS[o.workload]!.description,
    durationMs: o.durationMs,
    faults: o.faults === undefined ? null : { scenario: o.faults, steps: faultSteps(o).applied, beyondEnd: faultSteps(o).beyondEnd },
    disks: o.disks.map((d) => ({ name: d, source: DISK_PROFILES[d]!.source, fsyncMedianMs: DISK_PROFILES[d]!.fsyncMedianUs / 1_000, fsyncP99Ms: DISK_PROFILES[d]!.fsyncP99Us / 1_000 })),
    profiles,
  };
}
