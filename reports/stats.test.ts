import { describe, expect, it } from "vitest";
import { cdfPoints, quantile, round, summarize } from "./stats";

describe("stats", () => {
  it("interpolates quantiles between ranks", () => {
    expect(quantile([1, 2], 0.5)).toBe(1.5);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(quantile([7], 0.99)).toBe(7);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
    expect(() => quantile([1], 1.5)).toThrow();
  });

  it("summarizes 1..1000 with the expected order statistics, independent of input order", () => {
    const values = Array.from({ length: 1000 }, (_, i) => ((i * 389) % 1000) + 1); // a permutation of 1..1000
    const s = summarize(values);
    expect(s.count).toBe(1000);
    expect(s.max).toBe(1000);
    expect(s.p50).toBeCloseTo(500.5, 9);
    expect(s.p90).toBeCloseTo(900.1, 9);
    expect(s.p99).toBeCloseTo(990.01, 9);
    expect(s.p999).toBeCloseTo(999.001, 9);
    expect(s.mean).toBeCloseTo(500.5, 9);
  });

  it("refuses NaN", () => {
    expect(() => summarize([1, Number.NaN])).toThrow(/NaN/);
  });

  it("builds a monotone CDF that ends at the maximum with fraction 1", () => {
    const values = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_007);
    const pts = cdfPoints(values, 100);
    expect(pts.length).toBeLessThanOrEqual(102);
    expect(pts[0]![0]).toBe(Math.min(...values));
    expect(pts.at(-1)).toEqual([Math.max(...values), 1]);
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]![0]).toBeGreaterThanOrEqual(pts[i - 1]![0]);
      expect(pts[i]![1]).toBeGreaterThan(pts[i - 1]![1]);
    }
    expect(cdfPoints([])).toEqual([]);
    expect(cdfPoints([5])).toEqual([[5, 1]]);
  });

  it("rounds without float noise", () => {
    expect(round(0.1 + 0.2)).toBe(0.3);
    expect(round(1.23456, 2)).toBe(1.23);
  });
});
