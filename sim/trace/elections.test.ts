// How long a cluster went without a usable leader, judged from the trace alone.
import { describe, expect, it } from "vitest";
import { deriveElections } from "./elections";
import type { NodeId, TraceEvent } from "./types";

const role = (tUs: number, node: NodeId, r: "follower" | "pre-candidate" | "candidate" | "leader", term: number): TraceEvent => ({ tUs, type: "role", node, role: r, term, leader: r === "leader" ? node : null });
const fault = (tUs: number, name: string, nodes: NodeId[], detail?: string): TraceEvent => ({ tUs, type: "fault", fault: name, nodes, ...(detail ? { detail } : {}) });
/** [term, winner, leaderlessUs] of each election. */
const summary = (events: TraceEvent[]) => deriveElections(events).map((e) => [e.term, e.winner, e.leaderlessUs]);
const firstLeader = [role(100, 1, "candidate", 2), role(110, 1, "leader", 2)];

describe("time without a leader", () => {
  it("runs from the trace start for the first leader", () => {
    expect(summary(firstLeader)).toEqual([[2, 1, 110]]);
  });

  it("runs from the fault that cut the leader off, not from its check-quorum step-down", () => {
    const events = [...firstLeader, fault(1_000, "isolate", [1]), role(2_000, 1, "follower", 2), role(2_050, 2, "pre-candidate", 2), role(2_060, 2, "candidate", 3), role(2_080, 2, "leader", 3)];
    expect(summary(events)).toEqual([[2, 1, 110], [3, 2, 1_080]]);
  });

  it("counts a partition against the leader only when it leaves the leader in a minority", () => {
    const minority = [...firstLeader, fault(1_000, "partition", [1, 2, 3, 4, 5], "1,2 | 3,4,5"), role(2_000, 3, "candidate", 3), role(2_010, 1, "follower", 3), role(2_020, 3, "leader", 3)];
    expect(summary(minority).at(-1)).toEqual([3, 3, 1_020]);
    // In the majority it still leads; a later step-down (here: a disruptive higher term) is the start.
    const majority = [...firstLeader, fault(1_000, "partition", [1, 2, 3, 4, 5], "1,2,3 | 4,5"), role(2_000, 1, "follower", 3), role(2_100, 4, "candidate", 4), role(2_200, 4, "leader", 4)];
    expect(summary(majority).at(-1)).toEqual([4, 4, 200]);
  });

  it("forgets a pause or a partition undone before anyone else won", () => {
    const events = [...firstLeader, fault(1_000, "pause", [1]), fault(1_300, "resume", [1]), fault(2_000, "isolate", [1]), fault(2_100, "heal", []), fault(9_000, "crash", [1]), role(9_500, 2, "candidate", 3), role(9_600, 2, "leader", 3)];
    expect(summary(events).at(-1)).toEqual([3, 2, 600]);
  });

  it("keeps a fault's start when the leader steps down and the fault heals before the new leader wins", () => {
    const events = [...firstLeader, fault(1_000, "isolate", [1]), role(2_000, 1, "follower", 2), fault(2_500, "heal", []), role(3_000, 2, "candidate", 3), role(3_100, 2, "leader", 3)];
    expect(summary(events).at(-1)).toEqual([3, 2, 2_100]);
  });

  it("runs from the new candidacy when it comes first (a leader transfer)", () => {
    const events = [...firstLeader, role(5_000, 2, "candidate", 3), role(5_002, 1, "follower", 3), role(5_004, 2, "leader", 3)];
    expect(summary(events).at(-1)).toEqual([3, 2, 4]);
  });

  it("ignores faults on followers, and a follower's failed candidacies, while the leader leads", () => {
    const events = [...firstLeader, fault(1_000, "isolate", [3]), role(2_000, 3, "candidate", 3), role(3_000, 3, "candidate", 4), fault(3_500, "heal", []), role(3_600, 1, "follower", 4), role(3_700, 2, "candidate", 5), role(3_800, 2, "leader", 5)];
    expect(summary(events)).toEqual([[2, 1, 110], [3, null, null], [4, null, null], [5, 2, 200]]);
  });

  it("splits votes into the winner's time: retries after a crash all count", () => {
    const events = [...firstLeader, fault(1_000, "crash", [1]), role(2_000, 2, "candidate", 3), role(2_000, 3, "candidate", 3), role(2_400, 3, "candidate", 4), role(2_450, 3, "leader", 4)];
    expect(summary(events)).toEqual([[2, 1, 110], [3, null, null], [4, 3, 1_450]]);
  });
});
