// Regression: a learner removed while it was isolated never applied its own removal. As a
// learner it sends no Raft message, so no peer ever told it (only Raft traffic was checked
// for removed senders); after the heal it kept taking the liveness probe's writes and
// forwarding them to a former leader, answering each with a timeout, for good. etcd's peer
// transport turns away everything a removed member sends (forwarded proposals included), and
// the member stops itself; the hosts now check all peer traffic. Found by a clean campaign,
// `raftsim fuzz --runs 15000 --seed 45 --cycles 3`, run 14053 (shrunk).
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 218188586;
const SCENARIO = validateScenario({"name":"fuzz","description":"fuzzed: 3 cycles of faults and heal (2 + 3 + 4 faults)","cluster":{"nodes":4,"disk":"nvme","network":"wan","tickMs":100,"electionTicks":3,"heartbeatTicks":1,"preVote":true,"checkQuorum":true,"readMode":"lease","snapshotEntries":50,"clockDriftPpm":[0,200000,-100000,-100000],"maxSizePerMsgBytes":1,"maxInflightMsgs":4,"alignedTicks":true},"workload":{"kind":"kv","clients":3,"ratePerSec":14,"keys":1,"valueBytes":1,"mix":{"get":4,"range":2,"put":1,"delete":3,"txn":1,"lease":1,"compact":1},"watchers":1,"requestTimeoutMs":1898,"api":"full"},"faults":[{"atMs":1505,"type":"add-member","learner":true},{"atMs":3089,"type":"remove-member","node":"follower"},{"atMs":3114,"type":"isolate","node":"random"},{"atMs":4925,"type":"isolate","node":"random"},{"atMs":5918,"type":"heal"}],"durationMs":6918,"checks":["liveness"]}, "removed learner case");

describe("a learner removed while isolated", () => {
  it("is told by the peer it forwards a write to, and stops; the cluster takes writes again", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO, keepTrace: true });
    expect(r.checks.liveness).toBe("pass");
    expect(r.violations).toEqual([]);
    const stops = r.world.trace.events.filter((e) => e.type === "fault" && e.fault === "fail-stop" && e.detail === "the member has been permanently removed from the cluster");
    expect(stops.map((e) => (e as { nodes: number[] }).nodes)).toEqual([[5]]);
  });
});
