// The one property: every check passes. A run fails when any check the scenario asks for
// says "fail", when the run breaks an invariant (an assert throws inside the store or the
// world: a finding, never a crash of the harness), or when a self-test check fires.
import type { BugSet } from "../../core/canary";
import type { TraceSink } from "../../sim/trace/log";
import { type RunResult, runScenario, type Violation } from "../run";
import type { CheckName, Scenario } from "../types";
import { selfTestViolations, type SelfTestName } from "./self-test";

export interface Evaluation {
  traceHash: string;
  violations: Violation[];
  /** "unknown" results (a checker over its budget): not failures, but worth counting. */
  unknownChecks: string[];
}

export interface EvaluateOptions {
  seed: number;
  scenario: Scenario;
  bugs: BugSet;
  selfTest?: SelfTestName | undefined;
  traceSink?: TraceSink;
}

export const INVARIANT_CHECK = "invariant";

export function evaluate(options: EvaluateOptions): Evaluation {
  const { seed, scenario, bugs, selfTest } = options;
  let result;
  try {
    result = runScenario({ seed, scenario, bugs, keepTrace: selfTest !== undefined, ...(options.traceSink ? { traceSink: options.traceSink } : {}) });
  } catch (error) {
    // A broken assertion is the store (or the world) telling us a seed breaks it.
    const message = error instanceof Error ? error.message : String(error);
    return { traceHash: "", violations: [{ check: INVARIANT_CHECK, message }], unknownChecks: [] };
  }
  const violations = violationsOf(result, scenario.checks);
  if (selfTest) violations.push(...selfTestViolations(selfTest, result.world.trace.events));
  const unknownChecks = scenario.checks.filter((c) => result.checks[c] === "unknown");
  return { traceHash: result.traceHash, violations, unknownChecks };
}

/** The violations that fail the property, for the checks a scenario asks for. */
export function violationsOf(result: Pick<RunResult, "checks" | "violations">, checks: readonly CheckName[]): Violation[] {
  const violations: Violation[] = [];
  for (const check of checks) {
    if (result.checks[check] !== "fail") continue;
    const own = result.violations.filter((v) => v.check === check);
    violations.push(...(own.length > 0 ? own : [{ check, message: "check failed (no message)" }]));
  }
  // Violations reported under a name no check owns (a new check, an invariant) still fail.
  violations.push(...result.violations.filter((v) => !checks.includes(v.check as CheckName) && !(v.check in result.checks)));
  return violations;
}
