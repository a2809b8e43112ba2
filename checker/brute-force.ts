// A brute-force linearizability checker for small histories, used only to cross-check
// the real search: it tries every total order consistent with real time (a before b
// when a returns before b is called) and runs the model sequentially. No memo, no
// linked lists, no partitioning: deliberately the simplest possible definition.
import type { Operation } from "./history";
import type { Model } from "./model";

export function bruteForceLinearizable<S, I, O>(model: Model<S, I, O>, ops: Operation<I, O>[]): boolean {
  if (ops.length > 10) throw new Error("brute force is for histories of at most 10 operations");
  const used = new Array<boolean>(ops.length).fill(false);
  const output = (op: Operation<I, O>) => (op.return === Infinity ? null : op.output);
  const extend = (state: S, placed: number): boolean => {
    if (placed === ops.length) return true;
    for (let i = 0; i < ops.length; i++) {
      if (used[i]) continue;
      // i may go next only if no other unplaced operation returned before i was called.
      let minimal = true;
      for (let j = 0; j < ops.length; j++) if (!used[j] && j !== i && ops[j]!.return < ops[i]!.call) minimal = false;
      if (!minimal) continue;
      const after = model.step(state, ops[i]!.input, output(ops[i]!));
      if (after === undefined) continue;
      used[i] = true;
      const ok = extend(after, placed + 1);
      used[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return extend(model.init(), 0);
}
