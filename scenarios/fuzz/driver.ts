// One fuzz run: draw a case from fast-check with the run's seed, run it, and if the
// property fails let fast-check shrink the case (fault plan and workload) to the smallest
// one that still fails the same check. Shrinking is bounded by a count of evaluations, not
// by time, so a campaign's results are the same on any machine and any number of workers.
import fc from "fast-check";
import type { BugSet } from "../../core/canary";
import type { Violation } from "../run";
import { ALL_CHECKS, type CheckName, type Scenario } from "../types";
import { type FuzzCase, fuzzCaseArb, keepingFaults, withoutFault } from "./arbitraries";
import { type Evaluation, evaluate } from "./property";
import { runSeed } from "./seeds";
import type { SelfTestName } from "./self-test";

export const DEFAULT_SHRINK_BUDGET = 1_000;
/**
 * A shrink simulation of more than this many scheduler events counts as one simulation per
 * this many against the budget. Fuzzed runs take 5k-55k events (40 drawn runs each at 1 and
 * 8 cycles); a candidate that livelocks (a canary bug's append/reject ping-pong after the
 * heal: 17.9M events, 30 s of wall time) would otherwise let a few dozen such candidates
 * spend a quarter of an hour. Counted in events, not seconds, so the shrink is the same on
 * any machine.
 */
export const SHRINK_EVENTS_PER_SIMULATION = 150_000;
/** Budget used by a simulation that took `events` scheduler events, past the one it counts as. */
const extraCost = (events: number) => Math.max(0, Math.ceil(events / SHRINK_EVENTS_PER_SIMULATION) - 1);
/** fast-check's own shrink gets this share of the budget; the removal passes the rest. */
const FAST_CHECK_SHARE = 0.35;
/** Fault-by-fault removal: at most this many passes over the plan. */
const REMOVAL_PASSES_MAX = 3;
/**
 * A fault step is often needed only for the timing it gives one particular simulation: the
 * same bug shows up without it under another seed. So a removal that no longer fails is
 * retried under this many other seeds (derived from the run's) before the step is kept;
 * the replay file then holds the seed that failed.
 */
const REMOVAL_SEEDS_EXTRA = 5;
/**
 * Plans longer than this (several rounds, `--cycles`) first lose blocks of steps, halves then
 * quarters and so on, before single steps: most of a long plan's steps do not matter, and
 * one step at a time, each retried under other seeds, can spend the whole budget on them.
 */
const BLOCK_FAULTS_MIN = 8;
/** The subset search runs only for plans longer than this, and tries subsets up to this size. */
const SUBSET_FAULTS_MAX = 3;
const SUBSET_SEEDS_EXTRA = 2;
/** Further rounds of the subset search (fresh seeds each) while budget is left. */
const SUBSET_ROUNDS_MAX = 20;

/** All k-element subsets of 0..n-1, in lexicographic order. */
function* combinations(n: number, k: number, from = 0, prefix: number[] = []): Generator<number[]> {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = from; i <= n - (k - prefix.length); i++) yield* combinations(n, k, i + 1, [...prefix, i]);
}

export interface FuzzRunOptions {
  campaignSeed: number;
  index: number;
  bugs: BugSet;
  selfTest?: SelfTestName | undefined;
  /** At most this many shrink simulations are run (a long one counts as several: SHRINK_EVENTS_PER_SIMULATION). */
  shrinkBudget?: number;
  /**
   * Count a run as failing only if the same check passes with no bugs switched on: a
   * failure the canary did not cause is not a detection of it (used to measure canaries).
   */
  attributeToBugs?: boolean;
  /** The cases to draw from (tests of the harness use cheaper ones). */
  arbitrary?: fc.Arbitrary<FuzzCase>;
  /**
   * Told when the run is found failing (simulations 0) and after each shrink simulation: a
   * shrink can take minutes, and whoever runs the campaign should see it is under way.
   */
  onShrink?: (progress: ShrinkProgress) => void;
}

