// The campaign's results do not depend on how it is spread: over 1 or 2 worker threads,
// over shards, or stopped early after some failures.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { type CampaignOptions, runCampaign } from "./pool";

let workerUrl: URL;

beforeAll(async () => {
  // The worker runs plain JS: bundle it as build.mjs does for dist/fuzz-worker.mjs.
  const dir = mkdtempSync(join(tmpdir(), "raftsim-fuzz-worker-"));
  await build({
    entryPoints: { "fuzz-worker": join(__dirname, "worker.ts") },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  workerUrl = pathToFileURL(join(dir, "fuzz-worker.mjs"));
});

const SEED = 17;
const base: CampaignOptions = { campaignSeed: SEED, runs: 40, workers: 1, bugs: [], selfTest: "torn-crash", quiet: true, shrinkBudget: 40 };

describe(`fuzz campaign (campaign seed ${SEED})`, () => {
  it("--workers 2 gives the same outcomes as --workers 1, failures and shrunk cases included", async () => {
    console.log(`pool test campaign seed ${SEED}`);
    const one = await runCampaign(base);
    const completions: number[] = [];
    const two = await runCampaign({ ...base, workers: 2, workerUrl, onOutcome: (o) => completions.push(o.index) });
    expect(one.outcomes.length).toBe(base.runs);
    expect(one.outcomes.some((o) => !o.passed)).toBe(true); // the comparison covers failures
    expect(one.outcomes.some((o) => o.passed)).toBe(true);
    expect(two.outcomes).toEqual(one.outcomes);
    expect(completions.slice().sort((a, b) => a - b)).toEqual(one.outcomes.map((o) => o.index));
  });

  it("shards together give exactly the unsharded campaign", async () => {
    const whole = await runCampaign(base);
    const parts = await Promise.all([0, 1, 2].map((index) => runCampaign({ ...base, shard: { index, count: 3 } })));
    const merged = parts.flatMap((p) => p.outcomes).sort((a, b) => a.index - b.index);
    expect(merged).toEqual(whole.outcomes);
    // Run i goes to shard i mod 3.
    expect(parts.map((p) => p.planned)).toEqual([0, 1, 2].map((i) => Math.ceil((base.runs - i) / 3)));
  });

  it("stopping after N failures stops at the same run whatever the worker count", async () => {
    // Enough runs for at least three torn-crash failures in this campaign.
    const torn: CampaignOptions = { ...base, runs: 100, selfTest: "torn-crash" };
    const all = await runCampaign(torn);
    const failing = all.outcomes.filter((o) => !o.passed).map((o) => o.index);
    expect(failing.length).toBeGreaterThanOrEqual(3);
    const one = await runCampaign({ ...torn, maxFailures: 2 });
    const two = await runCampaign({ ...torn, maxFailures: 2, workers: 2, workerUrl });
    expect(one.outcomes.map((o) => o.index)).toEqual(Array.from({ length: failing[1]! + 1 }, (_, i) => i));
    expect(one.stoppedEarly).toBe(true);
    expect(two.outcomes).toEqual(one.outcomes);
  });

  it("a caller's stop (--time) leaves a prefix of runs, exactly the campaign of that many runs", async () => {
    const torn: CampaignOptions = { ...base, runs: 1_000_000, selfTest: "torn-crash" };
    for (const workers of [1, 2]) {
      let started = 0;
      // Stop after the 12th start: a stand-in for a wall clock, and deterministic.
      const stopped = await runCampaign({ ...torn, workers, workerUrl, shouldStop: () => started++ >= 12 });
      expect(stopped.stoppedByCaller).toBe(true);
      expect(stopped.stoppedEarly).toBe(true);
      const n = stopped.outcomes.length;
      expect(n).toBeGreaterThanOrEqual(12);
      expect(stopped.outcomes.map((o) => o.index)).toEqual(Array.from({ length: n }, (_, i) => i));
      const exact = await runCampaign({ ...torn, runs: n });
      expect(exact.stoppedByCaller).toBe(false);
      expect(stopped.outcomes).toEqual(exact.outcomes);
    }
    // Sharded, a stop leaves a prefix of the shard's runs (run i is in shard i mod 4).
    let started = 0;
    const shard = await runCampaign({ ...torn, shard: { index: 3, count: 4 }, shouldStop: () => started++ >= 5 });
    expect(shard.outcomes.map((o) => o.index)).toEqual([3, 7, 11, 15, 19]);
  });

  it("a worker that cannot start fails the campaign instead of hanging", async () => {
    await expect(runCampaign({ ...base, workers: 2, workerUrl: pathToFileURL("/nonexistent/fuzz-worker.mjs") })).rejects.toThrow();
  });
});
