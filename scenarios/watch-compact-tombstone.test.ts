// Two failures of the watch check from one clean campaign, `raftsim fuzz --runs 60000
// --seed 13`: a store bug and a harness bug.
//
// Run 4495, a store bug, and etcd's own: etcd-io/etcd#18089 ("Watch dropping an event when
// compacting on delete", fixed by #18274). Member 1 was paused while k0 was deleted at
// revision 15 and the store compacted at 15; compaction removed the tombstone at 15, so when
// member 1 caught up through a snapshot and replayed history to its watchers from revision
// 15, the delete was gone and watcher 500 saw revision 14, then 16. A tombstone at the
// compaction revision is now kept (core/mvcc/key-index.ts).
//
// Run 3555, a harness bug: a compaction at revision 13 was applied although its client was
// told "request timed out", and the watch check counted only compactions that did not fail,
// so it blamed the store for a prevKv that compaction had removed. A timeout is not a
// definite failure; such compactions now count (scenarios/checks.ts compactRevisionsOf).
import { describe, expect, it } from "vitest";
import { ERR_COMPACTED, ERR_TIMEOUT } from "../core/server/api";
import { compactRevisionsOf } from "./checks";
import { runScenario } from "./run";
import { validateScenario } from "./validate";
import type { HistoryRecorder } from "./workload/history";

const TOMBSTONE_SEED = 1110012730;
const TOMBSTONE = validateScenario({"name":"fuzz","description":"fuzzed: 2 faults from [pause, maintenance], heal at 1304 ms","cluster":{"nodes":3,"disk":"nvme","network":"lan","tickMs":20,"electionTicks":3,"heartbeatTicks":1,"preVote":true,"checkQuorum":true,"readMode":"lease","snapshotEntries":200,"clockDriftPpm":[-100000,100000,0],"alignedTicks":true},"workload":{"kind":"kv","clients":1,"ratePerSec":59,"keys":1,"valueBytes":63,"mix":{"get":2,"getSerializable":1,"range":1,"put":4,"delete":1,"txn":4,"lease":2,"compact":1},"watchers":2,"requestTimeoutMs":303},"faults":[{"atMs":570,"type":"pause","node":1},{"atMs":648,"type":"compact"},{"atMs":1304,"type":"resume","node":"all-paused"}],"durationMs":2304,"checks":["watch"]}, "tombstone case");

const TIMEOUT_SEED = 1598686107;
const TIMEOUT = validateScenario({"name":"fuzz","description":"fuzzed: 11 faults from [network, link, process, pause, membership], heal at 2990 ms","cluster":{"nodes":3,"disk":"hdd","network":"lan","tickMs":50,"electionTicks":3,"heartbeatTicks":1,"preVote":false,"checkQuorum":true,"readMode":"lease","snapshotEntries":200,"maxSizePerMsgBytes":1,"maxInflightMsgs":4},"workload":{"kind":"kv","clients":1,"ratePerSec":15,"keys":4,"valueBytes":4,"mix":{"get":4,"put":3,"delete":2,"txn":3,"lease":1,"compact":1},"watchers":1,"requestTimeoutMs":306,"balancer":"round-robin"},"faults":[{"atMs":1342,"type":"isolate","node":"random"},{"atMs":2821,"type":"isolate","node":"leader"},{"atMs":2986,"type":"remove-member","node":3},{"atMs":2990,"type":"heal"}],"durationMs":3990,"checks":["watch"]}, "timed-out compaction case");

describe("watch after a compaction at a delete's revision (etcd-io/etcd#18089)", () => {
  it("a member that catches up by snapshot still delivers the delete at the compaction revision", () => {
    const r = runScenario({ seed: TOMBSTONE_SEED, scenario: TOMBSTONE, keepTrace: true });
    expect(r.violations).toEqual([]);
    expect(r.checks.watch).toBe("pass");
    // The evidence: watcher 500 got the delete at 15, between 14 and 16.
    const revisions = r.world.trace.events.filter((e) => e.type === "watch-event" && e.watcher === 500).flatMap((e) => (e as { events: { type: string; modRevision: number }[] }).events.map((ev) => `${ev.type}@${ev.modRevision}`));
    expect(revisions.slice(revisions.indexOf("PUT@14"), revisions.indexOf("PUT@16") + 1)).toEqual(["PUT@14", "DELETE@15", "PUT@16"]);
  });
});

describe("compactions whose client saw a timeout", () => {
  it("count for the watch check: the compacted prevKv is not blamed on the store", () => {
    const r = runScenario({ seed: TIMEOUT_SEED, scenario: TIMEOUT });
    expect(r.violations).toEqual([]);
    expect(r.checks.watch).toBe("pass");
    const timedOut = r.recorder.ops.filter((op) => op.input.type === "compact" && op.status === "fail" && op.output && "error" in op.output && op.output.error === ERR_TIMEOUT);
    expect(timedOut.map((op) => (op.input as { revision: number }).revision)).toEqual([13]);
    expect(compactRevisionsOf(r.recorder)).toContain(13);
  });

  it("only definite failures are left out", () => {
    const op = (status: "ok" | "fail" | "unknown", error: string | undefined, revision: number) => ({ input: { type: "compact", revision }, status, output: error ? { error } : { header: { revision } } });
    const recorder = { ops: [op("ok", undefined, 3), op("fail", ERR_TIMEOUT, 5), op("unknown", undefined, 7), op("fail", ERR_COMPACTED, 9)] } as unknown as HistoryRecorder;
    expect(compactRevisionsOf(recorder)).toEqual([3, 5, 7]);
  });
});
