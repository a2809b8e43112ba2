// Finds the counterexample in a failing check record. The checker returns
// {linearized, state, blocking, unplaceable} (checker/linearizability.ts Counterexample);
// the run may wrap it. We read it loosely so a wrapper change does not blank the panel.

export interface CounterexampleView {
  /** Operation ids (trace opIds) that could not be placed; the blocking one first. */
  opIds: number[];
  blocking: number | null;
  /** Ids of the longest linearizable prefix, in linearization order. */
  linearized: number[];
  /** Model state before the unplaceable operations (after the linearizable prefix). */
  stateBefore: unknown;
  /** Model state after, when the check records one. */
  stateAfter: unknown;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

const numbers = (x: unknown): number[] => (Array.isArray(x) ? x.filter((v): v is number => typeof v === "number") : []);

function pick(obj: Record<string, unknown>, names: string[]): unknown {
  for (const n of names) if (n in obj) return obj[n];
  return undefined;
}

/** Depth-first search for the object that looks like a counterexample. */
function findCounterexample(x: unknown, depth: number): Record<string, unknown> | null {
  if (depth > 5) return null;
  if (Array.isArray(x)) {
    for (const item of x) {
      const found = findCounterexample(item, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (!isRecord(x)) return null;
  if ("unplaceable" in x || "blocking" in x || "opIds" in x) return x;
  for (const key of ["counterexample", "counterExample", "detail", "result", "linearizability"]) {
    const found = findCounterexample(x[key], depth + 1);
    if (found) return found;
  }
  for (const value of Object.values(x)) {
    const found = findCounterexample(value, depth + 1);
    if (found) return found;
  }
  return null;
}

export function extractCounterexample(detail: unknown): CounterexampleView | null {
  const cx = findCounterexample(detail, 0);
  if (!cx) return null;
  const blocking = typeof cx.blocking === "number" ? cx.blocking : null;
  const ids = [...numbers(cx.unplaceable), ...numbers(cx.opIds)];
  if (blocking !== null && !ids.includes(blocking)) ids.unshift(blocking);
  if (blocking !== null) ids.sort((a, b) => (a === blocking ? -1 : b === blocking ? 1 : 0));
  return {
    opIds: [...new Set(ids)],
    blocking,
    linearized: numbers(cx.linearized),
    stateBefore: pick(cx, ["stateBefore", "modelBefore", "before", "state"]),
    stateAfter: pick(cx, ["stateAfter", "modelAfter", "after"]),
  };
}
