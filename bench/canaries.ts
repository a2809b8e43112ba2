// `npm run bench:canaries`: the harness's own measure. For every canary bug, plain fuzz
// campaigns (exactly `raftsim fuzz --bug NAME --seed S --workers 1`: no hint about which
// fault triggers it) run until the first failing run; we report runs and wall seconds to
// that first detection (median over the campaign seeds, on one core) and how many faults
// are left after shrinking it. A run counts as a detection only if the same case passes
// that check without the canary (so a bug of the store itself is not credited to it), and
// shrinking keeps that true. Targets: every bug found, median ≤ 30 s, ≤ 3 faults.
//
//   npm run bench:canaries [-- --bug NAME[,NAME]] [--seeds 5] [--max-seconds 60] [--max-runs 2000] [--json]
import { performance } from "node:perf_hooks";
import { CANARY_BUGS, type CanaryBug, isCanaryBug } from "../core/canary";
import { DEFAULT_SHRINK_BUDGET, fuzzRun } from "../scenarios/fuzz/driver";
import { fmt, median } from "./stats";

const TARGET_MEDIAN_S = 30;
const TARGET_FAULTS = 3;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const bugs = (flag("bug")?.split(",") ?? Object.keys(CANARY_BUGS)).map((b) => {
  if (!isCanaryBug(b)) throw new Error(`unknown canary '${b}' (known: ${Object.keys(CANARY_BUGS).join(", ")})`);
  return b;
});
const seeds = Number(flag("seeds") ?? 5);
const maxSeconds = Number(flag("max-seconds") ?? 60);
const maxRuns = Number(flag("max-runs") ?? 2_000);
const json = process.argv.includes("--json");

interface Campaign {
  seed: number;
  found: boolean;
  runs: number;
  seconds: number;
  check?: string;
  faultsBefore?: number;
  faultsAfter?: number;
  shrinkSeconds?: number;
  message?: string;
}

function campaign(bug: CanaryBug, seed: number): Campaign {
  const set = new Set([bug]);
  const start = performance.now();
  for (let index = 0; index < maxRuns; index++) {
    // Detection first (no shrinking), timed as the campaign would see it.
    // Only failures the canary causes count: the same case must pass without it.
    const o = fuzzRun({ campaignSeed: seed, index, bugs: set, shrinkBudget: 0, attributeToBugs: true });
    if (o.backgroundFailure) background.push(`${seed}/${index}:${o.backgroundFailure}`);
    const seconds = (performance.now() - start) / 1_000;
    if (o.failure) {
      const shrinkStart = performance.now();
      const shrunk = fuzzRun({ campaignSeed: seed, index, bugs: set, shrinkBudget: DEFAULT_SHRINK_BUDGET, attributeToBugs: true }).failure!;
      return {
        seed,
        found: true,
        runs: index + 1,
        seconds,
        check: shrunk.check,
        faultsBefore: shrunk.original.faults,
        faultsAfter: shrunk.shrunk.faults,
        shrinkSeconds: (performance.now() - shrinkStart) / 1_000,
        message: shrunk.shrunk.violations.find((v) => v.check === shrunk.check)?.message.slice(0, 160),
      };
    }
    if (seconds > maxSeconds) return { seed, found: false, runs: index + 1, seconds };
  }
  return { seed, found: false, runs: maxRuns, seconds: (performance.now() - start) / 1_000 };
}

/** Median with misses counted as infinitely slow: a bug found in 2 of 5 campaigns has no finite median. */
function medianOf(cs: Campaign[], pick: (c: Campaign) => number): number {
  return median(cs.map((c) => (c.found ? pick(c) : Infinity)));
}

/** Runs that failed with and without the canary (a bug of the store itself): skipped, listed. */
const background: string[] = [];
const rows = [];
if (!json) console.log(`canary detection: ${seeds} campaign seeds per bug, one core, cap ${maxSeconds} s or ${maxRuns} runs per campaign; shrink budget ${DEFAULT_SHRINK_BUDGET}`);
for (const bug of bugs) {
  const campaigns: Campaign[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const c = campaign(bug, seed);
    campaigns.push(c);
    process.stderr.write(`  ${bug} seed ${seed}: ${c.found ? `found by ${c.check} after ${c.runs} runs, ${fmt(c.seconds, 1)} s; shrunk ${c.faultsBefore} -> ${c.faultsAfter} faults in ${fmt(c.shrinkSeconds!, 1)} s` : `not found in ${c.runs} runs, ${fmt(c.seconds, 1)} s`}\n`);
  }
  const found = campaigns.filter((c) => c.found);
  const row = {
    bug,
    found: found.length,
    campaigns: seeds,
    medianRuns: medianOf(campaigns, (c) => c.runs),
    medianSeconds: medianOf(campaigns, (c) => c.seconds),
    medianFaultsAfterShrink: found.length ? median(found.map((c) => c.faultsAfter!)) : null,
    maxFaultsAfterShrink: found.length ? Math.max(...found.map((c) => c.faultsAfter!)) : null,
    checks: [...new Set(found.map((c) => c.check!))].sort(),
    campaignsDetail: campaigns,
  };
  const meets = row.found === seeds && row.medianSeconds <= TARGET_MEDIAN_S && (row.maxFaultsAfterShrink ?? Infinity) <= TARGET_FAULTS;
  rows.push({ ...row, meetsTargets: meets });
  if (!json) {
    const s = Number.isFinite(row.medianSeconds) ? `${fmt(row.medianSeconds, 1)} s` : "not found";
    const r = Number.isFinite(row.medianRuns) ? fmt(row.medianRuns) : "-";
    console.log(
      `${bug.padEnd(28)} found ${row.found}/${seeds}  median ${r.padStart(5)} runs  ${s.padStart(10)}  faults after shrink: median ${row.medianFaultsAfterShrink ?? "-"} max ${row.maxFaultsAfterShrink ?? "-"}  by ${row.checks.join(",") || "-"}  ${meets ? "OK" : "MISSES TARGET"}`,
    );
  }
}
if (json) console.log(JSON.stringify({ backgroundFailures: background, seeds, maxSeconds, maxRuns, targets: { medianSeconds: TARGET_MEDIAN_S, faults: TARGET_FAULTS }, bugs: rows }, (_k, v) => (v === Infinity ? null : v)));
else {
  if (background.length) console.log(`skipped ${background.length} runs that failed without the canary too (seed/run:check): ${[...new Set(background)].join(" ")}`);
  console.log(`${rows.filter((r) => r.meetsTargets).length}/${rows.length} canaries meet every target (found in all ${seeds} campaigns, median ≤ ${TARGET_MEDIAN_S} s, shrunk to ≤ ${TARGET_FAULTS} faults)`);
}
