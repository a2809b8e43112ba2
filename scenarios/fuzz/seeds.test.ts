import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseShard, runSeed, shardIndices } from "./seeds";

describe("campaign seeds and shards", () => {
  it("run seeds are positive 31-bit, deterministic and distinct across runs and campaigns", () => {
    const seen = new Set<number>();
    for (const campaign of [1, 2, 2 ** 40 + 1]) {
      for (let i = 0; i < 5_000; i++) {
        const s = runSeed(campaign, i);
        expect(s).toBe(runSeed(campaign, i));
        expect(s > 0 && s < 2 ** 31 && Number.isInteger(s)).toBe(true);
        seen.add(s);
      }
    }
    expect(seen.size).toBeGreaterThan(15_000 - 5); // a 31-bit hash may collide a handful of times at most
  });

  it("shards partition a campaign: disjoint, and together exactly its runs (seed 11)", () => {
    console.log("shard property seed 11");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 12 }), (runs, count) => {
        const all = Array.from({ length: count }, (_, index) => shardIndices(runs, { index, count })).flat();
        expect(all.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: runs }, (_, i) => i));
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it("parses I/N and refuses anything else", () => {
    expect(parseShard("0/4")).toEqual({ index: 0, count: 4 });
    expect(parseShard("3/4")).toEqual({ index: 3, count: 4 });
    for (const bad of ["4/4", "1/0", "-1/4", "1", "a/b", "1/2/3", ""]) expect(parseShard(bad)).toBeUndefined();
  });
});
