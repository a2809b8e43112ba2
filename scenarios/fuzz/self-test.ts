// Synthetic checks that let the harness test itself before (and besides) the real checks:
// each one fails on a behaviour of the run that a fault plan must provoke, so finding it
// exercises generation, shrinking, replay files and the worker pool end to end. They read
// the run's trace, never the plan, so the shrinker must keep the run doing the same thing.
import type { TraceEvent } from "../../sim/trace/types";
import type { Violation } from "../run";

export const SELF_TESTS = {
  "crash-during-partition": "fails when a node crashes while the network is partitioned (needs two faults)",
  "torn-crash": "fails when a crash tears a write (needs one fault)",
  "undecided-torn-crash": "cannot decide (an unknown check, not a failure) when a crash tears a write",
} as const;

export type SelfTestName = keyof typeof SELF_TESTS;

export function isSelfTest(name: string): name is SelfTestName {
  return Object.prototype.hasOwnProperty.call(SELF_TESTS, name);
}

/** Self-tests whose check comes back unknown instead of failing (for the reporting of undecided runs). */
export function isUndecidedSelfTest(name: SelfTestName): boolean {
  return name === "undecided-torn-crash";
}

const CUTS = new Set(["partition", "isolate", "cut-one-way"]);

export function selfTestViolations(name: SelfTestName, events: readonly TraceEvent[]): Violation[] {
  const check = `self-test:${name}`;
  let cutSinceUs: number | undefined;
  for (const e of events) {
    if (e.type !== "fault") continue;
    if (CUTS.has(e.fault)) cutSinceUs ??= e.tUs;
    else if (e.fault === "heal") cutSinceUs = undefined;
    else if (e.fault === "crash") {
      if (name === "crash-during-partition" && cutSinceUs !== undefined) {
        return [{ check, message: `node ${e.nodes.join(",")} crashed at ${e.tUs / 1_000} ms while the network was cut (since ${cutSinceUs / 1_000} ms)` }];
      }
      if ((name === "torn-crash" || name === "undecided-torn-crash") && e.detail === "tear-last") {
        return [{ check, message: `node ${e.nodes.join(",")} crashed with a torn write at ${e.tUs / 1_000} ms` }];
      }
    }
  }
  return [];
}
