// Regression: a store leader paused 2.5 s wakes up and, before it has ticked the time it
// lost, its lessor's deferred timer asks for a read index, answered from a lease that had
// lapsed long ago while another leader was elected (the Raft monitor's lease-read
// invariant). Found by a clean campaign (`raftsim fuzz --seed 3 --runs 3000`, run 2541),
// shrunk to its one fault. Fixed by catching the lost ticks up before any due timer runs.
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 943886161;
const SCENARIO = validateScenario({"name":"fuzz","description":"fuzzed: 1 faults from [pause], heal at 2996 ms","cluster":{"nodes":5,"disk":"hdd","network":"lan","tickMs":20,"electionTicks":10,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"lease","snapshotEntries":50,"clockDriftPpm":[-200000,100000,-200000,-100000,-100000],"maxSizePerMsgBytes":1,"maxInflightMsgs":4},"workload":{"kind":"kubernetes","clients":2,"ratePerSec":66,"keys":6,"valueBytes":3,"mix":{"get":3,"getSerializable":1,"range":3,"put":5,"lease":1,"compact":1},"watchers":2,"requestTimeoutMs":1687,"kubernetes":{"kinds":["pods","deployments","configmaps"],"namespaces":["default","kube-system"],"leaseTtlSeconds":1,"listPageSize":3,"mix":{"get":3,"update":5,"create":1,"compact":0.5}}},"faults":[{"atMs":479,"type":"pause","node":4},{"atMs":2996,"type":"resume","node":"all-paused"}],"durationMs":3996,"checks":["linearizability","watch","durability","convergence","liveness","kubernetes","leases"]}, "pause-lease case");

describe("a paused store leader's lease", () => {
  it("has lapsed when it wakes: no read is answered from it after a newer leader's election", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO });
    expect(r.violations).toEqual([]);
    expect(r.checks.invariants).toBe("pass");
  });
});
