import { describe, expect, it } from "vitest";
import { DISK_PROFILES } from "./disk";
import { NETWORK_PROFILES } from "./network";
import type { NodeContext } from "./process";
import { World } from "./world";

function world(onEvent: (id: number, what: string) => void) {
  let ctxs: NodeContext[] = [];
  const w = new World(
    { seed: 1, scenario: "t", nodeIds: [1, 2], disk: DISK_PROFILES.nvme!, network: NETWORK_PROFILES.lan!, config: {} },
    (ctx) => {
      ctxs.push(ctx);
      const tick = () => {
        onEvent(ctx.id, "tick");
        ctx.send(ctx.id === 1 ? 2 : 1, "ping", ctx.nowUs());
        ctx.setTimer(1_000, tick);
      };
      ctx.setTimer(1_000, tick);
      return { onMessage: () => onEvent(ctx.id, "message") };
    },
  );
  w.startAll();
  return { w, ctxs: () => ctxs, reset: () => (ctxs = []) };
}

describe("process faults", () => {
  it("a paused node sees no events (no messages, no timers) until resumed, then wakes with its timers", () => {
    const seen: [number, string, number][] = [];
    let w!: World;
    ({ w } = world((id, what) => seen.push([id, what, w.nowUs])));
    w.scheduler.runUntil(10_000);
    w.pause(2);
    const pausedAt = w.nowUs;
    w.scheduler.runUntil(50_000);
    expect(seen.filter(([id, , t]) => id === 2 && t > pausedAt)).toEqual([]);
    expect(seen.filter(([id, , t]) => id === 1 && t > pausedAt).length).toBeGreaterThan(10);
    w.resume(2);
    w.scheduler.runUntil(60_000);
    expect(seen.filter(([id, , t]) => id === 2 && t >= 50_000).length).toBeGreaterThan(0);
  });

  it("a paused node hears of an fsync that finished while it was stopped only when it resumes; the data is durable at once", () => {
    const { w, ctxs } = world(() => {});
    w.scheduler.runUntil(5_000);
    const ctx = ctxs().find((c) => c.id === 2)!;
    const heard: number[] = [];
    ctx.disk.write("f", new Uint8Array([7]), "append");
    ctx.disk.fsync("f", (ok) => heard.push(ok ? w.nowUs : -1));
    w.pause(2);
    w.scheduler.runUntil(500_000); // far past any nvme fsync
    expect(heard).toEqual([]);
    expect(ctx.disk.readDurable("f")).toEqual(new Uint8Array([7])); // the device finished the flush
    w.resume(2);
    expect(heard).toEqual([500_000]);
    // A crash while paused: the callback never runs (its program is gone).
    ctx.disk.write("f", new Uint8Array([8]), "append");
    const heard2: boolean[] = [];
    ctx.disk.fsync("f", (ok) => heard2.push(ok));
    w.pause(2);
    w.scheduler.runUntil(1_000_000);
    w.crash(2);
    w.restart(2);
    w.scheduler.runUntil(1_100_000);
    expect(heard2).toEqual([]);
  });

  it("a crashed node's timers die with it; a restart runs a fresh program", () => {
    const seen: [number, string][] = [];
    const { w, ctxs } = world((id, what) => seen.push([id, what]));
    w.scheduler.runUntil(5_000);
    w.crash(1);
    const n = seen.length;
    w.scheduler.runUntil(20_000);
    expect(seen.slice(n).filter(([id]) => id === 1)).toEqual([]);
    w.restart(1);
    w.scheduler.runUntil(30_000);
    expect(seen.slice(n).filter(([id, what]) => id === 1 && what === "tick").length).toBeGreaterThan(5);
    expect(ctxs().length).toBe(3);
  });

  it("clock offset and drift change what a node reads as now, not true time", () => {
    const { w, ctxs } = world(() => {});
    w.clockJump(1, 5_000);
    w.clockDrift(2, 100_000); // +10%
    w.scheduler.runUntil(100_000);
    const [c1, c2] = ctxs();
    expect(c1!.nowUs() - w.nowUs).toBe(5_000);
    expect(c2!.nowUs()).toBe(110_000);
  });

  it("a drift change moves the timers already set: they fall due on the node's own clock", () => {
    const fired: [string, number][] = [];
    const { w, ctxs } = world(() => {});
    const c1 = ctxs()[0]!;
    w.scheduler.runUntil(200_000);
    const setAt = w.nowUs;
    c1.setTimer(100_000, () => fired.push(["moved", w.nowUs - setAt]));
    const cancelled = c1.setTimer(100_000, () => fired.push(["cancelled", w.nowUs - setAt]));
    w.scheduler.runUntil(setAt + 50_000);
    w.clockDrift(1, 250_000); // 50 ms of local time left, at 1.25× from here: 40 ms of true time
    c1.cancelTimer(cancelled);
    w.scheduler.runUntil(setAt + 200_000);
    expect(fired).toEqual([["moved", 90_000]]);
  });

  it("the monotonic clock runs with the drift, continuous when the drift changes, and ignores jumps", () => {
    const { w, ctxs } = world(() => {});
    w.clockJump(1, 5_000);
    w.clockDrift(1, 100_000); // +10%
    w.scheduler.runUntil(100_000);
    const c1 = ctxs()[0]!;
    expect(c1.monotonicUs()).toBe(110_000);
    expect(c1.nowUs() - c1.monotonicUs()).toBe(5_000);
    w.clockDrift(1, -100_000); // from here on 10% slow, from where it is
    w.scheduler.runUntil(200_000);
    expect(c1.monotonicUs()).toBe(110_000 + 90_000);
    w.clockJump(1, -50_000);
    expect(c1.monotonicUs()).toBe(200_000);
  });
});
