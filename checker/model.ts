// What the linearizability search needs from a sequential specification.
import type { Operation } from "./history";

/**
 * A deterministic sequential model. States are immutable values: the search keeps old
 * states on its stack and in its memo cache. `step` returns the next state, or
 * undefined when `output` is not a legal result of `input` in `state` (so a state is
 * never `undefined`).
 */
export interface Model<S, I = unknown, O = unknown> {
  name: string;
  init(): S;
  /** output null = unknown result: accept any result (but still apply the effect). */
  step(state: S, input: I, output: O | null): S | undefined;
  /** 32-bit hash consistent with `equal`. */
  hash(state: S): number;
  equal(a: S, b: S): boolean;
  /**
   * Splits a history into independent sub-histories whose verdicts combine by AND.
   * Only sound for models whose operations on different parts never interact
   * (per key in register/kv; never for etcd, whose revisions are global).
   */
  partition?(operations: Operation<I, O>[]): Operation<I, O>[][];
  /**
   * Lets the model turn an indefinite outcome into an open operation (return = ∞),
   * e.g. an etcd request that failed with a timeout may still apply later; or drop it
   * (undefined) when it can neither change nor constrain anything (an unknown read).
   */
  normalize?(operation: Operation<I, O>): Operation<I, O> | undefined;
  describeOperation?(input: I, output: O | null): string;
  describeState?(state: S): string;
}

/**
 * A non-deterministic model: `step` returns every possible next state (empty = illegal).
 * Convert it with `determinize` (the powerset construction, as in porcupine).
 */
export interface NondeterministicModel<S, I = unknown, O = unknown> {
  name: string;
  init(): S[];
  step(state: S, input: I, output: O | null): S[];
  hash(state: S): number;
  equal(a: S, b: S): boolean;
  partition?(operations: Operation<I, O>[]): Operation<I, O>[][];
  normalize?(operation: Operation<I, O>): Operation<I, O> | undefined;
  describeOperation?(input: I, output: O | null): string;
  describeState?(state: S): string;
}

/** A set of states, kept sorted by hash and deduplicated so equal sets compare cheaply. */
export interface StateSet<S> {
  states: S[];
  hashes: number[];
  hash: number;
}

export function determinize<S, I, O>(model: NondeterministicModel<S, I, O>): Model<StateSet<S>, I, O> {
  const makeSet = (candidates: S[]): StateSet<S> | undefined => {
    if (candidates.length === 0) return undefined;
    const withHash = candidates.map((s) => ({ s, h: model.hash(s) | 0 }));
    withHash.sort((a, b) => a.h - b.h);
    const states: S[] = [];
    const hashes: number[] = [];
    let hash = 0x9e3779b9 | 0;
    for (const { s, h } of withHash) {
      // Dedup among states of equal hash only (the list is sorted by hash).
      let dup = false;
      for (let j = states.length - 1; j >= 0 && hashes[j] === h; j--) {
        if (model.equal(states[j]!, s)) {
          dup = true;
          break;
        }
      }
      if (dup) continue;
      states.push(s);
      hashes.push(h);
      hash = (Math.imul(hash ^ h, 0x01000193) + 0x7f4a7c15) | 0;
    }
    return { states, hashes, hash };
  };
  const result: Model<StateSet<S>, I, O> = {
    name: model.name,
    init: () => makeSet(model.init())!,
    step(set, input, output) {
      const next: S[] = [];
      for (const s of set.states) for (const t of model.step(s, input, output)) next.push(t);
      return makeSet(next);
    },
    hash: (set) => set.hash,
    equal(a, b) {
      if (a.hash !== b.hash || a.states.length !== b.states.length) return false;
      for (let i = 0; i < a.states.length; i++) if (a.hashes[i] !== b.hashes[i] || !model.equal(a.states[i]!, b.states[i]!)) return false;
      return true;
    },
  };
  if (model.partition) result.partition = model.partition.bind(model);
  if (model.normalize) result.normalize = model.normalize.bind(model);
  if (model.describeOperation) result.describeOperation = model.describeOperation.bind(model);
  const describeState = model.describeState;
  if (describeState) result.describeState = (set) => (set.states.length === 1 ? describeState(set.states[0]!) : `{${set.states.map(describeState).join(" | ")}}`);
  return result;
}

/** FNV-1a over a string: the hash models use for their canonical state text. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
