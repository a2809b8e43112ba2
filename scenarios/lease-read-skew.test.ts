// The clock-skew-lease-read scenario against the lease-read-ignores-skew canary (thesis
// §6.4.1): with the drift margin the lease lapses before a new leader can be elected; without
// it the isolated leader, its clock 20% slow, answers reads from its lease after another
// leader was elected. The Raft monitor's lease-read invariant sees every such read; a client
// sees one only when a write reached the new leader first, so linearizability fails on fewer
// seeds. The window is a few hundred ms wide, so not every seed lands a read in it.
import { describe, expect, it } from "vitest";
import { findBuiltin } from "./builtin";
import { runScenario } from "./run";

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
