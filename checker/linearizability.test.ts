import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bruteForceLinearizable } from "./brute-force";
import { checkHistory } from "./check";
import type { Operation } from "./history";
import { searchPartition } from "./linearizability";
import { randomRegisterHistory, REGISTER_VALUES, type RegOp } from "./register_history.testkit";
import { kvModel, type KvInput, type KvOutput } from "./models/kv";
import { registerModel, type RegisterInput, type RegisterOutput, type RegisterValue } from "./models/register";

const VALUES = REGISTER_VALUES;

const op = (id: number, client: number, input: RegisterInput, call: number, output: RegisterOutput | null, ret: number): RegOp => ({ id, client, input, call, output, return: ret });

describe("linearizability search: examples", () => {
  it("accepts a read of a concurrent write and rejects a stale read after it", () => {
    const ok = [op(0, 0, { op: "write", value: 1 }, 0, {}, 10), op(1, 1, { op: "read" }, 5, { value: 1 }, 8)];
    expect(checkHistory(ok, registerModel).verdict).toBe("linearizable");
    const bad = [op(0, 0, { op: "write", value: 1 }, 0, {}, 10), op(1, 1, { op: "read" }, 11, { value: null }, 12)];
    const result = checkHistory(bad, registerModel);
    expect(result.verdict).toBe("not-linearizable");
    expect(result.counterexample!.blocking).toBe(1);
    expect(result.counterexample!.linearized).toEqual([0]);
    expect(result.counterexample!.state).toBe("1");
  });

  it("treats an open write (return ∞) as possibly applied or not", () => {
    const seen = [op(0, 0, { op: "write", value: 2 }, 0, null, Infinity), op(1, 1, { op: "read" }, 5, { value: 2 }, 6)];
    const unseen = [op(0, 0, { op: "write", value: 2 }, 0, null, Infinity), op(1, 1, { op: "read" }, 5, { value: null }, 6)];
    expect(checkHistory(seen, registerModel).verdict).toBe("linearizable");
    expect(checkHistory(unseen, registerModel).verdict).toBe("linearizable");
    // ...but once observed it cannot be undone.
    const flip = [...seen, op(2, 1, { op: "read" }, 7, { value: null }, 8)];
    expect(checkHistory(flip, registerModel).verdict).toBe("not-linearizable");
  });

  it("tries open operations last: a dozen timed-out writes nobody saw cost no search", () => {
    // As a kubernetes client that timed out 11 times in a row made it: tried first, every
    // subset and order of the open writes' effects was explored (2^14 here) before each read.
    const ops: RegOp[] = [];
    for (let i = 0; i < 14; i++) ops.push(op(i, 0, { op: "write", value: i % 3 }, i, null, Infinity));
    for (let i = 0; i < 20; i++) ops.push(op(14 + i, 1, { op: "read" }, 20 + 2 * i, { value: null }, 21 + 2 * i));
    const r = searchPartition(registerModel, ops);
    expect(r.verdict).toBe("linearizable");
    console.log(`14 open writes, 20 reads of the initial value: ${r.steps} search steps`);
    expect(r.steps).toBeLessThan(500);
    // One read that saw an open write still finds it.
    const seen = [...ops, op(34, 1, { op: "read" }, 100, { value: 2 }, 101), op(35, 1, { op: "read" }, 102, { value: 2 }, 103)];
    expect(searchPartition(registerModel, seen).verdict).toBe("linearizable");
    const flip = [...seen, op(36, 1, { op: "read" }, 104, { value: null }, 105)];
    expect(searchPartition(registerModel, flip).verdict).toBe("not-linearizable");
  });

  it("returns unknown when the budget is exhausted, and when the memo bound is hit, and says which", () => {
    const ops: RegOp[] = [];
    for (let i = 0; i < 16; i++) ops.push(op(i, i, { op: "write", value: i % 3 }, 0, {}, 100));
    ops.push(op(16, 99, { op: "read" }, 101, { value: 7 }, 102)); // impossible: forces the full search
    const outOfTime = checkHistory(ops, registerModel, { budget: { exhausted: () => true } });
    expect([outOfTime.verdict, outOfTime.unknownBecause]).toEqual(["unknown", "budget"]);
    const outOfMemory = checkHistory(ops, registerModel, { maxCacheEntries: 50 });
    expect([outOfMemory.verdict, outOfMemory.unknownBecause]).toEqual(["unknown", "memory"]);
    const decided = checkHistory(ops, registerModel);
    expect([decided.verdict, decided.unknownBecause]).toEqual(["not-linearizable", undefined]);
  });

  it("partitions kv histories per key but the verdict combines", () => {
    const kv = (id: number, input: KvInput, call: number, output: KvOutput | null, ret: number): Operation<KvInput, KvOutput> => ({ id, client: id, input, call, output, return: ret });
    const h = [kv(0, { op: "put", key: "a", value: "x" }, 0, {}, 1), kv(1, { op: "append", key: "b", value: "y" }, 0, {}, 1), kv(2, { op: "get", key: "a" }, 2, { value: "x" }, 3), kv(3, { op: "get", key: "b" }, 2, { value: "yy" }, 3)];
    const r = checkHistory(h, kvModel);
    expect(r.partitions).toBe(2);
    expect(r.verdict).toBe("not-linearizable");
    expect(r.counterexample!.partitionOperations).toEqual([1, 3]);
  });
});

