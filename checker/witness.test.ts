// The proposed order (witness.ts) may only ever say "linearizable" when it is, and must say
// so for a real execution whose hints are its true linearization points.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bruteForceLinearizable } from "./brute-force";
import { checkHistory } from "./check";
import type { Operation } from "./history";
import { etcdModel } from "./models/etcd";
import type { EtcdRequest, EtcdResponse } from "./models/etcd-types";
import { registerModel, type RegisterInput, type RegisterOutput, type RegisterValue } from "./models/register";
import { REGISTER_VALUES, type RegOp, registerOp, registerRowArb } from "./register_history.testkit";
import { verifyWitness } from "./witness";


/** Random small register histories, each operation with or without a random hint. */
const randomHinted = fc
  .array(fc.tuple(registerRowArb, fc.option(fc.nat(8), { freq: 4 })), { minLength: 1, maxLength: 7 })
  .map((rows) => rows.map(([s, hint], i): RegOp => ({ ...registerOp(s, i), ...(hint !== null ? { hint } : {}) })));

/**
 * A real execution: each operation takes effect at a point inside its interval, in point
 * order on one register; its hint is that point. Open operations may have taken effect
 * (hinted) or not (no hint, no effect).
 */
const realExecution = fc
  .array(fc.record({ kind: fc.constantFrom("read", "write", "cas"), a: fc.constantFrom(...REGISTER_VALUES), b: fc.constantFrom(...REGISTER_VALUES), call: fc.nat(40), before: fc.nat(10), after: fc.nat(10), open: fc.nat(5), applied: fc.boolean() }), { minLength: 1, maxLength: 30 })
  .map((rows) => {
    const ops = rows.map((s, i) => ({ s, i, point: s.call + s.before }));
    // Distinct points (ties broken by index), applied in point order.
    ops.sort((x, y) => x.point - y.point || x.i - y.i);
    let value: RegisterValue = null;
    const out: RegOp[] = [];
    ops.forEach(({ s, i, point }, rank) => {
      const open = s.open === 0;
      const input: RegisterInput = s.kind === "read" ? { op: "read" } : s.kind === "write" ? { op: "write", value: s.a } : { op: "cas", from: s.a, to: s.b };
      if (open && !s.applied) {
        out.push({ id: i, client: i, input, call: s.call, output: null, return: Infinity });
        return;
      }
      let output: RegisterOutput;
      if (input.op === "read") output = { value };
      else if (input.op === "write") (value = input.value), (output = {});
      else output = { ok: value === input.from && ((value = input.to), true) };
      // The hint orders by point; the return lies after the point.
      out.push({ id: i, client: i, input, call: s.call, output: open ? null : output, return: open ? Infinity : point + s.after, hint: rank });
    });
    return out.sort((a, b) => a.id - b.id);
  });

