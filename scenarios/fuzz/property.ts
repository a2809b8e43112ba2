// The one property: every check passes. A run fails when any check the scenario asks for
// says "fail", when the run breaks an invariant (an assert throws inside the store or the
// world: a finding, never a crash of the harness), or when a self-test check fires.
import type { BugSet } from "../../core/canary";
import type { TraceSink } from "../../sim/trace/log";
import { type CheckResult, type RunResult, runScenario, type Violation } from "../run";
import { ALL_CHECKS, type CheckName, type Scenario } from "../types";
import { isUndecidedSelfTest, selfTestViolations, type SelfTestName } from "./self-test";

export interface Evaluation {
  traceHash: string;
  /** See RunResult.runHash ("" when the run threw). */
  runHash: string;
  violations: Violation[];
  /** "unknown" results (a checker over its budget): not failures, but worth counting. */
  unknownChecks: string[];
  /** Why each of unknownChecks could not decide, by check. */
  unknownReasons: Record<string, string>;
  /** Scheduler events the run took (0 when it threw): what it cost, in a unit any machine agrees on. */
  events: number;
}

export interface EvaluateOptions {
  seed: number;
  scenario: Scenario;
  bugs: BugSet;
  selfTest?: SelfTestName | undefined;
  traceSink?: TraceSink;
  /** Sees the whole run once it ends (its recorder and system), e.g. to write its history. */
  inspect?: (run: ReturnType<typeof runScenario>) => void;
}

/** Same name as the runner uses when an assertion fires inside the store. */
export const INVARIANT_CHECK = "invariants";

export function evaluate(options: EvaluateOptions): Evaluation {
  const { seed, scenario, bugs, selfTest } = options;
  let result;
  try {
    result = runScenario({ seed, scenario, bugs, keepTrace: selfTest !== undefined, ...(options.traceSink ? { traceSink: options.traceSink } : {}) });
  } catch (error) {
    // A broken assertion is the store (or the world) telling us a seed breaks it.
    const message = error instanceof Error ? error.message : String(error);
    return { traceHash: "", runHash: "", violations: [{ check: INVARIANT_CHECK, message }], unknownChecks: [], unknownReasons: {}, events: 0 };
  }
  options.inspect?.(result);
  const violations = violationsOf(result, scenario.checks);
  const unknownChecks: string[] = scenario.checks.filter((c) => result.checks[c] === "unknown");
  const unknownReasons: Record<string, string> = {};
  for (const c of unknownChecks) unknownReasons[c] = result.unknownReasons[c as CheckName] ?? "no reason given";
  if (selfTest) {
    const planted = selfTestViolations(selfTest, result.world.trace.events);
    if (isUndecidedSelfTest(selfTest)) {
      unknownChecks.push(...planted.map((v) => v.check));
      for (const v of planted) unknownReasons[v.check] = v.message;
    } else violations.push(...planted);
  }
  return { traceHash: result.traceHash, runHash: result.runHash, violations, unknownChecks, unknownReasons, events: result.world.scheduler.eventsRun };
}

/**
 * The violations that fail the property. Of the five checks, only those the scenario asks
 * for count; anything else that failed (the runner's "invariants", a check added later)
 * always counts.
 */
export function violationsOf(result: Pick<RunResult, "violations"> & { checks: Partial<Record<string, CheckResult>> }, checks: readonly CheckName[]): Violation[] {
  const counts = (check: string) => !(ALL_CHECKS as readonly string[]).includes(check) || checks.includes(check as CheckName);
  const violations = result.violations.filter((v) => counts(v.check));
  for (const [check, verdict] of Object.entries(result.checks)) {
    if (verdict === "fail" && counts(check) && !violations.some((v) => v.check === check)) violations.push({ check, message: "check failed (no message)" });
  }
  return violations;
}
