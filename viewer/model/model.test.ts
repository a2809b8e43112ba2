import { describe, expect, it } from "vitest";
import { syntheticTrace, toNdjson } from "../testing/synthetic";
import { buildModel, clusterAt, nextEventIndex, prevEventIndex, roleAt } from "./build";
import { extractCounterexample } from "./counterexample";
import { deriveElections } from "./elections";
import { IntervalIndex } from "./intervals";
import { TraceParseError, parseTrace } from "./parse";

const HEADER = '{"type":"header","formatVersion":1,"seed":1,"scenario":"s","config":{}}';

function parseError(text: string): TraceParseError {
  try {
    parseTrace(text);
  } catch (error) {
    if (error instanceof TraceParseError) return error;
    throw error;
  }
  throw new Error("expected a TraceParseError");
}

describe("parseTrace", () => {
  it("names the line and what was expected", () => {
    const e = parseError(`${HEADER}\n{"type":"send","tUs":1,"msgId":1,"from":1,"to":2,"msgType":"MsgApp"}\n{"type":"role","tUs":2,"node":1}\n`);
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/line 3: expected "role" \(string\) in the role event/);
  });
  it("reports a truncated last line", () => {
    const e = parseError(`${HEADER}\n{"type":"send","tUs":1,"msgId":1,"fr`);
    expect(e.message).toMatch(/^line 2: truncated record/);
  });
  it("requires the header first", () => {
    expect(parseError('{"type":"send","tUs":1}\n').message).toMatch(/^line 1: expected the trace header/);
    expect(parseError("").message).toMatch(/empty/);
    expect(parseError('{"type":"header","formatVersion":9,"seed":1,"scenario":"s"}\n').message).toMatch(/formatVersion 1, got 9/);
  });
  it("skips unknown event types but counts them, and sorts by time", () => {
    const t = parseTrace(`${HEADER}\n{"type":"future","tUs":5}\n{"type":"note","tUs":9,"text":"b"}\n{"type":"note","tUs":3,"text":"a"}\n`);
    expect(t.unknownTypes).toEqual({ future: 1 });
    expect(t.events.map((e) => e.tUs)).toEqual([3, 9]);
  });
});

describe("IntervalIndex", () => {
  it("finds exactly the overlapping intervals", () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ startUs: i * 10, endUs: i * 10 + (i % 7 === 0 ? 5000 : 15), i }));
    const index = new IntervalIndex(items);
    const got = index.overlapping(3000, 3100).map((x) => x.i).sort((a, b) => a - b);
    const want = items.filter((x) => x.startUs <= 3100 && x.endUs >= 3000).map((x) => x.i);
    expect(got).toEqual(want);
    expect(got.length).toBeGreaterThan(10);
  });
});

describe("buildModel on a synthetic leader partition", () => {
  const trace = syntheticTrace({ nodes: 5, durationUs: 10_000_000, failing: true });
  const model = buildModel(parseTrace(toNdjson(trace)));

  it("derives elections with a split vote and the winner's leaderless time", () => {
    expect(model.elections.map((e) => [e.term, e.winner])).toEqual([[1, 1], [2, null], [3, 2]]);
    const split = model.elections[1]!;
    expect(split.candidates).toEqual([2, 3]);
    const won = model.elections[2]!;
    // The old leader was cut off into a minority before the split vote: the outage starts there.
    const cut = model.faults.find((f) => f.kind === "partition")!;
    expect(cut.startUs).toBeLessThan(split.startUs);
    expect(won.leaderlessUs).toBe(won.endUs! - cut.startUs);
    expect(won.votes.filter((v) => v.granted).length).toBeGreaterThanOrEqual(2);
    expect(model.elections[0]!.leaderlessUs).toBe(model.elections[0]!.endUs); // leaderless since the start
  });

  it("knows roles, faults and cut links at a time", () => {
    const partition = model.faults.find((f) => f.kind === "partition")!;
    expect(partition.open).toBe(false);
    const mid = partition.endUs - 1; // after the majority elected its own leader
    const snap = clusterAt(model, mid);
    expect([...snap.cuts.keys()].sort()).toEqual(["1-2", "1-3", "1-4", "1-5"]);
    expect(roleAt(model, 1, mid)?.role).toBe("leader");
    expect(snap.nodes.filter((x) => x.leaderOf).map((x) => x.node).sort()).toEqual([1, 2]);
    const crash = model.faults.find((f) => f.kind === "crash")!;
    expect(clusterAt(model, crash.startUs + 1).nodes.find((x) => x.node === crash.nodes[0])!.crashed).toBe(true);
    expect(clusterAt(model, crash.endUs + 1).nodes.find((x) => x.node === crash.nodes[0])!.crashed).toBe(false);
    const slow = model.faults.find((f) => f.kind === "disk")!;
    expect(slow.open).toBe(false);
  });

  it("pairs messages and operations, and finds the counterexample", () => {
    const dropped = model.messages.items.filter((m) => m.status === "dropped");
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((m) => m.dropReason)).toBe(true);
    expect(model.msgTypes.map((m) => m.msgType)).toContain("MsgHeartbeat");
    const statuses = new Set(model.ops.items.map((o) => o.status));
    expect([...statuses].sort()).toEqual(["fail", "ok", "unknown"]);
    const failing = model.checks.find((c) => c.result === "fail")!;
    expect(failing.counterexample!.opIds.length).toBe(2);
    expect(model.opsById.get(failing.counterexample!.blocking!)).toBeDefined();
  });

  it("steps to next and previous events with a filter", () => {
    const isFault = (e: { type: string }) => e.type === "fault";
    const i = nextEventIndex(model, 0, isFault);
    expect(model.events[i]!.type).toBe("fault");
    const j = nextEventIndex(model, model.events[i]!.tUs, isFault);
    expect(model.events[j]!.tUs).toBeGreaterThan(model.events[i]!.tUs);
    expect(prevEventIndex(model, model.events[j]!.tUs, isFault)).toBe(i);
  });
});

