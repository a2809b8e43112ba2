// Regression: a lease read was unsafe when followers restarted. Node 1 led term 2 with
// lease-based reads. Nodes 3 and 5 crashed (3 right after acknowledging an append) and were
// back within 40 ms, remembering nothing of node 1; node 4 came out of a pause with its
// election timer long expired and campaigned for term 3, and the two restarted nodes voted
// for it at once: node 4 was elected while node 1 would still have answered reads from its
// lease (thesis §6.4.1). A node that restarts under lease-based reads now refuses votes for
// an election timeout (core/raft/raft.ts, votesRefusedUntilTick). Found by
// `raftsim fuzz --cycles 3 --runs 15000 --seed 13`, run 10767 (shrunk from 20 faults to 9).
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 226497647;
const SCENARIO = validateScenario({"name":"fuzz","description":"fuzzed: 3 cycles of faults and heal (1 + 7 + 6 faults)","cluster":{"nodes":5,"disk":"nvme","network":"lan","tickMs":100,"electionTicks":5,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"lease","snapshotEntries":10000,"alignedTicks":true},"workload":{"kind":"kv","clients":1,"ratePerSec":10,"keys":1,"valueBytes":1,"mix":{"put":1},"watchers":0,"requestTimeoutMs":300},"faults":[{"atMs":0,"type":"partition","groups":[[1,3,4,5],[2]]},{"atMs":1002,"type":"heal"},{"atMs":2116,"type":"crash","node":"follower","tear":true},{"atMs":2178,"type":"pause","node":4},{"atMs":2252,"type":"crash","node":"random","tear":true},{"atMs":2867,"type":"crash-after","on":"ack","node":"any","times":2},{"atMs":2987,"type":"restart","node":3},{"atMs":3011,"type":"resume","node":"all-paused"},{"atMs":3011,"type":"restart","node":"all-down"},{"atMs":5256,"type":"heal"},{"atMs":5256,"type":"resume","node":"all-paused"},{"atMs":5256,"type":"restart","node":"all-down"}],"durationMs":6256,"checks":["linearizability","watch","durability","convergence","liveness","kubernetes","leases"]}, "restart-then-lease case");

describe("a lease while acknowledging followers restart", () => {
  it("holds: no leader is elected inside it, though node 4 campaigns right after two followers restart", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO, keepTrace: true });
    expect(r.violations).toEqual([]);
    // The case is exercised: nodes 3 and 5 restarted, and node 4 campaigned for term 3 within
    // 50 ms of the last restart, while node 1 led term 2 with lease reads.
    const events = r.world.trace.events;
    const campaign = events.find((e) => e.type === "role" && e.node === 4 && e.role === "candidate" && e.term === 3);
    expect(campaign).toBeDefined();
    const restarts = events.filter((e) => e.type === "fault" && e.fault === "restart" && e.tUs <= campaign!.tUs).map((e) => e.type === "fault" ? e.nodes[0] : undefined);
    expect(new Set(restarts)).toEqual(new Set([3, 5]));
    const lastRestartUs = Math.max(...events.filter((e) => e.type === "fault" && e.fault === "restart" && e.tUs <= campaign!.tUs).map((e) => e.tUs));
    expect(campaign!.tUs - lastRestartUs).toBeLessThan(50_000);
    expect(events.some((e) => e.type === "role" && e.node === 1 && e.role === "leader" && e.term === 2)).toBe(true);
    // No one won term 3.
    expect(events.some((e) => e.type === "role" && e.role === "leader" && e.term === 3)).toBe(false);
  });
});
