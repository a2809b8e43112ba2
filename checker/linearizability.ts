// Wing–Gong linearizability search with Lowe's just-in-time linearization and a memo
// cache of (set of linearized operations, model state), as in porcupine.
//
// The history becomes a doubly linked list of call/return events in time order. The
// search walks it: at a call it tries to linearize that operation now (model step); on
// success the operation's call and return are lifted out of the list and the walk
// restarts from the head. Reaching a return means the operation owning it was not
// linearized in time: backtrack by undoing the most recent linearization and trying the
// next candidate after it. A configuration (linearized set, state) already explored is
// skipped, which turns the exponential search into one over distinct configurations.
// Operations that never returned (return = ∞) sit after every return, so they can be
// linearized late — equivalent to "did not take effect".
import { assert } from "./assert";
import type { Operation } from "./history";
import { MemoTable } from "./memo";
import type { Model } from "./model";

export interface Budget {
  /** Polled every few thousand search steps; true ends the search with "unknown". */
  exhausted(): boolean;
}

export interface SearchOptions {
  budget?: Budget;
  /**
   * Bound on memo-cache entries (memory); past it the verdict is "unknown". Default:
   * as many as fit in about 512 MiB of bitsets, at most 4 million.
   */
  maxCacheEntries?: number;
  /** Try open operations only after those that returned (default true; see the search). */
  openLast?: boolean;
}

export type Verdict = "linearizable" | "not-linearizable" | "unknown";
/** What ended a search without a verdict: the caller's budget (time), or the memo bound (memory). */
export type UnknownBecause = "budget" | "memory";

export interface PartitionResult<S> {
  verdict: Verdict;
  operations: number;
  /** Search steps (model steps tried); a machine-independent measure of work. */
  steps: number;
  /** Only for unknown: which bound ran out. */
  unknownBecause?: UnknownBecause;
  /** Only for not-linearizable: the deepest point the search reached. */
  counterexample?: Counterexample<S>;
}

export interface Counterexample<S> {
  /** Ids of the longest linearizable prefix found, in linearization order. */
  linearized: number[];
  /** Model state after `linearized`. */
  state: S;
  /** Operation whose return came before it could be placed. */
  blocking: number;
  /** Operations pending at that point that could not be placed either (incl. blocking). */
  unplaceable: number[];
}

const DEFAULT_MAX_CACHE = 4_000_000;
const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;
const BUDGET_POLL_STEPS = 4096;

