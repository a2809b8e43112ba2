import { beforeAll, describe, expect, it } from "vitest";
import { benchmarkCharts, benchmarkJson, benchmarkMarkdown, explanations, verdict } from "./render";
import { type BenchmarkResult, runBenchmark, validateBenchmarkOptions } from "./run";

let ssd: BenchmarkResult;
beforeAll(() => {
  ssd = runBenchmark({ seed: 7, requests: 300 });
}, 60_000);

const row = (r: BenchmarkResult, name: string) => r.rows.find((x) => x.name === name)!;

describe("etcd one-client benchmark on the simulated cluster", () => {
  it("runs the three published rows on ssd + lan; each row's phases add up to its mean latency", () => {
    expect(ssd.rows.map((r) => r.name)).toEqual(["put", "linearizable", "serializable"]);
    expect([ssd.disk.name, ssd.network.name, ssd.nodes]).toEqual(["ssd", "lan", 3]);
    for (const r of ssd.rows) {
      expect(r.latencyMs.count).toBe(300);
      const sum = Object.entries(r.phasesMs).filter(([k]) => k.endsWith("Us")).reduce((a, [, v]) => a + v, 0);
      expect(sum).toBeCloseTo(r.latencyMs.mean, 2);
      // Closed loop, no client gap: throughput is 1 / mean latency.
      expect(r.reqPerSec).toBeCloseTo(1_000 / r.latencyMs.mean, -1);
    }
  });

  it("attributes the costs to the right places: fsyncs only on the put path, a quorum round on put and linearizable, none on serializable", () => {
    const put = row(ssd, "put");
    const lin = row(ssd, "linearizable");
    const ser = row(ssd, "serializable");
    expect(put.phasesMs.leaderFsyncMs).toBeGreaterThan(0.5);
    expect(put.phasesMs.followerFsyncMs).toBeGreaterThan(0.3);
    expect(put.leaderWalFsyncsPerRequest).toBeCloseTo(1, 1); // one client: no batching
    expect(put.roundFraction).toBeGreaterThan(0.95);
    expect(lin.roundFraction).toBeGreaterThan(0.95);
    expect(lin.phasesMs.leaderFsyncMs + lin.phasesMs.followerFsyncMs).toBe(0);
    expect(ser.roundFraction).toBe(0);
    expect(put.latencyMs.mean).toBeGreaterThan(lin.latencyMs.mean);
    expect(lin.latencyMs.mean).toBeGreaterThan(ser.latencyMs.mean);
    // Overlapping the leader's fsync with replication (etcd) can only shorten a put.
    expect(put.overlappedMeanMs!).toBeLessThan(put.latencyMs.mean);
    expect(put.overlappedMeanMs!).toBeGreaterThan(ser.latencyMs.mean);
  });

  it("a slower disk moves only the rows that fsync", () => {
    const hdd = runBenchmark({ seed: 7, requests: 40, disk: "hdd" });
    expect(row(hdd, "put").phasesMs.leaderFsyncMs).toBeGreaterThan(5 * row(ssd, "put").phasesMs.leaderFsyncMs);
    expect(row(hdd, "serializable").latencyMs.mean).toBeLessThan(2 * row(ssd, "serializable").latencyMs.mean);
  }, 60_000);

  it("is a function of the seed", () => {
    const again = runBenchmark({ seed: 7, requests: 50 });
    const once = runBenchmark({ seed: 7, requests: 50 });
    const other = runBenchmark({ seed: 8, requests: 50 });
    expect(JSON.stringify(benchmarkJson(again))).toBe(JSON.stringify(benchmarkJson(once)));
    expect(row(other, "put").latencyMs.mean).not.toBe(row(once, "put").latencyMs.mean);
  }, 60_000);

  it("reports published vs simulated vs ratio, and explanations built from the measured numbers", () => {
    const json = benchmarkJson(ssd) as { rows: { name: string; published: { avgLatencyMs: number; reqPerSec: number }; simulated: { avgLatencyMs: number; reqPerSec: number }; ratio: { latency: number; throughput: number }; reproduced: boolean; explanation: string }[] };
    expect(json.rows.map((r) => [r.name, r.published.avgLatencyMs, r.published.reqPerSec])).toEqual([
      ["put", 1.6, 583],
      ["linearizable", 0.7, 1_353],
      ["serializable", 0.3, 2_909],
    ]);
    for (const r of json.rows) {
      expect(r.ratio.latency).toBeCloseTo(r.simulated.avgLatencyMs / r.published.avgLatencyMs, 2);
      expect(r.ratio.throughput).toBeCloseTo(r.simulated.reqPerSec / r.published.reqPerSec, 2);
      expect(r.reproduced).toBe(Math.abs(r.ratio.latency - 1) <= 0.2 && Math.abs(r.ratio.throughput - 1) <= 0.2);
      expect(r.explanation).toContain(r.simulated.avgLatencyMs.toFixed(2));
    }
    const why = explanations(ssd);
    expect(why.put).toContain(`${row(ssd, "put").overlappedMeanMs!.toFixed(2)} ms`);
    expect(why.put).toMatch(/leader's WAL fsync \d\.\d\d ms/);
    expect(why.linearizable).toMatch(/ReadIndex/);
    expect(why.serializable).toMatch(/no CPU time/);
    expect(verdict(row(ssd, "serializable")).clientRttMs).toBeCloseTo(row(ssd, "serializable").latencyMs.mean, 2);
    const md = benchmarkMarkdown(ssd);
    expect(md).toContain("| published avg | simulated avg | ratio |");
    expect(md).toContain("https://etcd.io/docs/v3.2/op-guide/performance/");
    const [chart] = benchmarkCharts(ssd);
    expect(chart!.series).toHaveLength(3);
    expect(chart!.markers!.map((m) => m.x)).toEqual([1.6, 0.7, 0.3]);
  });

  it("rejects bad options with a reason", () => {
    expect(validateBenchmarkOptions({ requests: 0 })).toMatch(/--requests/);
    expect(validateBenchmarkOptions({ requests: 1.5 })).toMatch(/--requests/);
    expect(validateBenchmarkOptions({ requests: 100, disk: "floppy" })).toMatch(/unknown disk profile 'floppy'/);
    expect(validateBenchmarkOptions({ requests: 100, network: "carrier-pigeon" })).toMatch(/unknown network profile/);
    expect(validateBenchmarkOptions({ requests: 100 })).toBeUndefined();
  });
});