describe("witness: a proposed linearization, verified", () => {
  it("is sound: whenever it verifies an order, brute force finds the history linearizable (10,000 random hinted histories)", () => {
    let verified = 0;
    console.log("witness soundness property: seed 2026, 10,000 runs");
    fc.assert(
      fc.property(randomHinted, (ops) => {
        const w = verifyWitness(registerModel, ops);
        if (!w.verified) return;
        verified++;
        expect(bruteForceLinearizable(registerModel, ops)).toBe(true);
      }),
      { numRuns: 10_000, seed: 2026 },
    );
    // Random hints must verify often enough for the soundness above to mean something.
    expect(verified).toBeGreaterThan(1000);
  });

  it("verifies every real execution whose hints are its linearization points (2,000 executions of up to 30 operations)", () => {
    console.log("witness completeness property: seed 11, 2,000 runs");
    fc.assert(
      fc.property(realExecution, (ops) => {
        expect(verifyWitness(registerModel, ops)).toMatchObject({ verified: true });
        const result = checkHistory(ops, registerModel);
        expect(result.verdict).toBe("linearizable");
        // Settled without a search, unless nothing carried a hint (only unapplied open operations).
        expect(result.witnessed).toBe(ops.some((o) => o.hint !== undefined) ? result.partitions : 0);
      }),
      { numRuns: 2_000, seed: 11 },
    );
  });

  it("never changes a verdict: with or without hints, checkHistory agrees (5,000 random hinted histories)", () => {
    console.log("witness verdict property: seed 5, 5,000 runs");
    fc.assert(
      fc.property(randomHinted, (ops) => {
        expect(checkHistory(ops, registerModel).verdict).toBe(checkHistory(ops, registerModel, { witness: false }).verdict);
      }),
      { numRuns: 5_000, seed: 5 },
    );
  });

  const w = (id: number, value: RegisterValue, call: number, ret: number, hint?: number): RegOp => ({ id, client: id, input: { op: "write", value }, call, output: {}, return: ret, ...(hint !== undefined ? { hint } : {}) });
  const r = (id: number, value: RegisterValue, call: number, ret: number, hint?: number): RegOp => ({ id, client: id, input: { op: "read" }, call, output: { value }, return: ret, ...(hint !== undefined ? { hint } : {}) });

  it("refuses a stale read, and an order against real time, and the search then decides", () => {
    // The read began after the write of 2 returned, but saw 1.
    const stale = [w(0, 1, 0, 10, 1), w(1, 2, 20, 30, 2), r(2, 1, 40, 50, 1)];
    expect(verifyWitness(registerModel, stale).verified).toBe(false);
    expect(checkHistory(stale, registerModel).verdict).toBe("not-linearizable");
    // Hints that put a later write one group early: the stuck group takes in the next one,
    // and the order is found.
    const swapped = [w(0, 1, 0, 10, 2), w(1, 2, 20, 30, 1), r(2, 2, 40, 50, 2)];
    expect(verifyWitness(registerModel, swapped)).toMatchObject({ verified: true });
    // Three groups early, past the merges allowed: refused, yet the history is linearizable.
    const farOff = [w(0, 1, 0, 10, 3), r(1, 1, 12, 15, 1), r(2, 1, 16, 18, 2), w(3, 2, 20, 30, 0), r(4, 2, 40, 50, 3)];
    expect(verifyWitness(registerModel, farOff)).toMatchObject({ verified: false, refused: expect.stringMatching(/fits nowhere/) });
    expect(checkHistory(farOff, registerModel)).toMatchObject({ verdict: "linearizable", witnessed: 0 });
  });

  it("puts in an open operation without a hint only where it unblocks the order (a timed-out lease grant a revoke shows applied)", () => {
    type EOp = Operation<EtcdRequest, EtcdResponse>;
    const ops: EOp[] = [
      { id: 0, client: 1, input: { type: "leaseGrant", ID: 7, TTL: 5 }, call: 0, output: null, return: Infinity },
      { id: 1, client: 2, input: { type: "put", key: "a", value: "x" }, call: 5, output: { type: "put", header: { revision: 2 } } as EtcdResponse, return: 9, hint: 2 },
      { id: 2, client: 3, input: { type: "leaseRevoke", ID: 7 }, call: 10, output: { type: "leaseRevoke", header: { revision: 2 } } as EtcdResponse, return: 12, hint: 2 },
    ];
    expect(verifyWitness(etcdModel, ops)).toMatchObject({ verified: true });
    // Without the grant the revoke could not succeed: the lookahead is what verified it.
    expect(verifyWitness(etcdModel, ops.slice(1)).verified).toBe(false);
    // Hinted null ("did not take effect"), the grant is never put in, and the search decides.
    const saidNotApplied = [{ ...ops[0]!, hint: null }, ...ops.slice(1)];
    expect(verifyWitness(etcdModel, saidNotApplied).verified).toBe(false);
    expect(checkHistory(saidNotApplied, etcdModel)).toMatchObject({ verdict: "linearizable", witnessed: 0 });
  });
});

