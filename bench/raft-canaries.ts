// `npm run bench:raft-canaries`: how reliably the Raft property (sim/host/raft.property.test.ts)
// catches each Raft canary, over several fast-check seeds rather than CI's one. CI asserts a
// catch within its run count on one seed; a canary whose median catch run is near that count
// passes there by luck, and any change to what the arbitrary draws can tip it over. For each
// canary: the run of the first failure per seed, the median and the maximum, against CI's
// run count.
//
//   npm run bench:raft-canaries [-- --bug NAME[,NAME]] [--seeds 1,2,3,4,5,6,7,8] [--max-runs 1000]
import fc from "fast-check";
import { CANARY_BUGS, isCanaryBug } from "../core/canary";
import { RAFT_CANARIES, RAFT_PROPERTY_CI_RUNS, runRaftCase } from "../sim/host/fuzz";
import { raftCaseArb } from "../sim/host/fuzz_arbitrary";
import { median } from "./stats";

const CI_RUNS = RAFT_PROPERTY_CI_RUNS;

function usage(what: string): never {
  console.error(`bench:raft-canaries: ${what} (usage: npm run bench:raft-canaries -- [--bug NAME[,NAME]] [--seeds 1,2,3] [--max-runs N])`);
  process.exit(2);
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith("--")) usage(`--${name} expects a value`);
  return v;
}

const bugs = (flag("bug")?.split(",") ?? RAFT_CANARIES).map((b) => {
  if (!isCanaryBug(b)) usage(`--bug: unknown canary '${b}' (known: ${Object.keys(CANARY_BUGS).join(", ")})`);
  return b;
});
const seeds = (flag("seeds") ?? "1,2,3,4,5,6,7,8").split(",").map((s) => {
  if (!/^\d{1,10}$/.test(s)) usage(`--seeds expects comma-separated non-negative integers, got '${s}'`);
  return Number(s);
});
const maxRunsText = flag("max-runs") ?? "1000";
if (!/^\d{1,7}$/.test(maxRunsText) || Number(maxRunsText) < 1) usage(`--max-runs expects a positive integer up to 9999999, got '${maxRunsText}'`);
const maxRuns = Number(maxRunsText);

console.log(`Raft property catch runs: ${seeds.length} seeds (${seeds.join(",")}), at most ${maxRuns} runs each; CI runs ${CI_RUNS} on one seed`);
let fragile = 0;
for (const bug of bugs) {
  const runs: number[] = [];
  for (const seed of seeds) {
    const out = fc.check(fc.property(raftCaseArb, (c) => runRaftCase(c, new Set([bug])).violations.length === 0), { numRuns: maxRuns, seed, endOnFailure: true });
    runs.push(out.failed ? out.numRuns : Infinity);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  const med = median(runs);
  const beyondCi = runs.filter((r) => r > CI_RUNS).length;
  if (beyondCi > 0) fragile++;
  const show = (r: number) => (Number.isFinite(r) ? String(r) : `>${maxRuns}`);
  console.log(`${bug.padEnd(32)} median ${show(med).padStart(6)}  max ${show(sorted[sorted.length - 1]!).padStart(6)}  beyond ${CI_RUNS}: ${beyondCi}/${seeds.length}  runs: ${runs.map(show).join(" ")}`);
}
console.log(fragile === 0 ? `every canary caught within ${CI_RUNS} runs on every seed` : `${fragile} canar${fragile === 1 ? "y" : "ies"} needed more than ${CI_RUNS} runs on some seed`);
