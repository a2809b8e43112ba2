// Regression (a false alarm of the Raft monitor's lease check): leader 2, with lease reads,
// removed itself; node 1 told it so (member-removed) just as its disk stalled for 407 ms.
// The host stopped serving at once, and stopped ticking, but exits only once its removal
// mark is durable, so it stayed up and still "leader", its lease frozen at its last tick.
// Node 3 was elected meanwhile, and the monitor asked node 2 whether it still held its lease:
// by its frozen ticks, yes. A stopped host answers nothing, so the lease check now skips it
// (sim/host/safety.ts checkLeasesAt, RaftHost.stopped). Found by
// `raftsim fuzz --cycles 3 --runs 15000 --seed 19`, run 1872 (shrunk from 9 faults to 2).
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 2108943512;
const SCENARIO = validateScenario({"name":"fuzz","description":"fuzzed: 3 cycles of faults and heal (0 + 2 + 2 faults)","cluster":{"nodes":3,"disk":"nvme","network":"lan","tickMs":100,"electionTicks":3,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"lease","snapshotEntries":10000,"clockDriftPpm":[0,100000,0]},"workload":{"kind":"kv","clients":1,"ratePerSec":10,"keys":1,"valueBytes":1,"mix":{"put":1},"watchers":0,"requestTimeoutMs":300},"faults":[{"atMs":3372,"type":"remove-member","node":"leader"},{"atMs":3374,"type":"disk-stall","node":"leader","durationMs":407}],"durationMs":8252,"checks":["linearizability","watch","durability","convergence","liveness","kubernetes","leases"]}, "removed-leader-stall case");

describe("a removed leader whose disk stalls its exit", () => {
  it("is not judged to hold a lease: it has stopped serving, though it is up and says it leads", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO, keepTrace: true });
    expect(r.violations).toEqual([]);
    // The case is exercised: node 2 heard it was removed during the stall, and node 3 was
    // elected while node 2 was still up and had not stepped down.
    const events = r.world.trace.events;
    const stall = events.find((e) => e.type === "fault" && e.fault === "disk-stall" && e.nodes[0] === 2)!;
    const told = events.find((e) => e.type === "deliver" && e.msgType === "member-removed" && e.to === 2)!;
    const elected = events.find((e) => e.type === "role" && e.node === 3 && e.role === "leader")!;
    expect(stall.tUs).toBeLessThan(told.tUs);
    expect(told.tUs).toBeLessThan(elected.tUs);
    expect(events.some((e) => e.type === "role" && e.node === 2 && e.role !== "leader" && e.tUs > told.tUs && e.tUs <= elected.tUs)).toBe(false);
    expect(events.some((e) => e.type === "fault" && e.fault === "crash" && e.nodes[0] === 2 && e.tUs <= elected.tUs)).toBe(false);
  });
});
