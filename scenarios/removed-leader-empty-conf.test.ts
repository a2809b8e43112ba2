// A removed leader restarted before C_new heard must not count its removal as settled while
// its configuration is still empty (before a restart applies its log's configuration entries
// again): an empty configuration counts as agreed on everything. It did, stopped as removed,
// and the other member, C_new's only voter but still in C_old,new, waited for its vote for
// good. Found by `raftsim fuzz --seed 173 --runs 3619 --shard 3618/3619 --cycles 12 --nodes 2`.
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SCENARIO = validateScenario({"name":"fuzz","description":"fuzzed: 12 cycles of faults and heal (0 + 0 + 3 + 3 + 2 + 2 + 8 + 4 + 1 + 0 + 0 + 2 faults)","cluster":{"nodes":2,"disk":"hdd","network":"lan","tickMs":100,"electionTicks":10,"heartbeatTicks":1,"preVote":false,"checkQuorum":false,"readMode":"read-index","snapshotEntries":10000,"clockDriftPpm":[-100000,0],"watchFragmentBytes":150},"workload":{"kind":"kv","clients":1,"ratePerSec":10,"keys":1,"valueBytes":1,"mix":{"put":1},"watchers":0,"requestTimeoutMs":300,"api":"full"},"faults":[{"atMs":4000,"type":"remove-member","node":1},{"atMs":4090,"type":"fsync-error","node":"follower","count":1},{"atMs":4110,"type":"crash","node":1},{"atMs":28852,"type":"restart","node":"all-down"}],"durationMs":29856,"checks":["liveness"]}, "removed leader restart case");

describe("a removed leader restarted with its configuration not yet rebuilt (thesis §4.2.2)", () => {
  it("waits for C_new to hear before it stops, so the other member gets its vote and leads", () => {
    const r = runScenario({ seed: 87555957, scenario: SCENARIO });
    expect(r.violations).toEqual([]);
    expect(r.checks.liveness).toBe("pass");
  });
});
