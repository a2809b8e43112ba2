// Convergence used to compare only the replicas live at the end. A run whose membership
// changes left one member had nothing to compare, and the check could not decide (seed 154
// with 3 members at 16 rounds: 4,240 of 68,536 runs). The state checkpoints taken during
// the run (sim/etcd/node.ts, STATE_CHECKPOINT_ENTRIES) compare the removed members too.
import { describe, expect, it } from "vitest";
import { campaignCaseArb } from "./fuzz/arbitraries";
import { drawnCase } from "./fuzz/driver";
import { checkConvergence, type Replica } from "./checks";
import { runScenario } from "./run";

describe("convergence at the checkpoints of a run", () => {
  it("`raftsim fuzz --seed 154 --nodes 3 --cycles 16`, run 20254: one member left at the end, the removed ones compared on the way", () => {
    const { seed, c } = drawnCase(154, 20254, campaignCaseArb(16, 3));
    const run = runScenario({ seed, scenario: c.scenario });
    const live: Replica[] = [];
    for (const id of run.world.allEndpoints()) {
      const node = run.world.node(id).status === "up" ? run.system.node(id) : undefined;
      if (node) live.push({ node: id, appliedIndex: node.server.appliedIndex(), server: node.server });
    }
    expect(live).toHaveLength(1);
    // The end alone: nothing to compare.
    expect(checkConvergence(live).result).toBe("unknown");
    expect(run.system.oracle.stateCheckpointsShared()).toBeGreaterThan(0);
    expect(run.system.oracle.stateMismatches).toEqual([]);
    expect(run.checks.convergence).toBe("pass");
  }, 60_000);

  it("a mismatch at a checkpoint fails the check, whatever the end shows", () => {
    const outcome = checkConvergence([], { shared: 3, mismatches: ["nodes 1 and 2 differ at applied index 48 (state aaaa vs bbbb, a checkpoint during the run)"] });
    expect(outcome.result).toBe("fail");
    expect(outcome.messages[0]).toContain("applied index 48");
  });
});