/** Deterministic per-operation random words for Zobrist hashing of the linearized set. */
function zobristWords(count: number): Int32Array {
  const words = new Int32Array(count);
  let x = 0x2545f491;
  for (let i = 0; i < count; i++) {
    // xorshift32: fixed seed, so hashes (and cache behaviour) are reproducible.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return words;
}

export function searchPartition<S, I, O>(model: Model<S, I, O>, ops: Operation<I, O>[], options: SearchOptions = {}): PartitionResult<S> {
  const n = ops.length;
  if (n === 0) return { verdict: "linearizable", operations: 0, steps: 0 };
  // Each entry holds a bitset of n bits plus a few words of bookkeeping.
  const maxCache = options.maxCacheEntries ?? Math.min(DEFAULT_MAX_CACHE, Math.floor(DEFAULT_CACHE_BYTES / (4 * Math.ceil(n / 32) + 24)));

  // Nodes: 0 = head, 1+2i = call of op i, 2+2i = return of op i, 2n+1 = tail.
  const TAIL = 2 * n + 1;
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    assert(op.return >= op.call, `operation ${op.id} returns before it is called`);
    order.push(1 + 2 * i, 2 + 2 * i);
  }
  const timeOf = (node: number) => (node & 1 ? ops[(node - 1) >> 1]!.call : ops[(node - 2) >> 1]!.return);
  // Time order; at equal times calls come first (touching operations count as concurrent);
  // then by operation index so the order depends only on the input.
  order.sort((a, b) => {
    const ta = timeOf(a);
    const tb = timeOf(b);
    if (ta !== tb) return ta < tb ? -1 : 1;
    const ka = a & 1 ? 0 : 1;
    const kb = b & 1 ? 0 : 1;
    if (ka !== kb) return ka - kb;
    return a - b;
  });
  const next = new Int32Array(TAIL + 1);
  const prev = new Int32Array(TAIL + 1);
  let last = 0;
  for (const node of order) {
    next[last] = node;
    prev[node] = last;
    last = node;
  }
  next[last] = TAIL;
  prev[TAIL] = last;

  const inputs = ops.map((o) => o.input);
  const outputs = ops.map((o) => (o.return === Infinity ? null : o.output));
  const zobrist = zobristWords(n);
  const words = (n + 31) >>> 5;
  const bits = new Uint32Array(words);
  let bitsHash = 0;

  const memo = new MemoTable<S>(words, model.equal);
  const stackOp = new Int32Array(n);
  const stackState: S[] = new Array(n);
  let depth = 0;
  let state = model.init();
  let steps = 0;
  let pollIn = BUDGET_POLL_STEPS;

  let bestDepth = -1;
  let best: Counterexample<S> | undefined;

  const lift = (call: number) => {
    const ret = call + 1;
    next[prev[call]] = next[call];
    prev[next[call]] = prev[call];
    next[prev[ret]] = next[ret];
    prev[next[ret]] = prev[ret];
  };
  const unlift = (call: number) => {
    const ret = call + 1;
    prev[next[ret]] = ret;
    next[prev[ret]] = ret;
    prev[next[call]] = call;
    next[prev[call]] = call;
  };

  // Two passes over the calls before the first pending return: operations that returned
  // first, then open ones (return = ∞). The same depth-first search, children in another
  // order: an open operation can always wait, so trying it early mostly explores orders of
  // effects nothing observed. (A client that timed out a dozen times in a row made 2^12.)
  const open = new Uint8Array(n);
  let openLeft = 0;
  if (options.openLast ?? true) for (let i = 0; i < n; i++) if (ops[i]!.return === Infinity) (open[i] = 1), openLeft++;
  const stackPass = new Uint8Array(n);
  let pass = 0;

  let node = next[0]!;
  while (next[0] !== TAIL) {
    if (--pollIn === 0) {
      pollIn = BUDGET_POLL_STEPS;
      if (options.budget?.exhausted()) return { verdict: "unknown", operations: n, steps, unknownBecause: "budget" };
    }
    if (node & 1) {
      // A call: try to linearize its operation here (in its pass).
      const i = (node - 1) >> 1;
      if (open[i] !== pass) {
        node = next[node]!;
        continue;
      }
      steps++;
      const after = model.step(state, inputs[i]!, outputs[i]!);
      if (after !== undefined) {
        const w = i >>> 5;
        const mask = 1 << (i & 31);
        bits[w] = (bits[w]! | mask) >>> 0;
        const h = bitsHash ^ zobrist[i]!;
        const key = (Math.imul(h, 0x9e3779b1) ^ model.hash(after)) | 0;
        if (memo.size >= maxCache) return { verdict: "unknown", operations: n, steps, unknownBecause: "memory" };
        if (memo.add(key, bits, after)) {
          stackOp[depth] = i;
          stackState[depth] = state;
          stackPass[depth] = pass;
          depth++;
          state = after;
          bitsHash = h;
          if (open[i]) openLeft--;
          lift(node);
          node = next[0]!;
          pass = 0;
          continue;
        }
        bits[w] = (bits[w]! & ~mask) >>> 0;
      }
      node = next[node]!;
    } else {
      // A return whose operation is not linearized yet. After the first pass, the open
      // operations get their turn; after the second, this branch is dead.
      if (pass === 0 && openLeft > 0) {
        pass = 1;
        node = next[0]!;
        continue;
      }
      if (depth > bestDepth) {
        bestDepth = depth;
        best = snapshot(node);
      }
      if (depth === 0) break;
      depth--;
      const i = stackOp[depth]!;
      state = stackState[depth]!;
      stackState[depth] = undefined as S;
      bits[i >>> 5] = (bits[i >>> 5]! & ~(1 << (i & 31))) >>> 0;
      bitsHash ^= zobrist[i]!;
      if (open[i]) openLeft++;
      pass = stackPass[depth]!;
      const call = 1 + 2 * i;
      unlift(call);
      node = next[call]!;
    }
  }
  if (next[0] === TAIL) return { verdict: "linearizable", operations: n, steps };
  assert(best !== undefined, "a failed search has visited a dead end");
  return { verdict: "not-linearizable", operations: n, steps, counterexample: best };

  function snapshot(returnNode: number): Counterexample<S> {
    const linearized: number[] = [];
    for (let d = 0; d < depth; d++) linearized.push(ops[stackOp[d]!]!.id);
    // Pending calls before this return: each was tried at this state and failed (or led
    // only to explored configurations).
    const unplaceable: number[] = [];
    for (let x = next[0]!; x !== returnNode && x !== TAIL; x = next[x]!) if (x & 1) unplaceable.push(ops[(x - 1) >> 1]!.id);
    const blocking = ops[(returnNode - 2) >> 1]!.id;
    if (!unplaceable.includes(blocking)) unplaceable.push(blocking);
    return { linearized, state, blocking, unplaceable };
  }
}
