// The published figures this report reproduces: Ongaro & Ousterhout, "In Search of an
// Understandable Consensus Algorithm (Extended Version)", 2014, §9.3 and Figure 16.
// Setup as published: 5 servers, broadcast time ~15 ms, the leader crashed uniformly at
// random within its heartbeat interval (half the minimum election timeout) right after a
// heartbeat round, servers given logs of different lengths, 1,000 trials per line.

export const PAPER_CITATION = "Ongaro & Ousterhout 2014, In Search of an Understandable Consensus Algorithm, §9.3, Figure 16";

export interface TimeoutRange {
  timeoutMinMs: number;
  timeoutMaxMs: number;
  /** Figure 16 has two panels: the top one varies randomness, the bottom one scales the timeout. */
  panel: "randomness" | "scale";
}

export const FIGURE16_RANGES: TimeoutRange[] = [
  { timeoutMinMs: 150, timeoutMaxMs: 150, panel: "randomness" },
  { timeoutMinMs: 150, timeoutMaxMs: 151, panel: "randomness" },
  { timeoutMinMs: 150, timeoutMaxMs: 155, panel: "randomness" },
  { timeoutMinMs: 150, timeoutMaxMs: 175, panel: "randomness" },
  { timeoutMinMs: 150, timeoutMaxMs: 200, panel: "randomness" },
  { timeoutMinMs: 150, timeoutMaxMs: 300, panel: "randomness" },
  { timeoutMinMs: 12, timeoutMaxMs: 24, panel: "scale" },
  { timeoutMinMs: 25, timeoutMaxMs: 50, panel: "scale" },
  { timeoutMinMs: 50, timeoutMaxMs: 100, panel: "scale" },
  { timeoutMinMs: 100, timeoutMaxMs: 200, panel: "scale" },
  { timeoutMinMs: 150, timeoutMaxMs: 300, panel: "scale" },
];

/** Which statistic of a row's trials a published number describes. */
export type PaperStatistic = "median" | "mean" | "max" | "min";

export interface PublishedFigure {
  timeoutMinMs: number;
  timeoutMaxMs: number;
  statistic: PaperStatistic;
  /** The published value (ms). For "min" it is a lower bound: "over 10 s consistently". */
  valueMs: number;
  /** How the paper states it. */
  text: string;
}

export const PUBLISHED_FIGURES: PublishedFigure[] = [
  { timeoutMinMs: 150, timeoutMaxMs: 150, statistic: "min", valueMs: 10_000, text: "no randomness: leader election took longer than 10 seconds, consistently" },
  { timeoutMinMs: 150, timeoutMaxMs: 155, statistic: "median", valueMs: 287, text: "150–155 ms: median 287 ms" },
  { timeoutMinMs: 150, timeoutMaxMs: 200, statistic: "max", valueMs: 513, text: "150–200 ms: worst of 1,000 trials 513 ms" },
  { timeoutMinMs: 12, timeoutMaxMs: 24, statistic: "mean", valueMs: 35, text: "12–24 ms: mean 35 ms" },
  { timeoutMinMs: 12, timeoutMaxMs: 24, statistic: "max", valueMs: 152, text: "12–24 ms: worst of 1,000 trials 152 ms" },
];

/** The paper's cluster: broadcast time (send to all, all reply) ~15 ms. */
export const PAPER_BROADCAST_MS = 15;
export const PAPER_SERVERS = 5;
export const PAPER_TRIALS = 1_000;
