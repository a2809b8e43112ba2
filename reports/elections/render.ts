// The elections report as JSON (the CLI contract), Markdown and a self-contained page.
import type { ChartSpec } from "../html/chart-spec";
import { type Block, renderPage, type Table } from "../html/page";
import type { ElectionRow, Figure16Result } from "./figure16";
import { PAPER_CITATION } from "./paper";

const rangeName = (r: { timeoutMinMs: number; timeoutMaxMs: number }) => `${r.timeoutMinMs}–${r.timeoutMaxMs} ms`;
const fmt = (ms: number) => (ms >= 1_000 ? `${(ms / 1_000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

export function electionsJson(result: Figure16Result, wallMs?: number): object {
  const row = (r: ElectionRow) => ({
    timeoutMinMs: r.timeoutMinMs,
    timeoutMaxMs: r.timeoutMaxMs,
    panel: r.panel,
    trials: r.trials,
    medianMs: r.medianMs,
    meanMs: r.meanMs,
    p99Ms: r.p99Ms,
    maxMs: r.maxMs,
    minMs: r.minMs,
    capped: r.capped,
    meanCandidacies: r.meanCandidacies,
    paper: r.paper,
  });
  return {
    source: PAPER_CITATION,
    servers: result.servers,
    seed: result.seed,
    broadcastMs: result.broadcast,
    persistMs: result.persistUs / 1_000,
    laggingFollowers: result.laggingFollowers,
    capMs: result.capMs,
    rows: result.rows.map(row),
    equalLogs: result.equalLogs.map(row),
    explanations: explanations(result),
    ...(wallMs !== undefined ? { wallMs } : {}),
  };
}

/** Why a published figure is or is not matched: computed from the rows, not hard-coded. */
export function explanations(result: Figure16Result): string[] {
  const out: string[] = [];
  for (const r of result.rows) {
    for (const p of r.paper) {
      if (p.reproduced) continue;
      const eq = result.equalLogs.find((e) => e.timeoutMinMs === r.timeoutMinMs && e.timeoutMaxMs === r.timeoutMaxMs);
      const eqCmp = eq?.paper.find((q) => q.statistic === p.statistic);
      if (p.statistic === "min") {
        out.push(
          `${rangeName(r)}: the paper's elections never ended within 10 s; here the shortest took ${fmt(p.simulatedMs)} and the median ${fmt(r.medianMs)} (${r.meanCandidacies} candidacies per trial). ` +
            "With identical timeouts only message-delay jitter separates the candidates, and in etcd-style Raft a candidate that sees a higher term resets its timer to that moment, so timers drift apart by one-way delays until one candidate is a full vote round ahead. " +
            "The paper's timers evidently stayed aligned; the qualitative result (no randomness: split votes for hundreds of ms to seconds, vs. a median of " +
            `${fmt(result.rows.find((x) => x.timeoutMaxMs - x.timeoutMinMs >= 25 && x.timeoutMinMs === 150)?.medianMs ?? Number.NaN)} with 150–175 ms) holds.`,
        );
      } else {
        const why =
          p.statistic === "max"
            ? `The worst of ${r.trials} trials is a single extreme; p99 here is ${fmt(r.p99Ms)}.`
            : "";
        let ablation = "";
        if (eqCmp) {
          const cause =
            "a follower with a shorter log can never win, but its higher term makes the eligible servers reset their election timers (etcd's rule on any term change; the paper's Figure 2 resets only on granting a vote or hearing from the leader)";
          ablation = eqCmp.reproduced
            ? ` With every log equal the same statistic is ${fmt(eqCmp.simulatedMs)} (ratio ${eqCmp.ratio}): the excess comes from the uneven logs: ${cause}.`
            : ` With every log equal it is ${fmt(eqCmp.simulatedMs)} (ratio ${eqCmp.ratio}), so the uneven logs explain only part of it (${cause}); the rest is split votes repeating in the tail.`;
        }
        out.push(`${rangeName(r)} ${p.statistic}: published ${fmt(p.publishedMs)}, simulated ${fmt(p.simulatedMs)} (ratio ${p.ratio}). ${why}${ablation}`.trim());
      }
    }
  }
  return out;
}

function comparisonTable(result: Figure16Result): Table {
  const rows: (string | number)[][] = [];
  const rowClass: (string | undefined)[] = [];
  for (const r of result.rows) {
    for (const p of r.paper) {
      if (rows.some((x) => x[0] === rangeName(r) && x[1] === p.statistic)) continue;
      rows.push([rangeName(r), p.statistic, p.statistic === "min" ? `> ${fmt(p.publishedMs)}` : fmt(p.publishedMs), fmt(p.simulatedMs), p.ratio.toFixed(2), p.reproduced ? "yes" : "no (see below)"]);
      rowClass.push(p.reproduced ? "ok" : "gap");
    }
  }
  return { caption: "Published figure vs. simulated", head: ["timeouts", "statistic", "published", "simulated", "ratio", "within ±20 %"], rows, rowClass };
}

