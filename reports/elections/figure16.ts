// Runs Figure 16's rows: for each timeout range, `trials` seeded trials of leader crash →
// new leader, summarized and set beside the published figures.
import { Network, type NetworkProfile } from "../../sim/network";
import { RngStreams } from "../../sim/rng";
import { cdfPoints, mean, quantile, round } from "../stats";
import { type ElectionTrialConfig, runElectionTrial } from "./trial";
import { FIGURE16_RANGES, PAPER_SERVERS, PUBLISHED_FIGURES, type PaperStatistic, type TimeoutRange } from "./paper";

/**
 * One-way latency 2.5 ms fixed plus lognormal jitter (median 1 ms, p99 3 ms), and 6 ms to
 * persist a vote before acknowledging it: a round trip is ~13 ms and the slowest of four
 * parallel ones ~15 ms, the paper's broadcast time (measureBroadcastMs checks it).
 */
export const PAPER_NETWORK: NetworkProfile = {
  name: "paper-15ms-broadcast",
  baseUs: 2_500,
  jitterMedianUs: 1_000,
  jitterP99Us: 3_000,
  latencyMaxUs: 15_000,
  lossProbability: 0,
  duplicateProbability: 0,
  reorderProbability: 0,
  reorderDelayMaxUs: 0,
  bandwidthBytesPerUs: 0,
};
export const PAPER_PERSIST_US = 6_000;

/**
 * Broadcast time as §5.6 defines it (send to every other server in parallel, all reply),
 * sampled from the same latency model: median and p99 in ms.
 */
export function measureBroadcastMs(network: NetworkProfile, persistUs: number, samples: number, seed: number): { medianMs: number; p99Ms: number } {
  const rng = new RngStreams(seed).stream("broadcast");
  const net = new Network({ ...network }, rng, { nowUs: () => 0, schedule: () => {}, trace: () => {}, endpointState: () => "up" });
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    let slowest = 0;
    for (let peer = 1; peer < PAPER_SERVERS; peer++) slowest = Math.max(slowest, net.latencyUs(0) + persistUs + net.latencyUs(0));
    out[i] = slowest / 1_000;
  }
  out.sort();
  return { medianMs: round(quantile(out, 0.5), 2), p99Ms: round(quantile(out, 0.99), 2) };
}

export interface Figure16Options {
  trials: number;
  seed: number;
  ranges?: TimeoutRange[];
  network?: NetworkProfile;
  laggingFollowers?: number;
  capMs?: number;
  persistUs?: number;
  /** Also run the published rows with equal logs (default true). */
  ablation?: boolean;
  /** Called after each row (progress bars). */
  onRow?: (done: number, total: number) => void;
}

export interface PaperComparison {
  statistic: PaperStatistic;
  text: string;
  publishedMs: number;
  simulatedMs: number;
  /** simulated / published. */
  ratio: number;
  /** |ratio − 1| ≤ 20 %; for a lower bound ("over 10 s"), simulated ≥ published. */
  reproduced: boolean;
}

export interface ElectionRow {
  timeoutMinMs: number;
  timeoutMaxMs: number;
  panel: TimeoutRange["panel"];
  trials: number;
  medianMs: number;
  meanMs: number;
  p99Ms: number;
  maxMs: number;
  minMs: number;
  /** Trials that hit the cap without electing a leader. */
  capped: number;
  meanCandidacies: number;
  paper: PaperComparison[];
  cdf: [number, number][];
}

export interface Figure16Result {
  servers: number;
  persistUs: number;
  laggingFollowers: number;
  broadcast: { medianMs: number; p99Ms: number };
  capMs: number;
  seed: number;
  network: NetworkProfile;
  rows: ElectionRow[];
  /**
   * The rows with published figures again, with every follower's log equal: separates what
   * the uneven logs cost (a stale candidate's higher term resets an eligible node's timer
   * in etcd-style Raft) from the rest.
   */
  equalLogs: ElectionRow[];
}

