// Regression: a learner (member 3) was removed while cut off, so it never applied its
// removal and went on taking clients' writes, forwarding them to the member it last knew as
// leader (member 2). Member 2 turns a removed member's traffic away, as etcd's peer transport
// does, but member 2 had restarted (an fsync error) and replayed its whole log in one Ready:
// it sampled the configuration after each Ready, so it never saw member 3 as a member and
// answered its forwarded writes with timeouts instead. The liveness probe, dialling member 3,
// got nothing but timeouts for the whole bound. A restarted member now learns every member a
// configuration entry names, as etcd's backend remembers removed member IDs.
// Found by `raftsim fuzz --seed 139 --runs 2949 --shard 2948/2949 --cycles 12 --nodes 2` (run 2948).
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 252338384;
const SCENARIO = validateScenario(
  {
    name: "fuzz",
    description: "seed 139 with 2 members at 12 rounds, run 2948, shrunk",
    cluster: {nodes: 2, disk: "nvme", network: "wan", tickMs: 100, electionTicks: 10, heartbeatTicks: 1, preVote: false, checkQuorum: false, readMode: "read-index", snapshotEntries: 10000, watchFragmentBytes: 581},
    workload: {kind: "kv", clients: 2, ratePerSec: 92, keys: 1, valueBytes: 1, mix: {getSerializable: 1, put: 6, delete: 1, lease: 1, compact: 1}, watchers: 2, requestTimeoutMs: 303, api: "full", balancer: "round-robin"},
    faults: [
      {atMs: 19822, type: "add-member", learner: true},
      {atMs: 19848, type: "remove-member", node: "follower"},
      {atMs: 23816, type: "add-member"},
      {atMs: 26067, type: "isolate", node: "follower"},
      {atMs: 26919, type: "remove-member", node: "follower"},
      {atMs: 28550, type: "fsync-error", node: "random", count: 1},
      {atMs: 30965, type: "heal"},
      {atMs: 30965, type: "restart", node: "all-down"},
    ],
    durationMs: 31965,
    checks: ["liveness"],
  },
  "removed learner after a restart case",
);
const RESTART_US = 30_965_000;

describe("a learner removed while cut off, its leader restarted since", () => {
  it("is turned away by the restarted member, and stops", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO, keepTrace: true });
    expect(r.violations).toEqual([]);
    expect(r.checks.liveness).toBe("pass");
    const events = r.world.trace.events;
    // The case: member 2 restarted at the heal, after member 3's removal.
    expect(events.some((e) => e.type === "note" && e.text === "operator: member remove 3 -> ok, members 2,4")).toBe(true);
    expect(events.some((e) => e.type === "fault" && e.fault === "restart" && e.nodes.includes(2) && e.tUs === RESTART_US)).toBe(true);
    const stop = events.find((e) => e.type === "fault" && e.fault === "fail-stop" && e.nodes.includes(3));
    expect(stop?.type === "fault" && stop.detail).toBe("the member has been permanently removed from the cluster");
    expect(stop!.tUs).toBeGreaterThan(RESTART_US);
  });
});
