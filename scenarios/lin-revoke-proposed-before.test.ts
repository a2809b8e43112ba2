// Six members, twelve rounds: a put under a lease made revision 43 and a delete of its key
// made 44, both timed out. The lessor later revoked the lease, which deleted nothing and
// answered 44. The hints gave 44 to the revoke (it deleted exactly the lease's keys) and left
// the delete out, and the search ran out of budget (linearizability unknown). The entry that
// made 44 had been proposed 0.7 s before the revoke was called: it was not the revoke's.
// Since session 31 a drift change moves the timers already set (sim/process.ts), which moved
// this run's timing: now a revoke answers revision 24, whose entry was proposed 0.51 s before
// the revoke was called, so the test looks for such a revoke instead of revision 44.
import { describe, expect, it } from "vitest";
import { campaignCaseArb } from "./fuzz/arbitraries";
import { drawnCase } from "./fuzz/driver";
import { runScenario } from "./run";

describe("hints for a revoke called after its revision was proposed", () => {
  it("`raftsim fuzz --seed 164 --nodes 6 --cycles 12`, run 21775: the history verifies", () => {
    const { seed, c } = drawnCase(164, 21775, campaignCaseArb(12, 6));
    const run = runScenario({ seed, scenario: c.scenario });
    // The run is of the kind described: the lessor's revoke answered a revision whose entry
    // was proposed well before the revoke was called.
    const proposedAtUs = run.system.oracle.revisionsProposedAtUs();
    const revoke = run.recorder.ops.find((op) => {
      if (op.client < 10_000 || op.input.type !== "leaseRevoke" || op.output === null || !("header" in op.output)) return false;
      const at = proposedAtUs.get(op.output.header.revision);
      return at !== undefined && op.call - at > 500_000;
    });
    expect(revoke).toBeDefined();
    expect(run.checks.linearizability).toBe("pass");
  }, 120_000);
});
