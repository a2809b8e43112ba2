// Per-key partitioning for models whose keys are independent (register, kv).
import type { Operation } from "../history";

/** Groups operations by key; groups are ordered by first appearance, so by input only. */
export function groupByKey<I, O>(ops: Operation<I, O>[], keyOf: (input: I) => string): Operation<I, O>[][] {
  const groups = new Map<string, Operation<I, O>[]>();
  for (const op of ops) {
    const key = keyOf(op.input);
    const group = groups.get(key);
    if (group) group.push(op);
    else groups.set(key, [op]);
  }
  return [...groups.values()];
}