/** Where a failing run's shrink stands. */
export interface ShrinkProgress {
  index: number;
  check: string;
  /** Shrink simulations run so far, of at most `budget`. */
  simulations: number;
  budget: number;
  /** Fault steps of the case as drawn, and of the smallest failing case so far. */
  faultsFound: number;
  faultsNow: number;
}

export interface Failure {
  /** The check that failed first; shrinking keeps a case only if this check still fails. */
  check: string;
  /** Violations of the case as first drawn. */
  original: { faults: number; traceHash: string; violations: Violation[] };
  /** The smallest failing case found: what the replay file holds. */
  /** `seed` is the simulation seed the shrunk case fails under (the run's, or one the removal pass tried). */
  shrunk: { seed: number; scenario: Scenario; faults: number; traceHash: string; runHash: string; violations: Violation[] };
  /** Simulations run while shrinking, and how many of them made the case smaller. */
  shrinkRuns: number;
  shrinkSteps: number;
  /** Re-running the shrunk case gave the same trace and violations (false is a harness bug). */
  reproducible: boolean;
}

export interface RunOutcome {
  index: number;
  seed: number;
  faults: number;
  traceHash: string;
  runHash: string;
  passed: boolean;
  unknownChecks: string[];
  /** Why each of unknownChecks could not decide, by check. */
  unknownReasons: Record<string, string>;
  /** The case as drawn, kept only when a check could not decide (for a replay file of it). */
  undecided?: { scenario: Scenario };
  /** With attributeToBugs: the check that failed here, but failed without the bugs too. */
  backgroundFailure?: string;
  failure?: Failure;
}

/** Run `index` of campaign `campaignSeed` as drawn, before any shrinking: what fuzzRun runs first. */
export function drawnCase(campaignSeed: number, index: number, arbitrary: fc.Arbitrary<FuzzCase> = fuzzCaseArb): { seed: number; c: FuzzCase } {
  const seed = runSeed(campaignSeed, index);
  let drawn: FuzzCase | undefined;
  fc.check(
    fc.property(arbitrary, (c) => {
      drawn ??= c;
      return true;
    }),
    { seed, numRuns: 1 },
  );
  if (drawn === undefined) throw new Error(`fast-check drew no case for seed ${seed}`);
  return { seed, c: drawn };
}

