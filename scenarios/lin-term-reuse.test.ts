// A lone member wins term 3, appends an entry at index 92 and fails its fsync; restarted in
// term 2, it wins term 3 again and puts a different request at index 92: a put called 2.4 s
// after the first proposal there. The hints took the entry's proposal time from the first
// one, concluded the put could not have made its revision, left it unhinted, and the search
// ran out of budget (linearizability unknown). The oracle now keeps the latest proposal.
import { describe, expect, it } from "vitest";
import { campaignCaseArb } from "./fuzz/arbitraries";
import { drawnCase } from "./fuzz/driver";
import { runScenario } from "./run";

describe("hints when a term is won twice", () => {
  it("`raftsim fuzz --seed 159 --nodes 2 --cycles 12`, run 27117: the history verifies", () => {
    const { seed, c } = drawnCase(159, 27117, campaignCaseArb(12, 2));
    const run = runScenario({ seed, scenario: c.scenario, keepTrace: true });
    // The run is the one described: a fsync failure fail-stops member 2 while it leads.
    expect(run.world.trace.events.some((e) => e.type === "fault" && e.fault === "fail-stop" && e.nodes[0] === 2 && e.detail === "WAL fsync failed")).toBe(true);
    expect(run.checks.linearizability).toBe("pass");
  }, 120_000);
});
