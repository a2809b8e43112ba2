// Regression: a leader that removed itself stopped 10 ticks after applying its removal (etcd's
// stopWithDelay), but a partition had cut it off from the last member just before, so that
// member never heard C_new = {2} committed, stayed in C_old,new = {1,2} & {2}, and needed the
// vote of a member that was gone for good: no leader for the whole 100 s liveness bound.
// The removed leader now leads on until C_new is known to have heard (Raft.removalSettled).
// Found by `raftsim fuzz --seed 69 --runs 2341 --shard 2340/2341 --cycles 8` (run 2340).
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 602253248;
const CASE = {
    name: "fuzz",
    description: "seed 69 at 8 rounds, run 2340, shrunk",
    cluster: { nodes: 3, disk: "nvme", network: "wan", tickMs: 100, electionTicks: 10, heartbeatTicks: 1, preVote: false, checkQuorum: false, readMode: "read-index", snapshotEntries: 10000, clockDriftPpm: [0, 0, -200000], watchFragmentBytes: 150 },
    workload: { kind: "kv", clients: 1, ratePerSec: 10, keys: 1, valueBytes: 1, mix: { put: 1 }, watchers: 0, requestTimeoutMs: 300, api: "full" },
    faults: [
      { atMs: 8472, type: "remove-member", node: "random" },
      { atMs: 9078, type: "remove-member", node: "leader" },
      { atMs: 9249, type: "partition", groups: [[1], [2, 3]] },
      { atMs: 19565, type: "heal" },
    ],
    durationMs: 20850,
    checks: ["liveness"],
};
const SCENARIO = validateScenario(CASE, "remove-the-leader partition case");
// The same, with the removed leader crashing and restarting while it is cut off: the host
// keeps its right to wait on disk (removed-while-leading), or it would restart, count as a
// plain removed member and stop, leaving member 2 in C_old,new as before.
const CRASH_US = 12_000_000;
const RESTART_US = 13_000_000;
const WITH_CRASH = validateScenario(
  { ...CASE, faults: [...CASE.faults.slice(0, 3), { atMs: CRASH_US / 1000, type: "crash", node: 1 }, { atMs: RESTART_US / 1000, type: "restart", node: 1 }, CASE.faults[3]!] },
  "remove-the-leader partition case with a crash",
);
const PARTITION_US = 9_249_000;
const HEAL_US = 19_565_000;

describe("a leader removed just before a partition cuts it off", () => {
  it("leads on until the last member knows, so that member can lead after the heal", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO, keepTrace: true });
    expect(r.violations).toEqual([]);
    expect(r.checks.liveness).toBe("pass");
    const events = r.world.trace.events;
    // The case needs member 1 removed while leading, and the cut just after.
    const removedAnswer = events.find((e) => e.type === "note" && e.text === "operator: member remove 1 -> ok, members 2");
    expect(removedAnswer?.tUs).toBeLessThan(PARTITION_US);
    // Member 1 stopped only after the heal, once member 2 had been elected with its vote.
    const stops = events.filter((e) => e.type === "fault" && e.fault === "fail-stop" && (e as { nodes: number[] }).nodes.includes(1));
    expect(stops.length).toBeGreaterThan(0);
    expect(stops[0]!.tUs).toBeGreaterThan(HEAL_US);
    const leader2 = events.find((e) => e.type === "role" && e.node === 2 && e.role === "leader" && e.tUs > HEAL_US);
    expect(leader2).toBeDefined();
    expect(leader2!.tUs).toBeLessThan(stops[0]!.tUs);
  });
  it("keeps that on disk: restarted while cut off, it still waits until the last member knows", () => {
    const r = runScenario({ seed: SEED, scenario: WITH_CRASH, keepTrace: true });
    expect(r.violations).toEqual([]);
    expect(r.checks.liveness).toBe("pass");
    const events = r.world.trace.events;
    const faultsOn1 = events.filter((e) => e.type === "fault" && (e as { nodes: number[] }).nodes.includes(1)).map((e) => [e.tUs, (e as { fault: string }).fault]);
    expect(faultsOn1).toContainEqual([CRASH_US, "crash"]);
    expect(faultsOn1).toContainEqual([RESTART_US, "restart"]);
    const stop = events.find((e) => e.type === "fault" && (e as { fault: string }).fault === "fail-stop" && (e as { nodes: number[] }).nodes.includes(1));
    expect(stop!.tUs).toBeGreaterThan(HEAL_US);
  });
});
