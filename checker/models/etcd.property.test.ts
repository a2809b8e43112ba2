// Properties of the etcd model + search: sequential runs stretched in time are
// linearizable; with one response corrupted, the search agrees with brute force.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bruteForceLinearizable } from "../brute-force";
import { checkHistory } from "../check";
import type { Operation } from "../history";
import { searchPartition } from "../linearizability";
import { etcdModel, etcdRespond, etcdStateOf, initialEtcdState, pastValues, type EtcdRequest, type EtcdResponse, type EtcdState, type TxnOp } from "./etcd";

type EOp = Operation<EtcdRequest, EtcdResponse>;
const KEYS = ["a", "b", "c"];
const key = fc.constantFrom(...KEYS);
const value = fc.constantFrom("1", "2", "3");
const simple: fc.Arbitrary<TxnOp> = fc.oneof(
  fc
    .record({ type: fc.constant("range" as const), key, rangeEnd: fc.constantFrom(undefined, "\0", "c"), revision: fc.constantFrom(0, 0, 0, 1, 2, 3, 4, 5) })
    .map(({ rangeEnd, revision, ...r }) => ({ ...r, ...(rangeEnd === undefined ? {} : { rangeEnd }), ...(revision === 0 ? {} : { revision }) }) as TxnOp),
  fc.record({ type: fc.constant("put" as const), key, value, prevKv: fc.boolean() }),
  fc.record({ type: fc.constant("deleteRange" as const), key, prevKv: fc.boolean() }),
);
const request: fc.Arbitrary<EtcdRequest> = fc.oneof(
  { weight: 4, arbitrary: simple },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("txn" as const),
      compare: fc.array(fc.record({ key, target: fc.constantFrom("VERSION" as const, "MOD" as const), result: fc.constantFrom("EQUAL" as const, "GREATER" as const, "LESS" as const), version: fc.nat(3), modRevision: fc.nat(6) }), { maxLength: 2 }),
      success: fc.array(simple, { maxLength: 2 }),
      failure: fc.array(simple, { maxLength: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("compact" as const), revision: fc.nat(6) }) },
);

const run = (maxOps: number) =>
  fc.array(fc.record({ req: request, before: fc.nat(25), after: fc.nat(25), open: fc.nat(7) }), { minLength: 1, maxLength: maxOps }).map((steps) => {
    let state = initialEtcdState();
    return steps.map((s, i): EOp => {
      const r = etcdRespond(state, s.req);
      state = r.state;
      const point = 10 + i * 10;
      const open = s.open === 0;
      return { id: i, client: i, input: s.req, call: Math.max(0, point - s.before), output: open ? null : r.response, return: open ? Infinity : point + s.after };
    });
  });

function corrupt(ops: EOp[], at: number, how: number): EOp[] {
  return ops.map((o, i) => {
    if (i !== at || o.output === null || "error" in o.output && o.output.error !== undefined) return o;
    const out = structuredClone(o.output) as Record<string, unknown>;
    const header = out.header as { revision: number };
    if (how === 0) header.revision += 1;
    else if (out.type === "range" && Array.isArray(out.kvs) && out.kvs.length > 0) (out.kvs as { version: number }[])[0]!.version += 1;
    else if (out.type === "txn") out.succeeded = !out.succeeded;
    else if (out.type === "deleteRange") out.deleted = (out.deleted as number) + 1;
    else header.revision -= 1;
    return { ...o, output: out as unknown as EtcdResponse };
  });
}

// Requests with leases too: grants, revokes (which delete keys) and puts attached to a lease.
const withLeases: fc.Arbitrary<EtcdRequest> = fc.oneof(
  { weight: 4, arbitrary: request },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("leaseGrant" as const), ID: fc.integer({ min: 1, max: 3 }), TTL: fc.constantFrom(5, 10) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("leaseRevoke" as const), ID: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("put" as const), key, value, lease: fc.integer({ min: 1, max: 3 }) }) },
);

describe("etcd model state: hash kept step by step, equality", () => {
  it("the hash a step keeps equals the hash of the same state built from scratch; equal states are those of equal text", () => {
    fc.assert(
      fc.property(fc.array(withLeases, { minLength: 1, maxLength: 40 }), (reqs) => {
        const seen: EtcdState[] = [];
        let state = initialEtcdState();
        for (const req of reqs) {
          state = etcdRespond(state, req).state;
          const scratch = etcdStateOf(state.revision, state.compactRevision, new Map(state.kvs), new Map(state.leases), pastValues(state), state.floor, state.unidentifiedLeases);
          expect(state.hash).toBe(scratch.hash);
          expect(etcdModel.equal(state, scratch)).toBe(true);
          seen.push(state);
        }
        // Every pair of states reached: equal exactly when their canonical texts are.
        for (const a of seen) for (const b of seen) expect(etcdModel.equal(a, b)).toBe(a.text === b.text);
      }),
      { numRuns: 300, seed: 23 },
    );
  });
});

describe("etcd model properties", () => {
  it("sequential etcd runs with stretched intervals are linearizable", () => {
    fc.assert(
      fc.property(run(30), (ops) => {
        expect(checkHistory(ops, etcdModel).verdict).toBe("linearizable");
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it("one corrupted response: the search agrees with brute force", () => {
    let caught = 0;
    fc.assert(
      fc.property(run(6), fc.nat(), fc.nat(2), (ops, at, how) => {
        const bad = corrupt(ops, at % ops.length, how).map((o) => etcdModel.normalize!(o)).filter((o): o is EOp => o !== undefined);
        const expected = bruteForceLinearizable(etcdModel, bad);
        if (!expected) caught++;
        expect(searchPartition(etcdModel, bad).verdict).toBe(expected ? "linearizable" : "not-linearizable");
      }),
      { numRuns: 1500, seed: 5 },
    );
    expect(caught).toBeGreaterThan(300);
  });
});
