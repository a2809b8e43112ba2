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
const SCENARIO = validateScenario(
  {
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
  },
  "remove-the-leader partition case",
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
});