describe("the proposed order within one hint", () => {
  it("places a read before a change that shares its hint and was called first (an old-revision read racing a compaction)", () => {
    type EOp = Operation<EtcdRequest, EtcdResponse>;
    const ops: EOp[] = [
      { id: 0, client: 0, input: { type: "put", key: "a", value: "1" }, call: 0, output: { type: "put", header: { revision: 2 } }, return: 5, hint: 2 },
      // Called first, returned last: the compaction to 2 applied after the read below.
      { id: 1, client: 1, input: { type: "compact", revision: 2 }, call: 10, output: { type: "compact", header: { revision: 2 } }, return: 40, hint: 2 },
      // A read at revision 1, answered: it was served before the compaction.
      { id: 2, client: 2, input: { type: "range", key: "a", revision: 1 }, call: 12, output: { type: "range", header: { revision: 2 }, kvs: [], count: 0 } as unknown as EtcdResponse, return: 20, hint: 2 },
    ];
    expect(verifyWitness(etcdModel, ops).verified).toBe(true);
    expect(checkHistory(ops, etcdModel).verdict).toBe("linearizable");
  });

  it("retries a group whose greedy order took the wrong one of two changes (two compactions answered at one revision)", () => {
    type EOp = Operation<EtcdRequest, EtcdResponse>;
    const put = (id: number, value: string, revision: number): EOp => ({ id, client: 0, input: { type: "put", key: "a", value }, call: id * 10, output: { type: "put", header: { revision } }, return: id * 10 + 5, hint: revision });
    const ops: EOp[] = [
      put(0, "1", 2), put(1, "2", 3), put(2, "3", 4),
      // Called first, applied second: a compaction to 3 after one to 4 would have failed.
      { id: 3, client: 1, input: { type: "compact", revision: 4 }, call: 100, output: { type: "compact", header: { revision: 4 } }, return: 140, hint: 4 },
      { id: 4, client: 2, input: { type: "compact", revision: 3 }, call: 101, output: { type: "compact", header: { revision: 4 } }, return: 130, hint: 4 },
    ];
    expect(verifyWitness(etcdModel, ops).verified).toBe(true);
    expect(checkHistory(ops, etcdModel).verdict).toBe("linearizable");
    // Had both compactions been to 4, the second must fail: no retry makes that history pass.
    const twice = [...ops.slice(0, 4), { ...ops[4]!, input: { type: "compact", revision: 4 } as EtcdRequest }];
    expect(verifyWitness(etcdModel, twice).verified).toBe(false);
    expect(checkHistory(twice, etcdModel).verdict).toBe("not-linearizable");
  });

  it("retries a stuck group with answered operations before open ones (an open compaction that applied after an answered one to a lower revision)", () => {
    type EOp = Operation<EtcdRequest, EtcdResponse>;
    const put = (id: number, key: string, revision: number, call: number, ret: number): EOp => ({ id, client: 0, input: { type: "put", key, value: String(id) }, call, output: { type: "put", header: { revision } }, return: ret, hint: revision });
    const ops: EOp[] = [
      put(0, "a", 2, 0, 5), put(1, "a", 3, 10, 15), put(2, "a", 4, 20, 25),
      // Timed out; the harness saw it apply with the store at revision 5.
      { id: 3, client: 1, input: { type: "compact", revision: 4 }, call: 100, output: null, return: Infinity, hint: 5 },
      put(4, "b", 5, 110, 150),
      // Answered at 5: it applied after the put made 5, and before the open one (3 < 4).
      { id: 5, client: 2, input: { type: "compact", revision: 3 }, call: 140, output: { type: "compact", header: { revision: 5 } }, return: 160, hint: 5 },
    ];
    // Preferring the answered compaction alone cannot help: it fits only after the put, and
    // the open one, called first, goes in before that.
    expect(verifyWitness(etcdModel, ops)).toMatchObject({ verified: true });
    expect(checkHistory(ops, etcdModel).verdict).toBe("linearizable");
  });

  it("on a retry, takes first the change after which the stuck operation fits (a revoke before a grant called earlier, at one revision)", () => {
    // Seed 135 at 20 rounds, run 125: the lessor revoked lease 10 and a client granted lease
    // 18, both at revision 2, the grant called first; a list of leases answered [] between.
    type EOp = Operation<EtcdRequest, EtcdResponse>;
    const ops: EOp[] = [
      { id: 0, client: 0, input: { type: "leaseGrant", ID: 10, TTL: 5 }, call: 0, output: { type: "leaseGrant", header: { revision: 1 }, ID: 10, TTL: 5 }, return: 5, hint: 1 },
      { id: 1, client: 0, input: { type: "put", key: "a", value: "1" }, call: 10, output: { type: "put", header: { revision: 2 } }, return: 20, hint: 2 },
      { id: 2, client: 1, input: { type: "leaseGrant", ID: 18, TTL: 5 }, call: 30, output: { type: "leaseGrant", header: { revision: 2 }, ID: 18, TTL: 5 }, return: 60, hint: 2 },
      { id: 3, client: 2, input: { type: "leaseRevoke", ID: 10 }, call: 31, output: { type: "leaseRevoke", header: { revision: 2 } }, return: 45, hint: 2 },
      { id: 4, client: 3, input: { type: "leaseLeases" }, call: 32, output: { type: "leaseLeases", header: { revision: 2 }, leases: [] }, return: 50, hint: 2 },
    ];
    expect(verifyWitness(etcdModel, ops)).toMatchObject({ verified: true });
    expect(checkHistory(ops, etcdModel).verdict).toBe("linearizable");
    // Had the list shown lease 18 and not 10, the order is grant, revoke, list: found as before.
    const other = ops.map((o) => (o.id === 4 ? { ...o, output: { type: "leaseLeases", header: { revision: 2 }, leases: [18] } as EtcdResponse } : o));
    expect(verifyWitness(etcdModel, other)).toMatchObject({ verified: true });
  });

  it("merges a stuck group with the next one (a list that saw a revoke hinted half a revision later, and not a grant at its own hint)", () => {
    // Seed 152 at 10 rounds, 4 members, run 13854: the lessor's revoke of lease 10, answered
    // at revision 2, is hinted 2.5 (a list at 2, called after it, still showed the lease);
    // a second list at 2 shows it gone, and not lease 18, granted at 2 and called before it.
    // The only order: put, list [10], revoke, list [], grant.
    type EOp = Operation<EtcdRequest, EtcdResponse>;
    const list = (id: number, leases: number[], call: number, ret: number): EOp => ({ id, client: id, input: { type: "leaseLeases" }, call, output: { type: "leaseLeases", header: { revision: 2 }, leases }, return: ret, hint: 2 });
    const ops: EOp[] = [
      { id: 0, client: 0, input: { type: "leaseGrant", ID: 10, TTL: 5 }, call: 0, output: { type: "leaseGrant", header: { revision: 1 }, ID: 10, TTL: 5 }, return: 5, hint: 1 },
      { id: 1, client: 0, input: { type: "put", key: "a", value: "1" }, call: 10, output: { type: "put", header: { revision: 2 } }, return: 20, hint: 2 },
      { id: 2, client: 9, input: { type: "leaseRevoke", ID: 10 }, call: 30, output: { type: "leaseRevoke", header: { revision: 2 } }, return: 80, hint: 2.5 },
      list(3, [10], 40, 45),
      { id: 4, client: 1, input: { type: "leaseGrant", ID: 18, TTL: 5 }, call: 50, output: { type: "leaseGrant", header: { revision: 2 }, ID: 18, TTL: 5 }, return: 90, hint: 2 },
      list(5, [], 60, 70),
    ];
    expect(verifyWitness(etcdModel, ops)).toMatchObject({ verified: true });
    expect(checkHistory(ops, etcdModel).verdict).toBe("linearizable");
    // Merging finds only orders that are there: had the second list shown lease 18 without
    // the grant having been called before it returned, nothing fits.
    const impossible = ops.map((o) => (o.id === 5 ? { ...o, output: { type: "leaseLeases", header: { revision: 2 }, leases: [18] } as EtcdResponse, call: 46, return: 47 } : o));
    expect(verifyWitness(etcdModel, impossible)).toMatchObject({ verified: false });
    expect(checkHistory(impossible, etcdModel).verdict).toBe("not-linearizable");
  });

  it("does not take an open operation's failing reading for an observation (a put on a lease granted in the same hint)", () => {
    type EOp = Operation<EtcdRequest, EtcdResponse>;
    const ops: EOp[] = [
      // Both timed out; the record shows the put under lease 7 at revision 2, so both hint 2.
      { id: 0, client: 0, input: { type: "leaseGrant", ID: 7, TTL: 5 }, call: 0, output: null, return: Infinity, hint: 2 },
      { id: 1, client: 1, input: { type: "put", key: "a", value: "1", lease: 7 }, call: 5, output: null, return: Infinity, hint: 2 },
      { id: 2, client: 2, input: { type: "put", key: "b", value: "2" }, call: 50, output: { type: "put", header: { revision: 3 } }, return: 60, hint: 3 },
    ];
    // Read as a failure (no such lease yet), the put changes nothing; taken first for that,
    // it would leave revision 2 unmade, and the answered put at 3 would fit nowhere.
    expect(verifyWitness(etcdModel, ops)).toMatchObject({ verified: true });
    expect(checkHistory(ops, etcdModel).verdict).toBe("linearizable");
  });
});