describe("buildModel on the world's own event names", () => {
  const lines = [
    HEADER,
    '{"tUs":0,"type":"role","node":1,"role":"follower","term":1,"leader":null}',
    '{"tUs":0,"type":"role","node":2,"role":"follower","term":1,"leader":null}',
    '{"tUs":10,"type":"client-invoke","client":100,"opId":1,"op":"put","input":{"key":"k"},"node":1}',
    '{"tUs":11,"type":"send","msgId":1,"from":100,"to":1,"msgType":"client-req"}',
    '{"tUs":12,"type":"send","msgId":2,"from":1,"to":500,"msgType":"watch-resp"}',
    '{"tUs":20,"type":"fault","fault":"disk-stall","nodes":[2]}',
    '{"tUs":30,"type":"fault","fault":"disk-release","nodes":[2]}',
    '{"tUs":40,"type":"fault","fault":"fsync-error","nodes":[1],"detail":"next 1"}',
    '{"tUs":50,"type":"fault","fault":"fsync-error-clear","nodes":[1]}',
    '{"tUs":60,"type":"client-invoke","client":10000,"opId":2,"op":"lease-expire","input":{"id":5},"node":1}',
    '{"tUs":61,"type":"client-invoke","client":10001,"opId":3,"op":"lease-expire","input":{"id":6},"node":1}',
    '{"tUs":90,"type":"note","text":"end"}',
  ];
  const model = buildModel(parseTrace(lines.join("\n") + "\n"));

  it("shows members as nodes, and clients and watchers (message endpoints only) in client lanes", () => {
    expect(model.nodes).toEqual([1, 2]);
    expect(model.clients).toEqual([100, 500, 10000, 10001]);
    expect([...model.messageOnlyClients]).toEqual([500]);
    // The store's lease expiries (a client of one op each) share one lane.
    expect(model.clientLanes).toEqual([{ label: "client 100", ids: [100] }, { label: "process 500", ids: [500] }, { label: "lessor", ids: [10000, 10001] }]);
    expect(clusterAt(model, 60).nodes.map((n) => n.node)).toEqual([1, 2]);
  });

  it("ends a disk stall at disk-release and a pending fsync error at fsync-error-clear", () => {
    const disk = model.faults.filter((f) => f.kind === "disk").map((f) => [f.fault, f.startUs, f.endUs, f.open]);
    expect(disk).toEqual([["disk-stall", 20, 30, false], ["fsync-error", 40, 50, false]]);
    expect(clusterAt(model, 60).nodes.some((n) => n.slowDisk)).toBe(false);
  });
});

describe("deriveElections", () => {
  it("counts a crashed leader's absence from the crash", () => {
    const role = (tUs: number, node: number, r: "candidate" | "leader", term: number) => ({ tUs, type: "role" as const, node, role: r, term, leader: r === "leader" ? node : null });
    const events = [role(100, 1, "candidate", 1), role(110, 1, "leader", 1), { tUs: 500, type: "fault" as const, fault: "crash", nodes: [1] }, role(900, 2, "candidate", 2), role(950, 2, "leader", 2)];
    const elections = deriveElections(events);
    expect(elections.map((e) => [e.term, e.winner, e.leaderlessUs])).toEqual([[1, 1, 110], [2, 2, 450]]);
  });
});

describe("extractCounterexample", () => {
  it("reads the checker's shape, wrapped or not", () => {
    const cx = { linearized: [1, 2], state: { a: 1 }, blocking: 7, unplaceable: [5, 7] };
    expect(extractCounterexample({ partitions: [{ counterexample: cx }] })).toEqual({ opIds: [7, 5], blocking: 7, linearized: [1, 2], stateBefore: { a: 1 }, stateAfter: undefined });
    expect(extractCounterexample({ message: "nothing here" })).toBeNull();
  });
});