function rowsTable(rows: ElectionRow[], caption: string): Table {
  return {
    caption,
    head: ["timeouts", "trials", "median", "mean", "p99", "max", "capped", "candidacies/trial"],
    rows: rows.map((r) => [rangeName(r), r.trials, fmt(r.medianMs), fmt(r.meanMs), fmt(r.p99Ms), fmt(r.maxMs), r.capped, r.meanCandidacies]),
  };
}

function setupText(result: Figure16Result): string {
  const n = result.network;
  return (
    `${result.servers} servers; the leader sends a heartbeat, then crashes uniformly at random within its heartbeat interval (half the minimum timeout); ` +
    `${result.laggingFollowers} follower's log is one entry short, so it cannot win. Raft ticks every 1 ms, election timeouts drawn uniformly from [min, max] ms; pre-vote and check-quorum off. ` +
    `One-way delay ${n.baseUs / 1_000} ms + lognormal jitter (median ${n.jitterMedianUs / 1_000} ms, p99 ${n.jitterP99Us / 1_000} ms), ${result.persistUs / 1_000} ms to persist a vote before acknowledging it: ` +
    `broadcast time median ${result.broadcast.medianMs} ms, p99 ${result.broadcast.p99Ms} ms (paper: ~15 ms). Time without leader = crash → a server becomes leader (virtual time). ` +
    `Trials stop at ${fmt(result.capMs)}. Seed ${result.seed}.`
  );
}

export function electionsMarkdown(result: Figure16Result): string {
  const md = (t: Table) => [`| ${t.head.join(" | ")} |`, `| ${t.head.map(() => "---").join(" | ")} |`, ...t.rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
  return [
    "# Leader elections: the Raft paper's Figure 16, reproduced",
    "",
    `Source: ${PAPER_CITATION}.`,
    "",
    setupText(result),
    "",
    "## Published figure vs. simulated",
    "",
    md(comparisonTable(result)),
    "",
    ...explanations(result).map((e) => `- ${e}`),
    "",
    "## Every row",
    "",
    md(rowsTable(result.rows.filter((r, i, a) => a.findIndex((o) => o.timeoutMinMs === r.timeoutMinMs && o.timeoutMaxMs === r.timeoutMaxMs) === i), "all rows")),
    "",
    "## The published rows with equal logs (ablation)",
    "",
    md(rowsTable(result.equalLogs, "equal logs")),
    "",
  ].join("\n");
}

export function electionCharts(result: Figure16Result): ChartSpec[] {
  const panel = (p: ElectionRow["panel"], title: string): ChartSpec => ({
    id: `elections-${p}`,
    title,
    xLabel: "time without leader (ms, log scale)",
    yLabel: "cumulative % of trials",
    xLog: true,
    yPercent: true,
    series: result.rows.filter((r) => r.panel === p).map((r) => ({ name: `${r.timeoutMinMs}–${r.timeoutMaxMs} ms`, points: r.cdf })),
  });
  return [panel("randomness", "Randomness of the timeout (150–X ms)"), panel("scale", "Scale of the timeout (T–2T ms)")];
}

export function electionsHtml(result: Figure16Result, chartsJs: string): string {
  const charts = electionCharts(result);
  const blocks: Block[] = [
    { kind: "p", text: setupText(result) },
    { kind: "charts", ids: charts.map((c) => c.id) },
    { kind: "p", text: "How to read: each line is one timeout range; a point (x, y) says y % of the trials had a leader again within x ms of the crash. Lines further left are faster; a long flat tail to the right is split votes repeating." },
    { kind: "h2", text: "Published figure vs. simulated" },
    { kind: "table", table: comparisonTable(result) },
    ...explanations(result).map((text): Block => ({ kind: "p", text })),
    { kind: "h2", text: "Every row" },
    { kind: "table", table: rowsTable(result.rows, "time without leader") },
    { kind: "h2", text: "The published rows with equal logs (ablation)" },
    { kind: "table", table: rowsTable(result.equalLogs, "time without leader, every follower's log equal") },
  ];
  return renderPage({ title: "Leader elections: the Raft paper's Figure 16, reproduced", subtitle: PAPER_CITATION, blocks, charts, chartsJs });
}