export function fuzzRun(options: FuzzRunOptions): RunOutcome {
  const seed = runSeed(options.campaignSeed, options.index);
  const budget = options.shrinkBudget ?? DEFAULT_SHRINK_BUDGET;
  const run = (c: FuzzCase, simSeed = seed) => evaluate({ seed: simSeed, scenario: c.scenario, bugs: options.bugs, selfTest: options.selfTest });
  const attribute = options.attributeToBugs === true && options.bugs.size > 0;
  /** With attribution, a failing check also fails without the bugs: not the bugs' doing. */
  const background = (c: FuzzCase, failing: string, simSeed = seed) => attribute && evaluate({ seed: simSeed, scenario: c.scenario, bugs: new Set(), selfTest: options.selfTest }).violations.some((v) => v.check === failing);
  let backgroundFailure: string | undefined;
  let initial: { c: FuzzCase; ev: Evaluation } | undefined;
  let smallest: { c: FuzzCase; ev: Evaluation; seed: number } | undefined;
  let check: string | undefined;
  let shrinkRuns = 0;
  let shrinkSteps = 0;
  let fewestFaults = 0;
  const notify = () => {
    if (options.onShrink && initial && check !== undefined) options.onShrink({ index: options.index, check, simulations: shrinkRuns, budget, faultsFound: initial.c.faultCount, faultsNow: fewestFaults });
  };
  /** Runs fast-check's shrink may use; the rest is for the removal passes that follow. */
  const fastCheckRuns = Math.floor(budget * FAST_CHECK_SHARE);
  fc.check(
    fc.property(options.arbitrary ?? fuzzCaseArb, (c) => {
      if (initial === undefined) {
        const ev = run(c);
        initial = { c, ev };
        if (ev.violations.length === 0) return true;
        const first = ev.violations[0]!.check;
        if (background(c, first)) {
          backgroundFailure = first;
          return true;
        }
        check = first;
        smallest = { ...initial, seed };
        fewestFaults = c.faultCount;
        notify();
        return false;
      }
      // Out of budget: call every further candidate a pass, which ends the shrink.
      if (shrinkRuns >= fastCheckRuns) return true;
      shrinkRuns++;
      // Shrink candidates compute only the check that failed: the others cannot change the
      // verdict, and one slow check (a linearizability search on a diverged store) would
      // otherwise be paid on every candidate. The replay file holds this narrowed scenario.
      if ((ALL_CHECKS as readonly string[]).includes(check!)) c = { ...c, scenario: { ...c.scenario, checks: [check as CheckName] } };
      const ev = run(c);
      shrinkRuns += extraCost(ev.events);
      const failed = ev.violations.some((v) => v.check === check) && !background(c, check!);
      if (failed) fewestFaults = Math.min(fewestFaults, c.faultCount);
      notify();
      if (!failed) return true;
      shrinkSteps++;
      smallest = { c, ev, seed };
      return false;
    }),
    { seed, numRuns: 1 },
  );
  if (initial === undefined) throw new Error(`fast-check ran no case for seed ${seed}`);
  type Found = { c: FuzzCase; ev: Evaluation; seed: number };
  const fails = (c: FuzzCase, simSeed: number): Evaluation | undefined => {
    shrinkRuns++;
    const ev = run(c, simSeed);
    shrinkRuns += extraCost(ev.events);
    const failed = ev.violations.some((v) => v.check === check) && !background(c, check!, simSeed);
    if (failed) fewestFaults = Math.min(fewestFaults, c.faultCount);
    notify();
    return failed ? ev : undefined;
  };
  /**
   * The case `c` failing the same check under the seed that failed so far, or else one of a
   * few others derived from the run's (a step removed may only have given one simulation
   * its timing); the replay file then holds the seed that failed.
   */
  const failsUnderSomeSeed = (c: FuzzCase, firstSeed: number): Found | undefined => {
    const seeds: number[] = [firstSeed, ...Array.from({ length: REMOVAL_SEEDS_EXTRA }, (_, k) => runSeed(seed, k + 1))];
    for (const simSeed of seeds) {
      if (shrinkRuns >= budget) return undefined;
      const ev = fails(c, simSeed);
      if (ev) return { c, ev, seed: simSeed };
    }
    return undefined;
  };
  /**
   * fast-check shrinks the drawn values, where one candidate often changes several things at
   * once. Then a long plan (several rounds) loses blocks of steps, and any plan single steps,
   * latest first (a step after the failure cannot matter), keeping each removal that still
   * fails the same check. Steps draw from their own random streams (faults.ts), so removing
   * one leaves the rest as is.
   */
  const reduce = (start: Found): Found => {
    let best = start.c.faultCount > BLOCK_FAULTS_MIN ? removeBlocks(start) : start;
    for (let pass = 0; pass < REMOVAL_PASSES_MAX; pass++) {
      let removed = false;
      for (let i = best.c.faultCount - 1; i >= 0 && shrinkRuns < budget; i--) {
        const found = failsUnderSomeSeed(withoutFault(best.c.scenario, i), best.seed);
        if (!found) continue;
        best = found;
        shrinkSteps++;
        removed = true;
      }
      if (!removed) break;
    }
    // Then, while the plan is still longer than a reader wants (SUBSET_FAULTS_MAX), look for a
    // small subset of its steps that fails on its own.
    return best.c.faultCount <= SUBSET_FAULTS_MAX ? best : (subsetSearch(best, 0) ?? best);
  };
  /**
   * Delta debugging's first half: take out blocks of consecutive steps, latest first, halving
   * the block size down to 2 (a 20-step plan of `--bug vote-before-persist --cycles 5` once
   * kept 13 steps one step at a time when the budget ran out, 3 with blocks first; on
   * typical plans the two come out about even, README "Shrinking"). Removing a block
   * leaves the steps below it where they were, so the next block down is still in place.
   */
  const removeBlocks = (start: Found): Found => {
    let best = start;
    for (let size = best.c.faultCount >> 1; size >= 2 && best.c.faultCount > BLOCK_FAULTS_MIN; size >>= 1) {
      for (let hi = best.c.faultCount; hi > 0 && shrinkRuns < budget; ) {
        const lo = Math.max(0, hi - size);
        const found = failsUnderSomeSeed(keepingFaults(best.c.scenario, (j) => j < lo || j >= hi), best.seed);
        if (found) {
          best = found;
          shrinkSteps++;
        }
        hi = lo;
      }
    }
    return best;
  };
  /**
   * Subsets of 1..SUBSET_FAULTS_MAX steps, smallest first (steps that are each needed with
   * the others may not be needed together with a different partner), each tried under the
   * seed that failed and SUBSET_SEEDS_EXTRA others; round r > 0 tries only fresh seeds.
   */
  const subsetSearch = (base: Found, round: number): Found | undefined => {
    const extra = Array.from({ length: SUBSET_SEEDS_EXTRA }, (_, e) => runSeed(seed, round * (SUBSET_SEEDS_EXTRA + 1) + e + 1));
    const seeds = round === 0 ? [base.seed, ...extra] : [runSeed(seed, round * (SUBSET_SEEDS_EXTRA + 1)), ...extra];
    for (let k = 1; k <= SUBSET_FAULTS_MAX; k++) {
      for (const subset of combinations(base.c.faultCount, k)) {
        const c = keepingFaults(base.c.scenario, (j) => subset.includes(j));
        for (const simSeed of seeds) {
          if (shrinkRuns >= budget) return undefined;
          const ev = fails(c, simSeed);
          if (!ev) continue;
          shrinkSteps++;
          return { c, ev, seed: simSeed };
        }
      }
    }
    return undefined;
  };
  if (smallest !== undefined && check !== undefined) {
    smallest = reduce(smallest);
    // fast-check's path can end in a plan whose steps all depend on one another; the steps
    // as first drawn may reduce further. Try that path too with what is left of the budget.
    if (smallest.c.faultCount > SUBSET_FAULTS_MAX && shrinkRuns < budget) {
      const narrowed = (ALL_CHECKS as readonly string[]).includes(check) ? { ...initial.c, scenario: { ...initial.c.scenario, checks: [check as CheckName] } } : initial.c;
      const other = reduce({ c: narrowed, ev: initial.ev, seed });
      if (other.c.faultCount < smallest.c.faultCount) smallest = other;
    }
    // A failure that hangs on timing may need other seeds than the first few: spend what is
    // left of the budget on more rounds of the subset search, each under fresh seeds.
    for (let round = 1; smallest.c.faultCount > SUBSET_FAULTS_MAX && shrinkRuns < budget && round <= SUBSET_ROUNDS_MAX; round++) {
      const found = subsetSearch(smallest, round);
      if (found) smallest = found;
    }
  }
  const outcome: RunOutcome = {
    index: options.index,
    seed,
    faults: initial.c.faultCount,
    traceHash: initial.ev.traceHash,
    runHash: initial.ev.runHash,
    passed: smallest === undefined,
    unknownChecks: initial.ev.unknownChecks,
    unknownReasons: initial.ev.unknownReasons,
    ...(initial.ev.unknownChecks.length > 0 ? { undecided: { scenario: initial.c.scenario } } : {}),
    ...(backgroundFailure ? { backgroundFailure } : {}),
  };
  if (smallest !== undefined && check !== undefined) {
    const again = run(smallest.c, smallest.seed);
    outcome.failure = {
      check,
      original: { faults: initial.c.faultCount, traceHash: initial.ev.traceHash, violations: initial.ev.violations },
      shrunk: { seed: smallest.seed, scenario: smallest.c.scenario, faults: smallest.c.faultCount, traceHash: smallest.ev.traceHash, runHash: smallest.ev.runHash, violations: smallest.ev.violations },
      shrinkRuns,
      shrinkSteps,
      reproducible: again.traceHash === smallest.ev.traceHash && JSON.stringify(again.violations) === JSON.stringify(smallest.ev.violations),
    };
  }
  return outcome;
}
