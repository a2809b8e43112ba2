// Regression: a member removed while a partition cut it off never applied its own removal,
// and with neither pre-vote nor check-quorum to keep it out it campaigned against the
// cluster for good, deposing each new leader (thesis §4.2.3). etcd's peer transport answers
// a removed member's messages with 410 Gone, and the member stops itself; the hosts now do
// the same (MSG_MEMBER_REMOVED). Found by a clean campaign, `raftsim fuzz --runs 60000
// --seed 8`, run 44268.
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 1166311951;
const SCENARIO = validateScenario({"name":"fuzz","description":"fuzzed: 9 faults from [network, disk, clock, membership], heal at 1010 ms","cluster":{"nodes":5,"disk":"nvme","network":"lan","tickMs":20,"electionTicks":3,"heartbeatTicks":1,"preVote":false,"checkQuorum":false,"readMode":"read-index","snapshotEntries":10000,"maxSizePerMsgBytes":1,"maxInflightMsgs":4,"alignedTicks":true},"workload":{"kind":"kubernetes","clients":2,"ratePerSec":70,"keys":1,"valueBytes":48,"mix":{"get":2,"getSerializable":2,"put":6,"delete":1,"txn":2,"compact":1},"watchers":1,"requestTimeoutMs":302,"kubernetes":{"kinds":["pods"],"namespaces":["default","kube-system"],"leaseTtlSeconds":2,"listPageSize":8,"mix":{"get":2,"update":1,"create":3,"delete":1,"compact":0.1}}},"faults":[{"atMs":229,"type":"partition","groups":[[1,3,4],[2,5]]},{"atMs":487,"type":"disk-stall","node":3,"durationMs":523},{"atMs":731,"type":"remove-member","node":"random"},{"atMs":759,"type":"isolate","node":"leader"},{"atMs":915,"type":"cut-one-way","from":"follower","to":5},{"atMs":1010,"type":"heal"}],"durationMs":2010,"checks":["liveness"]}, "removed-member disruption case");

describe("a removed member that never applied its removal", () => {
  it("is told by its former peers and stops, so the cluster keeps a leader", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO, keepTrace: true });
    expect(r.checks.liveness).toBe("pass");
    expect(r.violations).toEqual([]);
    const stops = r.world.trace.events.filter((e) => e.type === "fault" && e.fault === "fail-stop" && e.detail === "the member has been permanently removed from the cluster");
    expect(stops.map((e) => (e as { nodes: number[] }).nodes)).toEqual([[5]]);
  });
});