export function trialConfig(range: TimeoutRange, options: Pick<Figure16Options, "network" | "laggingFollowers" | "capMs" | "persistUs">): ElectionTrialConfig {
  return {
    servers: PAPER_SERVERS,
    timeoutMinMs: range.timeoutMinMs,
    timeoutMaxMs: range.timeoutMaxMs,
    heartbeatMs: range.timeoutMinMs / 2,
    network: options.network ?? PAPER_NETWORK,
    laggingFollowers: options.laggingFollowers ?? 1,
    capMs: options.capMs ?? 12_000,
    tickUs: 1_000,
    persistUs: options.persistUs ?? PAPER_PERSIST_US,
  };
}

function statistic(stat: PaperStatistic, sorted: Float64Array): number {
  switch (stat) {
    case "median":
      return quantile(sorted, 0.5);
    case "mean":
      return mean(sorted);
    case "max":
      return sorted[sorted.length - 1]!;
    case "min":
      return sorted[0]!;
  }
}

export function runElectionRow(range: TimeoutRange, options: Figure16Options): ElectionRow {
  const cfg = trialConfig(range, options);
  const times = new Float64Array(options.trials);
  let capped = 0;
  let candidacies = 0;
  for (let t = 0; t < options.trials; t++) {
    const r = runElectionTrial(cfg, options.seed, `fig16:${range.timeoutMinMs}-${range.timeoutMaxMs}:${t}`);
    times[t] = r.timeWithoutLeaderMs;
    if (r.capped) capped++;
    candidacies += r.candidacies;
  }
  const sorted = times.slice().sort();
  const paper = PUBLISHED_FIGURES.filter((f) => f.timeoutMinMs === range.timeoutMinMs && f.timeoutMaxMs === range.timeoutMaxMs).map((f): PaperComparison => {
    const simulatedMs = statistic(f.statistic, sorted);
    const ratio = simulatedMs / f.valueMs;
    return {
      statistic: f.statistic,
      text: f.text,
      publishedMs: f.valueMs,
      simulatedMs: round(simulatedMs, 1),
      ratio: round(ratio, 3),
      reproduced: f.statistic === "min" ? simulatedMs >= f.valueMs : Math.abs(ratio - 1) <= 0.2,
    };
  });
  return {
    timeoutMinMs: range.timeoutMinMs,
    timeoutMaxMs: range.timeoutMaxMs,
    panel: range.panel,
    trials: options.trials,
    medianMs: round(quantile(sorted, 0.5), 1),
    meanMs: round(mean(sorted), 1),
    p99Ms: round(quantile(sorted, 0.99), 1),
    maxMs: round(sorted[sorted.length - 1]!, 1),
    minMs: round(sorted[0]!, 1),
    capped,
    meanCandidacies: round(candidacies / options.trials, 2),
    paper,
    cdf: cdfPoints(Array.from(sorted), 300).map(([x, y]) => [round(x, 1), round(y, 4)]),
  };
}

/** All of Figure 16. The 150–300 ms line is in both panels: it is computed once. */
export function runFigure16(options: Figure16Options): Figure16Result {
  const ranges = options.ranges ?? FIGURE16_RANGES;
  const cache = new Map<string, ElectionRow>();
  const rows: ElectionRow[] = [];
  ranges.forEach((range, i) => {
    const key = `${range.timeoutMinMs}-${range.timeoutMaxMs}`;
    const row = cache.get(key) ?? runElectionRow(range, options);
    cache.set(key, row);
    rows.push({ ...row, panel: range.panel });
    options.onRow?.(i + 1, ranges.length);
  });
  const published = ranges.filter((r, i) => PUBLISHED_FIGURES.some((f) => f.timeoutMinMs === r.timeoutMinMs && f.timeoutMaxMs === r.timeoutMaxMs) && ranges.findIndex((o) => o.timeoutMinMs === r.timeoutMinMs && o.timeoutMaxMs === r.timeoutMaxMs) === i);
  const equalLogs = options.ablation === false ? [] : published.map((r) => runElectionRow(r, { ...options, laggingFollowers: 0 }));
  const network = options.network ?? PAPER_NETWORK;
  const persistUs = options.persistUs ?? PAPER_PERSIST_US;
  return {
    servers: PAPER_SERVERS,
    persistUs,
    laggingFollowers: options.laggingFollowers ?? 1,
    broadcast: measureBroadcastMs(network, persistUs, 10_000, options.seed),
    capMs: options.capMs ?? 12_000,
    seed: options.seed,
    network,
    rows,
    equalLogs,
  };
}
