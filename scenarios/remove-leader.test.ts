// Regression: removing the leader of a two-member cluster left the other member stuck for
// good. The leader committed C_new = {3}, stepped down and stopped at once; its append telling
// member 3 so arrived ahead of the entry it followed and was rejected, so member 3 never
// learned the commit, stayed in C_old,new = {3} & {1,3} and needed the vote of a member that
// was gone. etcd avoids this: its raft lets a removed leader lead on (not counting itself, no
// new proposals) and its server stops a removed member only after 1 s (stopWithDelay), so
// the remaining members hear that C_new committed. Found by `raftsim fuzz --bug
// lease-read-ignores-skew --runs 40000 --seed 1` (run 28744); the canary plays no part.
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 786077879;
const SCENARIO = validateScenario({"name":"fuzz","description":"fuzzed: 2 faults from [process, membership], heal at 2610 ms","cluster":{"nodes":3,"disk":"ssd","network":"lan","tickMs":20,"electionTicks":10,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"lease","snapshotEntries":200},"workload":{"kind":"kv","clients":2,"ratePerSec":100,"keys":6,"valueBytes":62,"mix":{"range":2,"put":2,"txn":1,"lease":2},"watchers":1,"requestTimeoutMs":301},"faults":[{"atMs":547,"type":"remove-member","node":2},{"atMs":1901,"type":"remove-member","node":1}],"durationMs":3610,"checks":["liveness"]}, "remove-the-leader liveness case");

describe("removing the leader of a two-member cluster", () => {
  it("leaves the last member able to elect itself and take writes", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO });
    expect(r.checks.liveness).toBe("pass");
    expect(r.violations).toEqual([]);
    // Member 1 (the leader when it was removed) did stop.
    expect(r.world.node(1).status).toBe("down");
  });
});