/** A sequential register run: each op takes effect at its own point; intervals are stretched around it. */
const sequentialRun = (maxOps: number) =>
  fc
    .array(
      fc.record({
        kind: fc.constantFrom("read", "write", "cas"),
        a: fc.constantFrom(...VALUES),
        b: fc.constantFrom(...VALUES),
        before: fc.nat(30),
        after: fc.nat(30),
        unknown: fc.boolean(),
        unknownBias: fc.nat(5),
      }),
      { minLength: 1, maxLength: maxOps },
    )
    .map((steps) => {
      let state: RegisterValue = null;
      const ops: RegOp[] = steps.map((s, i) => {
        const point = 10 + i * 10;
        const input: RegisterInput = s.kind === "read" ? { op: "read" } : s.kind === "write" ? { op: "write", value: s.a } : { op: "cas", from: s.a, to: s.b };
        let output: RegisterOutput;
        if (input.op === "read") output = { value: state };
        else if (input.op === "write") {
          state = input.value;
          output = {};
        } else {
          const ok = state === input.from;
          if (ok) state = input.to;
          output = { ok };
        }
        const unknown = s.unknown && s.unknownBias === 0 && input.op !== "read";
        return { id: i, client: i, input, call: Math.max(0, point - s.before), output: unknown ? null : output, return: unknown ? Infinity : point + s.after };
      });
      return ops;
    });

function corrupt(ops: RegOp[], index: number, value: RegisterValue): RegOp[] {
  return ops.map((o, i) => {
    if (i !== index || o.output === null) return o;
    if (o.input.op === "read") return { ...o, output: { value: value === (o.output as { value: RegisterValue }).value ? 99 : value } };
    if (o.input.op === "cas") return { ...o, output: { ok: !(o.output as { ok: boolean }).ok } };
    return o;
  });
}

describe("linearizability search: properties", () => {
  it("sequential runs with stretched intervals are always linearizable", () => {
    fc.assert(
      fc.property(sequentialRun(40), (ops) => {
        expect(checkHistory(ops, registerModel).verdict).toBe("linearizable");
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it("a corrupted result is caught unless brute force can still explain it", () => {
    fc.assert(
      fc.property(sequentialRun(7), fc.nat(), fc.constantFrom(...VALUES), (ops, at, value) => {
        const bad = corrupt(ops, at % ops.length, value);
        const expected = bruteForceLinearizable(registerModel, bad);
        expect(searchPartition(registerModel, bad).verdict).toBe(expected ? "linearizable" : "not-linearizable");
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it("agrees with brute force on 10,000 random small histories", () => {
    let linearizable = 0;
    fc.assert(
      fc.property(randomRegisterHistory, (ops) => {
        const expected = bruteForceLinearizable(registerModel, ops);
        if (expected) linearizable++;
        expect(searchPartition(registerModel, ops).verdict).toBe(expected ? "linearizable" : "not-linearizable");
      }),
      { numRuns: 10_000, seed: 2024 },
    );
    // Both outcomes must be well represented, or the agreement says little.
    expect(linearizable).toBeGreaterThan(1000);
    expect(linearizable).toBeLessThan(9000);
  });
});
