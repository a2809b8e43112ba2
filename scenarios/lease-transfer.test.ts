// Regression: a lease read was unsafe after a leader transfer that was given up. The leader
// (node 3, lease-based reads) began removing node 2, then was asked to transfer leadership
// to node 2 and sent it TimeoutNow. The removal applied and dropped the transfer, the next
// heartbeats brought the lease back — and node 2, campaigning on the TimeoutNow past its
// peers' lease check, was elected leader of term 6 while node 3 would still have answered
// reads from its lease (thesis §3.10, §6.4.1). A leader that sent TimeoutNow now serves no
// lease read for the rest of its term (core/raft/raft.ts, leaseVoided). Found by the first
// three-round campaign: `raftsim fuzz --cycles 3 --runs 10000 --seed 7`, run 8871.
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 327706387;
const SCENARIO = validateScenario({"name":"fuzz","description":"fuzzed: 3 cycles of faults and heal (2 + 3 + 4 faults)","cluster":{"nodes":4,"disk":"ssd","network":"wan","tickMs":100,"electionTicks":5,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"lease","snapshotEntries":200,"clockDriftPpm":[0,-100000,-100000,-100000],"alignedTicks":true},"workload":{"kind":"kv","clients":2,"ratePerSec":15,"keys":3,"valueBytes":5,"mix":{"get":4,"getSerializable":1,"put":3,"delete":3,"txn":1,"lease":1},"watchers":0,"requestTimeoutMs":917,"balancer":"round-robin"},"faults":[{"atMs":667,"type":"crash","node":2,"tear":true},{"atMs":1000,"type":"restart","node":"all-down"},{"atMs":2465,"type":"isolate","node":"leader"},{"atMs":2640,"type":"partition","groups":[[1,2],[3,4]]},{"atMs":3459,"type":"heal"},{"atMs":4570,"type":"remove-member","node":"random"},{"atMs":4737,"type":"transfer-leader","to":2},{"atMs":5461,"type":"heal"},{"atMs":5461,"type":"restart","node":"all-down"}],"durationMs":6461,"checks":["linearizability","watch","durability","convergence","liveness","kubernetes","leases"]}, "transfer-then-lease case");

describe("a lease after a leader transfer that was given up", () => {
  it("is not used: no leader of an earlier term still holds its lease when node 2 is elected", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO, keepTrace: true });
    expect(r.violations).toEqual([]);
    // The case is exercised: a TimeoutNow went out and node 2 won the election it started.
    const events = r.world.trace.events;
    expect(events.some((e) => e.type === "send" && e.msgType === "timeout-now" && e.to === 2)).toBe(true);
    expect(events.some((e) => e.type === "role" && e.node === 2 && e.role === "leader")).toBe(true);
  });
});
