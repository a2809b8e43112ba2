// checkHistory: normalize, partition (when the model allows), search each part.
import type { History, ModelName, Operation } from "./history";
import { searchPartition, type Budget, type UnknownBecause, type Verdict } from "./linearizability";
import { hasHints, verifyWitness } from "./witness";
import type { Model } from "./model";
import { modelByName } from "./models/index";

export interface CheckOptions {
  /** Time budget, polled during the search; when exhausted the verdict is "unknown". */
  budget?: Budget;
  /** Bound on memo-cache entries per partition (memory). */
  maxCacheEntries?: number;
  /** Check the history as one piece even if the model could partition it. */
  noPartition?: boolean;
  /** Try open operations after those that returned (default true; SearchOptions.openLast). */
  openLast?: boolean;
  /** Verify the order the operations' hints propose before searching (default true; witness.ts). */
  witness?: boolean;
}

export interface CheckCounterexample {
  /** Ids of all operations of the failing partition (e.g. one key). */
  partitionOperations: number[];
  /** Ids of the longest linearizable prefix, in linearization order. */
  linearized: number[];
  /** The model state after that prefix: readable text and the raw value. */
  state: string;
  stateValue: unknown;
  /** Id of the operation whose return came before it could be linearized. */
  blocking: number;
  /** Ids of the operations that could not be placed after the prefix. */
  unplaceable: number[];
  /** Readable descriptions of operations by id (for the viewer and --html). */
  descriptions: Record<number, string>;
}

export interface CheckResult {
  verdict: Verdict;
  operations: number;
  partitions: number;
  /** Partitions settled by verifying the order their hints propose, without a search. */
  witnessed: number;
  /** Model steps tried, summed over partitions (work done, machine-independent). */
  steps: number;
  /** Only for unknown: which bound ended the first undecided partition's search. */
  unknownBecause?: UnknownBecause;
  counterexample?: CheckCounterexample;
}

export function checkHistory<S, I, O>(history: History<I, O> | Operation<I, O>[], model: Model<S, I, O> | ModelName, options: CheckOptions = {}): CheckResult {
  const m = (typeof model === "string" ? modelByName(model) : model) as Model<S, I, O>;
  const raw = Array.isArray(history) ? history : history.operations;
  const ops = m.normalize ? raw.map((op) => m.normalize!(op)).filter((op): op is Operation<I, O> => op !== undefined) : raw;
  const parts = !options.noPartition && m.partition ? m.partition(ops) : [ops];
  let steps = 0;
  let sawUnknown = false;
  let unknownBecause: UnknownBecause | undefined;
  let witnessed = 0;
  for (const part of parts) {
    if (options.witness !== false && hasHints(part)) {
      const w = verifyWitness(m, part);
      steps += w.steps;
      if (w.verified) {
        witnessed++;
        continue;
      }
    }
    const result = searchPartition(m, part, { budget: options.budget, maxCacheEntries: options.maxCacheEntries, openLast: options.openLast });
    steps += result.steps;
    if (result.verdict === "not-linearizable") {
      const ce = result.counterexample!;
      const descriptions: Record<number, string> = {};
      for (const op of part) descriptions[op.id] = m.describeOperation ? m.describeOperation(op.input, op.return === Infinity ? null : op.output) : JSON.stringify({ input: op.input, output: op.output });
      return {
        verdict: "not-linearizable",
        operations: ops.length,
        partitions: parts.length,
        witnessed,
        steps,
        counterexample: {
          partitionOperations: part.map((op) => op.id),
          linearized: ce.linearized,
          state: m.describeState ? m.describeState(ce.state) : safeJson(ce.state),
          stateValue: ce.state,
          blocking: ce.blocking,
          unplaceable: ce.unplaceable,
          descriptions,
        },
      };
    }
    if (result.verdict === "unknown") {
      sawUnknown = true;
      unknownBecause ??= result.unknownBecause;
      // A budget that ran out stays out: no point starting the next partition.
      if (options.budget?.exhausted()) break;
    }
  }
  return { verdict: sawUnknown ? "unknown" : "linearizable", operations: ops.length, partitions: parts.length, witnessed, steps, ...(unknownBecause ? { unknownBecause } : {}) };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
