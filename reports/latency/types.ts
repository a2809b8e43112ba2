// The latency report's inputs and result (kept apart from run.ts so rendering and tests
// need no simulation).
import type { FaultStep } from "../../scenarios/types";
import type { ProfileMeasurement } from "./measure";

export interface LatencyOptions {
  disks: string[];
  nodes: number;
  workload: string;
  seed: number;
  durationMs: number;
  /** A built-in scenario whose fault plan every profile runs under. */
  faults?: string;
  network?: string;
  onProfile?: (done: number, total: number, disk: string) => void;
}

export interface LatencyResult {
  seed: number;
  nodes: number;
  network: string;
  workload: string;
  workloadDescription: string;
  durationMs: number;
  /** The fault plan every profile ran under; steps at or after the end of the run never fire. */
  faults: { scenario: string; steps: FaultStep[]; beyondEnd?: FaultStep[] } | null;
  disks: { name: string; source: string; fsyncMedianMs: number; fsyncP99Ms: number }[];
  profiles: Record<string, ProfileMeasurement>;
}

