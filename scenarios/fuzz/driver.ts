// One fuzz run: draw a case from fast-check with the run's seed, run it, and if the
// property fails let fast-check shrink the case (fault plan and workload) to the smallest
// one that still fails the same check. Shrinking is bounded by a count of evaluations, not
// by time, so a campaign's results are the same on any machine and any number of workers.
import fc from "fast-check";
import type { BugSet } from "../../core/canary";
import type { Violation } from "../run";
import { ALL_CHECKS, type CheckName, type Scenario } from "../types";
import { type FuzzCase, fuzzCaseArb, withoutFault } from "./arbitraries";
import { type Evaluation, evaluate } from "./property";
import { runSeed } from "./seeds";
import type { SelfTestName } from "./self-test";

export const DEFAULT_SHRINK_BUDGET = 150;
/** The removal pass: at most this many runs of the budget, over at most this many passes. */
const REMOVAL_RUNS_MAX = 40;
const REMOVAL_PASSES_MAX = 3;

export interface FuzzRunOptions {
  campaignSeed: number;
  index: number;
  bugs: BugSet;
  selfTest?: SelfTestName | undefined;
  /** At most this many shrink candidates are run (each is one simulation). */
  shrinkBudget?: number;
  /**
   * Count a run as failing only if the same check passes with no bugs switched on: a
   * failure the canary did not cause is not a detection of it (used to measure canaries).
   */
  attributeToBugs?: boolean;
  /** The cases to draw from (tests of the harness use cheaper ones). */
  arbitrary?: fc.Arbitrary<FuzzCase>;
}

export interface Failure {
  /** The check that failed first; shrinking keeps a case only if this check still fails. */
  check: string;
  /** Violations of the case as first drawn. */
  original: { faults: number; traceHash: string; violations: Violation[] };
  /** The smallest failing case found: what the replay file holds. */
  shrunk: { scenario: Scenario; faults: number; traceHash: string; violations: Violation[] };
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
  passed: boolean;
  unknownChecks: string[];
  /** With attributeToBugs: the check that failed here, but failed without the bugs too. */
  backgroundFailure?: string;
  failure?: Failure;
}

export function fuzzRun(options: FuzzRunOptions): RunOutcome {
  const seed = runSeed(options.campaignSeed, options.index);
  const budget = options.shrinkBudget ?? DEFAULT_SHRINK_BUDGET;
  const run = (c: FuzzCase) => evaluate({ seed, scenario: c.scenario, bugs: options.bugs, selfTest: options.selfTest });
  const attribute = options.attributeToBugs === true && options.bugs.size > 0;
  /** With attribution, a failing check also fails without the bugs: not the bugs' doing. */
  const background = (c: FuzzCase, failing: string) => attribute && evaluate({ seed, scenario: c.scenario, bugs: new Set(), selfTest: options.selfTest }).violations.some((v) => v.check === failing);
  let backgroundFailure: string | undefined;
  let initial: { c: FuzzCase; ev: Evaluation } | undefined;
  let smallest: { c: FuzzCase; ev: Evaluation } | undefined;
  let check: string | undefined;
  let shrinkRuns = 0;
  let shrinkSteps = 0;
  /** Runs kept for the fault-by-fault removal pass that follows fast-check's shrink. */
  const removalReserve = Math.min(REMOVAL_RUNS_MAX, Math.floor(budget / 3));
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
        smallest = initial;
        return false;
      }
      // Out of budget: call every further candidate a pass, which ends the shrink.
      if (shrinkRuns >= budget - removalReserve) return true;
      shrinkRuns++;
      // Shrink candidates compute only the check that failed: the others cannot change the
      // verdict, and one slow check (a linearizability search on a diverged store) would
      // otherwise be paid on every candidate. The replay file holds this narrowed scenario.
      if ((ALL_CHECKS as readonly string[]).includes(check!)) c = { ...c, scenario: { ...c.scenario, checks: [check as CheckName] } };
      const ev = run(c);
      if (!ev.violations.some((v) => v.check === check) || background(c, check!)) return true;
      shrinkSteps++;
      smallest = { c, ev };
      return false;
    }),
    { seed, numRuns: 1 },
  );
  if (initial === undefined) throw new Error(`fast-check ran no case for seed ${seed}`);
  // fast-check shrinks the drawn values, where one candidate often changes several things at
  // once. Then take fault steps out of the scenario one at a time, latest first (a step after
  // the failure cannot matter), keeping each removal that still fails the same check.
  // Steps draw from their own random streams (faults.ts), so removing one leaves the rest as is.
  for (let pass = 0; smallest !== undefined && check !== undefined && pass < REMOVAL_PASSES_MAX; pass++) {
    let removed = false;
    for (let i = smallest.c.faultCount - 1; i >= 0 && shrinkRuns < budget; i--) {
      const c = withoutFault(smallest.c.scenario, i);
      shrinkRuns++;
      const ev = run(c);
      if (!ev.violations.some((v) => v.check === check) || background(c, check)) continue;
      smallest = { c, ev };
      shrinkSteps++;
      removed = true;
    }
    if (!removed) break;
  }
  const outcome: RunOutcome = {
    index: options.index,
    seed,
    faults: initial.c.faultCount,
    traceHash: initial.ev.traceHash,
    passed: smallest === undefined,
    unknownChecks: initial.ev.unknownChecks,
    ...(backgroundFailure ? { backgroundFailure } : {}),
  };
  if (smallest !== undefined && check !== undefined) {
    const again = run(smallest.c);
    outcome.failure = {
      check,
      original: { faults: initial.c.faultCount, traceHash: initial.ev.traceHash, violations: initial.ev.violations },
      shrunk: { scenario: smallest.c.scenario, faults: smallest.c.faultCount, traceHash: smallest.ev.traceHash, violations: smallest.ev.violations },
      shrinkRuns,
      shrinkSteps,
      reproducible: again.traceHash === smallest.ev.traceHash && JSON.stringify(again.violations) === JSON.stringify(smallest.ev.violations),
    };
  }
  return outcome;
}
