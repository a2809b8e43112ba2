// Convergence compares replicas at one applied index. A run that ends while the members are
// still applying its last entries leaves none at the same index, and the check could not
// decide; the run now goes on a little (at most 1 s, in 100 ms steps) until two meet, and
// longer (in 1 s steps, at most 60 s) while the replica furthest behind closes the gap.
// (The state checkpoints taken during a run would decide these runs anyway: the tests look
// at the live replicas at the end, which the waiting is for.)
import { describe, expect, it } from "vitest";
import { NO_BUGS } from "../core/canary";
import { campaignCaseArb } from "./fuzz/arbitraries";
import { drawnCase, fuzzRun } from "./fuzz/driver";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

/** Applied index → live replicas there, at the end of a run. */
function liveReplicasByIndex(run: ReturnType<typeof runScenario>): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const id of run.world.allEndpoints()) {
    const node = run.world.node(id).status === "up" ? run.system.node(id) : undefined;
    if (node) out.set(node.server.appliedIndex(), [...(out.get(node.server.appliedIndex()) ?? []), id]);
  }
  return out;
}

function endsWithTwoMet(campaignSeed: number, index: number, cycles: number, nodes: number): boolean {
  const { seed, c } = drawnCase(campaignSeed, index, campaignCaseArb(cycles, nodes));
  const run = runScenario({ seed, scenario: c.scenario });
  return [...liveReplicasByIndex(run).values()].some((ids) => ids.length >= 2);
}

describe("convergence waits for two replicas to meet", () => {
  it("`raftsim fuzz --seed 102 --nodes 3 --cycles 8`, run 2990: the leader's lease revokes at the end no longer leave it undecided", () => {
    // At the usual end the three members had applied 355, 356 and 357 entries (revokes of
    // expired leases, proposed a few milliseconds before), so no two could be compared.
    // (Since the runs go on CONVERGE_US past the heal, two meet here before any settling:
    // the test now guards the verdict, and the next one the settling.)
    const o = fuzzRun({ arbitrary: campaignCaseArb(8, 3), campaignSeed: 102, index: 2990, bugs: NO_BUGS });
    expect(o.seed).toBe(1033737987);
    expect(o.passed).toBe(true);
    expect(o.unknownChecks).toEqual([]);
    expect(endsWithTwoMet(102, 2990, 8, 3)).toBe(true);
  }, 60_000);

  it("`raftsim fuzz --seed 154 --nodes 3 --cycles 16`, run 59162: a replica still catching up at the end gets time while it gains", () => {
    // At the usual end member 4 had applied 954 entries and member 2 1,502: member 4 was
    // being caught up one entry per append, four in flight, on an HDD. It now catches up.
    const o = fuzzRun({ arbitrary: campaignCaseArb(16, 3), campaignSeed: 154, index: 59162, bugs: NO_BUGS });
    expect(o.passed).toBe(true);
    expect(o.unknownChecks).toEqual([]);
    expect(endsWithTwoMet(154, 59162, 16, 3)).toBe(true);
  }, 60_000);

  it("a check that cannot decide says why: one member is no one to compare with (no waiting either)", () => {
    const scenario = validateScenario({ name: "one-member", durationMs: 2_000, cluster: { nodes: 1 } }, "test");
    const run = runScenario({ seed: 1, scenario });
    expect(run.checks.convergence).toBe("unknown");
    expect(run.unknownReasons).toEqual({ convergence: "no two replicas met at a state checkpoint during the run; at the end, fewer than two live replicas to compare" });
  });
});
