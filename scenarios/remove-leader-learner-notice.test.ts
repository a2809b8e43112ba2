// Regression: a leader that removed itself waits until C_new is known to have heard
// (Raft.removalSettled), but a learner's "you were removed" notice stopped it at once. The
// learner had heard the removal commit; C_new's only voter had not (it was paused just
// then), so on resume it stayed in C_old,new and needed the stopped leader's vote: no leader
// for the whole 100 s liveness bound. A notice now counts only as its sender having heard,
// toward C_new's quorum, where a learner counts for nothing.
// Found by `raftsim fuzz --seed 112 --runs 1924 --shard 1923/1924 --cycles 12` (run 1923).
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 1980923135;
const SCENARIO = validateScenario(
  {
    name: "fuzz",
    description: "seed 112 at 12 rounds, run 1923, shrunk",
    cluster: { nodes: 3, disk: "nvme", network: "wan", tickMs: 100, electionTicks: 10, heartbeatTicks: 1, preVote: false, checkQuorum: false, readMode: "read-index", snapshotEntries: 10000, watchFragmentBytes: 150 },
    workload: { kind: "kv", clients: 1, ratePerSec: 10, keys: 1, valueBytes: 1, mix: { put: 1 }, watchers: 0, requestTimeoutMs: 300, api: "full" },
    faults: [
      { atMs: 5207, type: "remove-member", node: 1 },
      { atMs: 13207, type: "add-member", learner: true },
      { atMs: 18117, type: "remove-member", node: "leader" },
      { atMs: 18308, type: "pause", node: 3 },
      { atMs: 26105, type: "resume", node: "all-paused" },
    ],
    durationMs: 27122,
    checks: ["liveness"],
  },
  "removed leader, learner's notice case",
);

describe("a removed leader does not stop on a learner's word", () => {
  it("member 3, paused before it heard, is elected on resume and the store takes writes again", () => {
    const run = runScenario({ seed: SEED, scenario: SCENARIO, keepTrace: true });
    // The case as found: the leader (2) removed itself, and learner 4 told it so.
    const notes = run.world.trace.events.flatMap((e) => (e.type === "note" ? [e.text] : []));
    expect(notes).toContain("operator: member remove 2 -> ok, members 3,4(learner)");
    expect(run.world.trace.events.some((e) => e.type === "send" && e.from === 4 && e.to === 2 && e.msgType === "member-removed")).toBe(true);
    expect(run.checks.liveness).toBe("pass");
    expect(run.checks.invariants).toBe("pass");
    expect(run.system.leader()?.status().confState.voters).toEqual([3]);
  });
});
