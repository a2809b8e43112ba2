// The run summary's elections (CLI `run`) and the viewer's elections panel are judged from
// the same trace the same way: a real leader-partition run must read alike in both.
import { describe, expect, it } from "vitest";
import { deriveElections } from "../sim/trace/elections";
import { findBuiltin } from "./builtin";
import { runScenario } from "./run";

describe("elections of leader-partition, seed 1", () => {
  const r = runScenario({ seed: 1, scenario: findBuiltin("leader-partition")!, keepTrace: true });
  const isolate = r.world.trace.events.find((e) => e.type === "fault" && e.fault === "isolate")!;

  it("count the outage from the leader's isolation, as the viewer does", () => {
    expect(r.elections.length).toBeGreaterThanOrEqual(2);
    const after = r.elections.find((e) => e.endMs * 1_000 > isolate.tUs)!;
    expect(after.startMs).toBe(isolate.tUs / 1_000);
    // Check-quorum deposes the isolated leader an election timeout (1 s) after the cut, at the earliest.
    expect(after.endMs - after.startMs).toBeGreaterThan(1_000);
    const viewer = deriveElections(r.world.trace.events).filter((e) => e.leaderlessUs !== null);
    expect(viewer.map((e) => [e.term, e.winner, Math.round(e.endUs! / 100) / 10, Math.round(e.leaderlessSinceUs! / 100) / 10])).toEqual(r.elections.map((e) => [e.term, e.leader, e.endMs, e.startMs]));
  });
});
