// Regression: member 2 led and removed itself (C_new = {3, 4}); removed while leading, it
// waits for C_new to have heard before it stops (Raft.removalSettled). Member 3, leading
// next, removed itself and stopped, leaving {4}, led by member 4. Member 2 heartbeated member
// 4, which turned each away ("you were removed") instead of answering at its higher term;
// one voter of C_new was not a quorum, and with no check-quorum nothing deposed member 2,
// which kept every client: 361 probe writes timed out. Now one voter of C_new that applied
// the removal settles it: member 2 stops on member 4's notice.
// Found by `raftsim fuzz --seed 149 --runs 12975 --shard 12974/12975 --cycles 10 --nodes 3` (run 12974), shrunk from 51 faults to 13.
import { describe, expect, it } from "vitest";
import { runScenario } from "./run";
import { validateScenario } from "./validate";

const SEED = 1809379587;
const SCENARIO = validateScenario(
  {
    name: "fuzz",
    description: "seed 149 with 3 members at 10 rounds, run 12974, shrunk",
    cluster: {nodes: 3, disk: "nvme", network: "wan", tickMs: 100, electionTicks: 10, heartbeatTicks: 1, preVote: false, checkQuorum: false, readMode: "read-index", snapshotEntries: 10000, maxSizePerMsgBytes: 1, maxInflightMsgs: 4},
    workload: {kind: "kv", clients: 1, ratePerSec: 10, keys: 1, valueBytes: 1, mix: {put: 1}, watchers: 0, requestTimeoutMs: 300, api: "full"},
    faults: [
      {atMs: 2000, type: "compact"},
      {atMs: 4039, type: "crash-after", on: "ack", node: 2, tear: true},
      {atMs: 4292, type: "remove-member", node: "follower"},
      {atMs: 4509, type: "crash-after", on: "commit", node: "any", tear: true, times: 2},
      {atMs: 12062, type: "crash", node: "follower"},
      {atMs: 12908, type: "link-faults", loss: 0.12, duplicate: 0.13, reorder: 0.03, delayMaxMs: 50},
      {atMs: 13568, type: "add-member"},
      {atMs: 15026, type: "remove-member", node: "random"},
      {atMs: 15029, type: "add-member", learner: true, promoteAfterMs: 16},
      {atMs: 15045, type: "link-faults", loss: 0, duplicate: 0, reorder: 0},
      {atMs: 15045, type: "restart", node: "all-down"},
      {atMs: 16119, type: "partition", groups: [[1,2], [3]]},
      {atMs: 18692, type: "remove-member", node: "leader"},
      {atMs: 26325, type: "heal"},
      {atMs: 26325, type: "link-faults", loss: 0, duplicate: 0, reorder: 0},
      {atMs: 26325, type: "restart", node: "all-down"},
    ],
    durationMs: 27325,
    checks: ["liveness"],
  },
  "removed leader turned away case",
);

describe("a removed leader turned away by the one voter of C_new still running", () => {
  it("stops, so the clients it held reach the cluster", () => {
    const r = runScenario({ seed: SEED, scenario: SCENARIO, keepTrace: true });
    expect(r.violations).toEqual([]);
    expect(r.checks.liveness).toBe("pass");
    const events = r.world.trace.events;
    const removed2 = events.find((e) => e.type === "note" && e.text === "operator: member remove 2 -> ok, members 3,4");
    const removed3 = events.find((e) => e.type === "note" && e.text === "operator: member remove 3 -> ok, members 4");
    expect(removed2).toBeDefined();
    expect(removed3).toBeDefined();
    // Member 2 stopped on a C_new voter's notice, once its removal had been answered.
    const stop = events.find((e) => e.type === "fault" && e.fault === "fail-stop" && e.nodes.includes(2));
    expect(stop?.type === "fault" && stop.detail).toBe("the member has been permanently removed from the cluster");
    expect(stop!.tUs).toBeGreaterThan(removed2!.tUs);
  });
});
