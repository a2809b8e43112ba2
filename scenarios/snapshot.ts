// Snapshot save for users: run a scenario with a seed up to a moment and ask a member for
// a snapshot through the Maintenance API, as `etcdctl snapshot save` would. The run is the
// scenario's own up to that moment (same seed, same faults so far); the fault plan's
// snapshot-save-restore step does the asking, so the snapshot is also restored once into
// a fresh cluster and checked before it is handed out.
import type { BugSet } from "../core/canary";
import { NO_BUGS } from "../core/canary";
import { OPERATOR_TIMEOUT_US } from "../sim/etcd/operator";
import type { SnapshotSummary } from "../sim/etcd/restore";
import { runScenario } from "./run";
import type { NodeSelector, Scenario } from "./types";
import { validateScenario } from "./validate";

export interface SavedSnapshot {
  image: Uint8Array;
  summary: SnapshotSummary;
  /** The member that answered. */
  node: number;
  /** Simulated time the answer arrived. */
  takenAtMs: number;
}

export type SaveOutcome = { ok: true; snapshot: SavedSnapshot } | { ok: false; error: string };

/** Runs `scenario` up to `atMs` and saves a snapshot from `node`. */
export function saveSnapshotAt(scenario: Scenario, seed: number, atMs: number, node: NodeSelector, bugs: BugSet = NO_BUGS): SaveOutcome {
  const upTo = validateScenario({
    ...scenario,
    // Long enough for the member's answer even when it is slow; no checks, no recovery phase.
    durationMs: atMs + OPERATOR_TIMEOUT_US / 1_000,
    faults: [...scenario.faults.filter((f) => f.atMs <= atMs), { atMs, type: "snapshot-save-restore", node }],
    checks: [],
  }, scenario.name);
  const result = runScenario({ seed, scenario: upTo, bugs });
  const invariant = result.violations.find((v) => v.check === "invariants");
  if (invariant) return { ok: false, error: `the run broke an invariant: ${invariant.message}` };
  const saved = result.system.snapshots[0];
  if (!saved) return { ok: false, error: `no snapshot: the member asked at ${atMs} ms did not answer within ${OPERATOR_TIMEOUT_US / 1_000_000} s (down, paused or cut off?)` };
  return { ok: true, snapshot: { image: saved.image, summary: saved.summary, node: saved.node, takenAtMs: Math.round(saved.atUs / 1_000) } };
}
