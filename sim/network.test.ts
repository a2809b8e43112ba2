import { describe, expect, it } from "vitest";
import { NETWORK_PROFILES, Network, type EndpointState } from "./network";
import { RngStreams } from "./rng";
import { Scheduler } from "./scheduler";
import type { TraceEvent } from "./trace/types";

function setup(profile = NETWORK_PROFILES.lan!, states: Record<number, EndpointState> = {}) {
  const s = new Scheduler();
  const trace: TraceEvent[] = [];
  const net = new Network(profile, new RngStreams(1).stream("net"), {
    nowUs: () => s.nowUs,
    schedule: (d, fn) => void s.after(d, fn),
    trace: (e) => trace.push(e),
    endpointState: (id) => states[id] ?? "up",
  });
  const got: [number, number, unknown][] = [];
  for (const id of [1, 2, 3]) net.register(id, (from, _t, p) => got.push([from, id, p]));
  return { s, net, trace, got };
}

describe("Network", () => {
  it("delivers with lan latency in ~0.1–0.5 ms and traces send + deliver", () => {
    const { s, net, trace, got } = setup();
    for (let i = 0; i < 200; i++) net.send(1, 2, "m", i);
    s.runUntilIdle();
    expect(got.length).toBe(200);
    const delivers = trace.filter((e) => e.type === "deliver");
    expect(delivers.length).toBe(200);
    for (const d of delivers) {
      if (d.type !== "deliver") continue;
      expect(d.tUs - d.sentUs).toBeGreaterThanOrEqual(100);
      expect(d.tUs - d.sentUs).toBeLessThanOrEqual(501);
    }
  });

  it("wan one-way latency stays in ~25–65 ms", () => {
    const { s, net, trace } = setup(NETWORK_PROFILES.wan!);
    for (let i = 0; i < 200; i++) net.send(1, 2, "m", i);
    s.runUntilIdle();
    for (const d of trace) if (d.type === "deliver") {
      expect(d.tUs - d.sentUs).toBeGreaterThanOrEqual(25_000);
      expect(d.tUs - d.sentUs).toBeLessThanOrEqual(65_001);
    }
  });

  it("a partitioned message is never delivered, including one already in flight", () => {
    const { s, net, trace, got } = setup();
    net.send(1, 2, "in-flight", 0);
    net.partition([[1], [2, 3]]);
    for (let i = 0; i < 50; i++) {
      net.send(1, 2, "m", i);
      net.send(2, 1, "m", i);
      net.send(2, 3, "ok", i);
    }
    s.runUntilIdle();
    expect(got.filter(([from, to]) => (from === 1 && to === 2) || (from === 2 && to === 1))).toEqual([]);
    expect(got.filter(([from, to]) => from === 2 && to === 3).length).toBe(50);
    expect(trace.filter((e) => e.type === "drop" && e.reason === "partition").length).toBe(101);
    net.heal();
    net.send(1, 2, "after-heal", 1);
    s.runUntilIdle();
    expect(got.at(-1)).toEqual([1, 2, 1]);
  });

  it("a one-way cut drops only one direction", () => {
    const { s, net, got } = setup();
    net.cutOneWay(1, 2);
    net.send(1, 2, "m", "lost");
    net.send(2, 1, "m", "kept");
    s.runUntilIdle();
    expect(got).toEqual([[2, 1, "kept"]]);
  });

  it("a clogged link holds messages until the clog ends", () => {
    const { s, net, trace } = setup();
    net.clog(1, 2, 50_000);
    net.send(1, 2, "m", 1);
    s.runUntilIdle();
    const d = trace.find((e) => e.type === "deliver");
    expect(d && d.tUs).toBeGreaterThanOrEqual(50_000);
  });

  it("loss and duplication are traced", () => {
    const { s, net, trace, got } = setup({ ...NETWORK_PROFILES.lan!, lossProbability: 0.3, duplicateProbability: 0.3 });
    for (let i = 0; i < 1_000; i++) net.send(1, 2, "m", i);
    s.runUntilIdle();
    const lost = trace.filter((e) => e.type === "drop" && e.reason === "loss").length;
    const dups = trace.filter((e) => e.type === "duplicate").length;
    expect(lost).toBeGreaterThan(200);
    expect(lost).toBeLessThan(400);
    expect(dups).toBeGreaterThan(100);
    expect(got.length).toBe(1_000 - lost + dups);
  });

  it("messages to a paused or crashed endpoint are dropped", () => {
    const { s, net, got, trace } = setup(NETWORK_PROFILES.lan!, { 2: "paused", 3: "down" });
    net.send(1, 2, "m", 1);
    net.send(1, 3, "m", 2);
    s.runUntilIdle();
    expect(got).toEqual([]);
    expect(trace.filter((e) => e.type === "drop").map((e) => (e as { reason: string }).reason).sort()).toEqual(["receiver-down", "receiver-paused"]);
  });

  it("a stream message never reaches a later run of its receiver; a datagram may (Raft's messages)", () => {
    const s = new Scheduler();
    const trace: TraceEvent[] = [];
    const run: Record<number, number> = { 2: 0 };
    const state: Record<number, EndpointState> = {};
    // Every message held back 10-20 ms, so the receiver can crash and restart meanwhile.
    const net = new Network({ ...NETWORK_PROFILES.lan!, reorderProbability: 1, reorderDelayMaxUs: 20_000, baseUs: 10_000 }, new RngStreams(1).stream("net"), {
      nowUs: () => s.nowUs,
      schedule: (d, fn) => void s.after(d, fn),
      trace: (e) => trace.push(e),
      endpointState: (id) => state[id] ?? "up",
      incarnation: (id) => run[id] ?? 0,
    });
    const got: unknown[] = [];
    net.register(2, (_from, _t, p) => got.push(p));
    net.send(1, 2, "req", "stream, sent to run 0", { stream: true });
    net.send(1, 2, "app", "datagram, sent to run 0");
    // Node 2 crashes (its run ends) and restarts before either arrives.
    run[2] = 1;
    net.send(1, 2, "req", "stream, sent to run 1", { stream: true });
    s.runUntilIdle();
    expect(got.sort()).toEqual(["datagram, sent to run 0", "stream, sent to run 1"]);
    expect(trace.filter((e) => e.type === "drop").map((e) => (e as { reason: string }).reason)).toEqual(["receiver-restarted"]);
    // Sent while the receiver is down: no connection, never delivered, even after a restart.
    state[2] = "down";
    net.send(1, 2, "req", "stream, sent while down", { stream: true });
    state[2] = "up";
    s.runUntilIdle();
    expect(got).not.toContain("stream, sent while down");
  });
});

