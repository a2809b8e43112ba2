import { describe, expect, it } from "vitest";
import { RngStreams } from "./rng";

describe("RngStreams", () => {
  it("same seed and name give the same numbers", () => {
    const a = new RngStreams(7).stream("net");
    const b = new RngStreams(7).stream("net");
    expect(Array.from({ length: 20 }, () => a.next())).toEqual(Array.from({ length: 20 }, () => b.next()));
  });

  it("a new consumer never shifts another stream", () => {
    const lone = new RngStreams(7);
    const busy = new RngStreams(7);
    for (let i = 0; i < 100; i++) busy.stream("someone-else").next();
    expect(busy.stream("disk").next()).toBe(lone.stream("disk").next());
  });

  it("different seeds differ", () => {
    expect(new RngStreams(1).stream("x").next()).not.toBe(new RngStreams(2).stream("x").next());
  });

  it("helpers stay in range", () => {
    const r = new RngStreams(3).stream("h");
    for (let i = 0; i < 1_000; i++) {
      const n = r.int(-3, 4);
      expect(n).toBeGreaterThanOrEqual(-3);
      expect(n).toBeLessThan(4);
      expect(Number.isInteger(n)).toBe(true);
      expect(r.exponential(5)).toBeGreaterThanOrEqual(0);
      expect(["a", "b"]).toContain(r.pick(["a", "b"]));
    }
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(r.chance(0)).toBe(false);
    expect(r.chance(1)).toBe(true);
  });

  it("lognormal(median, p99) reproduces its median and p99", () => {
    const r = new RngStreams(9).stream("ln");
    const xs = Array.from({ length: 20_000 }, () => r.lognormal(10, 40)).sort((a, b) => a - b);
    expect(xs[10_000]!).toBeGreaterThan(9.5);
    expect(xs[10_000]!).toBeLessThan(10.5);
    expect(xs[19_800]!).toBeGreaterThan(36);
    expect(xs[19_800]!).toBeLessThan(44);
  });
});
