// The one rule: a run is a pure function of (seed, scenario). Runs every seed twice under a
// mix of faults and compares the trace hashes; different seeds must differ.
import { describe, expect, it } from "vitest";
import { findBuiltin } from "../scenarios/builtin";
import { runScenario } from "../scenarios/run";
import type { FaultStep, Scenario } from "../scenarios/types";

function faultMix(seed: number): FaultStep[] {
  const kinds: FaultStep[] = [
    { atMs: 100, type: "isolate", node: "random" },
    { atMs: 150, type: "link-faults", loss: 0.05, duplicate: 0.05, reorder: 0.1 },
    { atMs: 200, type: "crash", node: "random", tear: true },
    { atMs: 250, type: "pause", node: "random" },
    { atMs: 300, type: "slow-fsync", node: "random", factor: 5, addMs: 1, durationMs: 200 },
    { atMs: 350, type: "clock-drift", node: "random", ppm: 50_000 },
    { atMs: 400, type: "heal" },
    { atMs: 450, type: "resume", node: "all-paused" },
    { atMs: 500, type: "restart", node: "all-down" },
  ];
  return kinds.filter((_, i) => (seed >> i) % 3 !== 0 || i >= 6);
}

describe("determinism", () => {
  it("≥ 200 seeds × a fault mix, each run twice, give identical trace hashes", () => {
    const base = findBuiltin("leader-partition")!;
    base.cluster.electionTicks = 3;
    base.cluster.tickMs = 50;
    const hashes = new Set<string>();
    const SEEDS = 200;
    for (let seed = 1; seed <= SEEDS; seed++) {
      // Checks off: this test is about the trace, and skipping the recovery phase keeps it fast.
      const scenario: Scenario = { ...base, durationMs: 700, faults: faultMix(seed), checks: [] };
      const a = runScenario({ seed, scenario });
      const b = runScenario({ seed, scenario });
      if (a.traceHash !== b.traceHash) throw new Error(`seed ${seed}: trace hashes differ (${a.traceHash} vs ${b.traceHash})`);
      expect(a.events).toBe(b.events);
      hashes.add(a.traceHash);
    }
    expect(hashes.size).toBe(SEEDS);
  });
});
