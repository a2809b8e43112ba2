// Clients stay on the member they dialled, as etcd's clients do: a follower forwards a write
// to the leader and answers once it has applied the entry itself. And a cluster's clocks can
// drift from the start (cluster.clockDriftPpm).
import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../sim/trace/types";
import { DEFAULT_CLUSTER, DEFAULT_WORKLOAD, type Scenario } from "./types";
import { runScenario } from "./run";
import { ScenarioError, validateScenario } from "./validate";

function scenario(over: Partial<Scenario> = {}): Scenario {
  return {
    name: "follower-writes",
    description: "",
    cluster: { ...DEFAULT_CLUSTER },
    workload: { ...DEFAULT_WORKLOAD, clients: 3, ratePerSec: 60, mix: { put: 3, get: 1, txn: 1 } },
    faults: [],
    durationMs: 4_000,
    checks: ["linearizability", "durability", "convergence"],
    ...over,
  };
}

/** Leader by time, from the trace's role events (the last leader announced wins). */
function leaderAt(events: readonly TraceEvent[], tUs: number): number | undefined {
  let leader: number | undefined;
  for (const e of events) {
    if (e.tUs > tUs) break;
    if (e.type === "role" && e.role === "leader") leader = e.node;
  }
  return leader;
}

describe("writes sent to a follower", () => {
  it("succeed through the follower, and the client stays on it", () => {
    const r = runScenario({ seed: 5, scenario: scenario(), keepTrace: true });
    const events = r.world.trace.events;
    const invokes = new Map<number, { node: number; tUs: number }>();
    let okOnFollower = 0;
    for (const e of events) {
      if (e.type === "client-invoke" && (e.op === "put" || e.op === "txn")) invokes.set(e.opId, { node: e.node ?? -1, tUs: e.tUs });
      if (e.type === "client-return" && e.status === "ok") {
        const inv = invokes.get(e.opId);
        if (inv && leaderAt(events, inv.tUs) !== inv.node) okOnFollower++;
      }
    }
    expect(okOnFollower).toBeGreaterThan(20);
    // Nobody was sent away with "not leader": every client's writes went to one member.
    const membersByClient = new Map<number, Set<number>>();
    for (const e of events) if (e.type === "client-invoke") membersByClient.set(e.client, (membersByClient.get(e.client) ?? new Set<number>()).add(e.node ?? -1));
    for (const [client, members] of membersByClient) expect(members.size, `client ${client}`).toBe(1);
    expect(r.checks).toMatchObject({ linearizability: "pass", durability: "pass", convergence: "pass", invariants: "pass" });
  });

  it("are applied once when the network duplicates the forward", () => {
    const dup = scenario({ faults: [{ atMs: 0, type: "link-faults", loss: 0, duplicate: 0.5, reorder: 0 }] });
    const r = runScenario({ seed: 6, scenario: dup });
    expect(r.ops.ok).toBeGreaterThan(100);
    expect(r.checks).toMatchObject({ linearizability: "pass", durability: "pass", convergence: "pass", invariants: "pass" });
  });
});

describe("cluster.clockDriftPpm", () => {
  it("sets each node's drift from the start", () => {
    const r = runScenario({ seed: 1, scenario: scenario({ cluster: { ...DEFAULT_CLUSTER, clockDriftPpm: [150_000, 0, -150_000] }, durationMs: 2_000 }), keepTrace: true });
    const drifts = r.world.trace.events.filter((e) => e.type === "fault" && e.fault === "clock-drift");
    expect(drifts.map((e) => (e.type === "fault" ? [e.tUs, e.nodes, e.detail] : []))).toEqual([
      [0, [1], "150000ppm"],
      [0, [3], "-150000ppm"],
    ]);
    expect(r.checks.linearizability).toBe("pass");
  });

  it("is validated: one drift per node at most, each within ±999,999 ppm", () => {
    const bad = (clockDriftPpm: unknown) => () => validateScenario({ name: "x", cluster: { nodes: 3, clockDriftPpm } });
    expect(bad([0, 0, 0, 0])).toThrow(new ScenarioError("scenario.cluster.clockDriftPpm", "expected an array of at most 3 drifts in ppm (one per node)"));
    expect(bad([0, 1_000_000])).toThrow(ScenarioError);
    expect(bad([0, 1_000_000])).toThrow(/cluster\.clockDriftPpm\[1\]/);
    expect(bad("fast")).toThrow(ScenarioError);
    expect(validateScenario({ name: "x", cluster: { nodes: 3, clockDriftPpm: [-200_000, 200_000] } }).cluster.clockDriftPpm).toEqual([-200_000, 200_000]);
  });
});
