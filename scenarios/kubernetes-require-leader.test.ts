// kube-apiserver watches etcd WithRequireLeader: a member cut off from the leader ends the
// stream ("etcdserver: no leader") after 3 election timeouts without one, and refuses new
// ones at once, so a controller whose watch sits on it re-watches on a member with a
// leader rather than keep a cache the partition has frozen (the member keeps sending
// progress notifications at its stale revision, so the stream never goes quiet).
import { describe, expect, it } from "vitest";
import { findBuiltin } from "./builtin";
import { runScenario } from "./run";
import type { Scenario } from "./types";

const SEEDS = [1, 2, 3, 4, 5, 6];
const ENDED = /^controller (\d+): member (\d+) (ended|refused) its watch: etcdserver: no leader$/;

describe("kubernetes watches require a leader", () => {
  it("a member isolated from the others ends the controllers' streams on it; they move, and every check passes", () => {
    const base = findBuiltin("kubernetes")!;
    let ended = 0;
    for (const seed of SEEDS) {
      // A follower cut off from the other members (clients still reach it) for 8 s.
      const scenario: Scenario = { ...base, faults: [{ atMs: 3_000, type: "isolate", node: "follower" }, { atMs: 11_000, type: "heal" }] };
      const r = runScenario({ seed, scenario, keepTrace: true });
      const cut = r.world.trace.events.find((e) => e.type === "fault" && e.fault === "isolate");
      const isolated = cut?.type === "fault" ? cut.nodes[0] : undefined;
      expect(isolated).toBeDefined();
      const notes = r.world.trace.events.filter((e) => e.type === "note" && ENDED.test(e.text));
      const electionTimeoutUs = base.cluster.electionTicks * base.cluster.tickMs * 1_000;
      for (const n of notes) {
        const m = ENDED.exec((n as { text: string }).text)!;
        // Only the isolated member: a stream it held ends after 3 election timeouts without a
        // leader (and it loses its leader an election timeout after the cut at the earliest);
        // a new one is refused once it has lost its leader.
        expect(Number(m[2]), `seed ${seed}`).toBe(isolated);
        expect(n.tUs, `seed ${seed} ${m[3]}`).toBeGreaterThanOrEqual(3_000_000 + (m[3] === "ended" ? 4 : 1) * electionTimeoutUs);
        expect(n.tUs, `seed ${seed}`).toBeLessThan(11_000_000);
      }
      ended += notes.filter((n) => /ended/.test((n as { text: string }).text)).length;
      for (const check of ["linearizability", "kubernetes", "watch", "liveness"] as const) expect(r.checks[check], `seed ${seed} ${check}`).toBe("pass");
    }
    console.log(`kubernetes, a follower isolated 3–11 s: ${ended} controller streams ended for want of a leader over seeds ${SEEDS.join(", ")}`);
    expect(ended).toBeGreaterThan(0);
  });
});
