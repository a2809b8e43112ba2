// Regression: a member's machine started only once its `member add` was answered, and the
// heal did not start it either. Here a 2-member cluster is down to one after a removal; a
// voter is added under 21% link loss; the add applies (a quorum of two now, the new member
// not running) but its answer is lost, so the operator waits out etcdctl's 5 s. The lone
// member had no quorum from the add until then, past the 2 s liveness bound after the heal.
// Now a heal (and a restart of everything down) starts the machines of adds still
// unanswered, as an operator repairing the cluster would.
// Found by `raftsim fuzz --seed 121 --runs 1979 --shard 1978/1979 --cycles 8 --nodes 2` (run 1978).
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 887367353;
const SCENARIO = validateScenario(
  {
    name: "fuzz",
    description: "seed 121 with 2 members at 8 rounds, run 1978, shrunk",
    cluster: { nodes: 2, disk: "hdd", network: "lan", tickMs: 20, electionTicks: 5, heartbeatTicks: 1, preVote: true, checkQuorum: true, readMode: "lease", snapshotEntries: 10000, clockDriftPpm: [0, 200000], watchFragmentBytes: 1990 },
    workload: { kind: "kv", clients: 1, ratePerSec: 26, keys: 1, valueBytes: 1, mix: { get: 1, getSerializable: 1, range: 1, put: 5, delete: 1, txn: 3, lease: 1, compact: 1 }, watchers: 1, requestTimeoutMs: 309, api: "full", balancer: "round-robin" },
    faults: [
      { atMs: 20140, type: "remove-member", node: "random" },
      { atMs: 25455, type: "link-faults", loss: 0.21, duplicate: 0.12, reorder: 0.15 },
      { atMs: 25711, type: "add-member" },
      { atMs: 25779, type: "link-faults", loss: 0, duplicate: 0, reorder: 0 },
    ],
    durationMs: 26779,
    checks: ["liveness"],
  },
  "unanswered add case",
);

describe("a heal starts the machine of an add still unanswered", () => {
  it("the lone member regains a quorum once the new voter runs, within the liveness bound", () => {
    const run = runScenario({ seed: SEED, scenario: SCENARIO, keepTrace: true });
    const notes = run.world.trace.events.flatMap((e) => (e.type === "note" ? [{ tUs: e.tUs, text: e.text }] : []));
    const healUs = SCENARIO.durationMs * 1_000;
    expect(run.checks.liveness).toBe("pass");
    // The case as found: the add's answer never came (the operator timed out 5 s later)...
    expect(notes.some((n) => n.text === "operator: member add http://n3:2380 -> unknown (request timed out)")).toBe(true);
    // ...and the heal started member 3 anyway.
    expect(notes).toContainEqual({ tUs: healUs, text: "operator: member 3 started before its add was answered" });
    expect(run.system.leader()?.status().confState.voters).toEqual([1, 3]);
  });
});
