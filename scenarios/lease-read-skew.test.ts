// The clock-skew-lease-read scenario against the lease-read-ignores-skew canary (thesis
// §6.4.1): with the drift margin the lease lapses before a new leader can be elected; without
// it the isolated leader, its clock 20% slow, serves reads the new leader's writes have made
// stale. The window is a few hundred ms wide, so not every seed lands a read in it.
import { describe, expect, it } from "vitest";
import { findBuiltin } from "./builtin";
import { runScenario } from "./run";

const SEEDS = Array.from({ length: 16 }, (_, i) => i + 1);

describe("clock-skew-lease-read", () => {
  it("the canary's stale lease reads fail linearizability on some seeds; the same seeds pass without it", () => {
    const scenario = findBuiltin("clock-skew-lease-read")!;
    const detected = SEEDS.filter((seed) => runScenario({ seed, scenario, bugs: new Set(["lease-read-ignores-skew"]) }).checks.linearizability === "fail");
    console.log(`lease-read-ignores-skew caught on seeds ${detected.join(", ")} of 1–${SEEDS.length}`);
    expect(detected.length).toBeGreaterThanOrEqual(2);
    for (const seed of detected) expect(runScenario({ seed, scenario }).checks.linearizability, `seed ${seed} without the canary`).toBe("pass");
  });
});
