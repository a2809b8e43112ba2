// Watch streams that require a leader (clientv3's WithRequireLeader), as half the `full`
// request set's watchers open them: a member cut off from the others ends such a stream
// ("etcdserver: no leader") after 3 election timeouts without a leader, or refuses it at
// once, and the watcher resumes on another member from the revision after the last one it
// saw. The ended stream's history stops there, and every stream still obeys the watch rules.
import { describe, expect, it } from "vitest";
import { findBuiltin } from "./builtin";
import { runScenario } from "./run";
import type { Scenario } from "./types";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const ENDED = /^watcher (\d+) resumes: the member ended the stream: etcdserver: no leader$/;

describe("watchers whose streams require a leader", () => {
  it("resume elsewhere when a member isolated from the others ends their streams; the watch rules hold", () => {
    const base = findBuiltin("compaction-under-watch")!;
    let ended = 0;
    let resumedAfter = 0;
    for (const seed of SEEDS) {
      const scenario: Scenario = {
        ...base,
        workload: { ...base.workload, api: "full", watchers: 6 },
        faults: [{ atMs: 3_000, type: "isolate", node: "follower" }, { atMs: 11_000, type: "heal" }],
      };
      const r = runScenario({ seed, scenario, keepTrace: true });
      const notes = r.world.trace.events.filter((e) => e.type === "note" && ENDED.test(e.text));
      // Before the first leader every member refuses them too (plus a message's flight).
      const firstLeaderUs = r.world.trace.events.find((e) => e.type === "role" && e.role === "leader")?.tUs ?? 0;
      for (const n of notes) {
        if (n.tUs > firstLeaderUs + 10_000) expect(n.tUs, `seed ${seed}`).toBeGreaterThan(3_000_000);
        expect(n.tUs, `seed ${seed}`).toBeLessThan(11_500_000);
        // It opened another stream after that.
        const watcher = Number(ENDED.exec((n as { text: string }).text)![1]);
        if (r.world.trace.events.some((e) => e.type === "send" && e.msgType === "watch-create" && e.from === watcher && e.tUs > n.tUs)) resumedAfter++;
      }
      ended += notes.length;
      for (const check of ["watch", "linearizability", "liveness"] as const) expect(r.checks[check], `seed ${seed} ${check}`).toBe("pass");
    }
    console.log(`compaction-under-watch, full set, a follower isolated 3–11 s: ${ended} streams ended for want of a leader over seeds ${SEEDS.join(", ")}, ${resumedAfter} resumed`);
    expect(ended).toBeGreaterThan(0);
    expect(resumedAfter).toBe(ended);
  });
});
