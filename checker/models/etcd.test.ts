import { describe, expect, it } from "vitest";
import { checkHistory } from "../check";
import type { Operation } from "../history";
import { ERR_COMPACTED, ERR_FUTURE_REV, ERR_KEY_NOT_FOUND, ERR_LEASE_NOT_FOUND, etcdModel, type EtcdRequest, type EtcdResponse, type KeyValue } from "./etcd";

type EOp = Operation<EtcdRequest, EtcdResponse>;
let nextId = 0;
/** Sequential by default: each op gets its own [t, t+1] slot. */
function op(client: number, input: EtcdRequest, output: EtcdResponse | null, call?: number, ret?: number | null): EOp {
  const id = nextId++;
  return { id, client, input, call: call ?? id * 10, output, return: ret === null ? Infinity : (ret ?? id * 10 + 1) };
}
const kv = (key: string, value: string, createRevision: number, modRevision: number, version: number, lease = 0): KeyValue => ({ key, value, createRevision, modRevision, version, lease });
const verdict = (ops: EOp[]) => checkHistory(ops, etcdModel).verdict;

describe("etcd model", () => {
  it("checks revisions, versions and createRevision of puts and ranges", () => {
    nextId = 0;
    const good = [
      op(0, { type: "put", key: "a", value: "1" }, { type: "put", header: { revision: 2 } }),
      op(0, { type: "put", key: "a", value: "2", prevKv: true }, { type: "put", header: { revision: 3 }, prevKv: kv("a", "1", 2, 2, 1) }),
      op(1, { type: "range", key: "a" }, { type: "range", header: { revision: 3 }, kvs: [kv("a", "2", 2, 3, 2)], count: 1 }),
    ];
    expect(verdict(good)).toBe("linearizable");
    // version wrong
    const badVersion = [good[0]!, good[1]!, { ...good[2]!, output: { type: "range", header: { revision: 3 }, kvs: [kv("a", "2", 2, 3, 1)] } as EtcdResponse }];
    expect(verdict(badVersion)).toBe("not-linearizable");
    // header revision wrong
    const badHeader = [good[0]!, { ...good[1]!, output: { type: "put", header: { revision: 4 }, prevKv: kv("a", "1", 2, 2, 1) } as EtcdResponse }];
    expect(verdict(badHeader)).toBe("not-linearizable");
  });

  it("a range at an old revision is judged by its revision, not by today's count", () => {
    nextId = 0;
    const ops = [
      op(0, { type: "put", key: "a", value: "1" }, { type: "put", header: { revision: 2 } }),
      op(0, { type: "put", key: "b", value: "1" }, { type: "put", header: { revision: 3 } }),
      // A list page at revision 2 (one key then) while the store is at 3 (two keys now).
      op(1, { type: "range", key: "a", rangeEnd: "c", revision: 2 }, { type: "range", header: { revision: 3 }, kvs: [kv("a", "1", 2, 2, 1)], more: false, count: 1 }),
    ];
    expect(verdict(ops)).toBe("linearizable");
    // A kv newer than the revision asked for is still caught.
    const tooNew = { ...ops[2]!, output: { type: "range", header: { revision: 3 }, kvs: [kv("a", "1", 2, 2, 1), kv("b", "1", 3, 3, 1)], more: false, count: 2 } as EtcdResponse };
    expect(verdict([ops[0]!, ops[1]!, tooNew])).toBe("not-linearizable");
  });

  it("a range at an old revision sees the key space of that revision: lost values, deleted keys, count and more", () => {
    nextId = 0;
    const w = [
      op(0, { type: "put", key: "a", value: "1" }, { type: "put", header: { revision: 2 } }),
      op(0, { type: "put", key: "b", value: "1" }, { type: "put", header: { revision: 3 } }),
      op(0, { type: "put", key: "a", value: "2" }, { type: "put", header: { revision: 4 } }),
      op(0, { type: "deleteRange", key: "b" }, { type: "deleteRange", header: { revision: 5 }, deleted: 1 }),
    ];
    const at3 = (kvs: KeyValue[], count: number, more = false) => op(1, { type: "range", key: "a", rangeEnd: "c", revision: 3 }, { type: "range", header: { revision: 5 }, kvs, count, more });
    // At revision 3: a=1 (overwritten at 4) and b (deleted at 5).
    expect(verdict([...w, at3([kv("a", "1", 2, 2, 1), kv("b", "1", 3, 3, 1)], 2)])).toBe("linearizable");
    expect(verdict([...w, at3([kv("a", "2", 2, 4, 2)], 1)])).toBe("not-linearizable"); // today's a
    expect(verdict([...w, at3([kv("a", "1", 2, 2, 1)], 1)])).toBe("not-linearizable"); // b missing
    expect(verdict([...w, at3([kv("a", "1", 2, 2, 1), kv("b", "1", 3, 3, 1)], 1)])).toBe("not-linearizable"); // count
    const page = op(1, { type: "range", key: "a", rangeEnd: "c", revision: 3, limit: 1 }, { type: "range", header: { revision: 5 }, kvs: [kv("a", "1", 2, 2, 1)], count: 2, more: true });
    expect(verdict([...w, page])).toBe("linearizable");
    expect(verdict([...w, { ...page, output: { ...page.output!, more: false } as EtcdResponse }])).toBe("not-linearizable");
  });

  it("after a compaction, a read at the compaction revision still sees the values kept there", () => {
    nextId = 0;
    const w = [
      op(0, { type: "put", key: "a", value: "1" }, { type: "put", header: { revision: 2 } }),
      op(0, { type: "put", key: "b", value: "1" }, { type: "put", header: { revision: 3 } }),
      op(0, { type: "put", key: "a", value: "2" }, { type: "put", header: { revision: 4 } }),
      op(0, { type: "compact", revision: 3 }, { type: "compact", header: { revision: 4 } }),
    ];
    const at3 = (kvs: KeyValue[]) => op(1, { type: "range", key: "a", rangeEnd: "c", revision: 3 }, { type: "range", header: { revision: 4 }, kvs, count: kvs.length, more: false });
    expect(verdict([...w, at3([kv("a", "1", 2, 2, 1), kv("b", "1", 3, 3, 1)])])).toBe("linearizable");
    // A compaction that dropped a=1, still visible at 3 (the compact-drops-kept-value canary).
    expect(verdict([...w, at3([kv("b", "1", 3, 3, 1)])])).toBe("not-linearizable");
    const at2 = op(1, { type: "range", key: "a", revision: 2 }, { error: ERR_COMPACTED });
    expect(verdict([...w, at2])).toBe("linearizable");
  });

  it("finds a request's errors in etcd 3.4's order: a txn's puts before its ranges, against the store before it; a lone put's lease before its key", () => {
    // Each found by the conformance suite, which now also runs the model over etcd's answers.
    nextId = 0;
    const w = op(0, { type: "put", key: "b", value: "1" }, { type: "put", header: { revision: 2 } });
    const txn = (success: EtcdRequest[]): EtcdRequest => ({ type: "txn", compare: [], success, failure: [] }) as EtcdRequest;
    const one = (input: EtcdRequest, error: string) => verdict([w, op(1, input, { error })]);
    // A range at a future revision comes first, but the put's missing key is the error.
    const rangeThenPut = txn([{ type: "range", key: "a", revision: 4 }, { type: "put", key: "a", value: "", ignoreValue: true }] as EtcdRequest[]);
    expect(one(rangeThenPut, ERR_KEY_NOT_FOUND)).toBe("linearizable");
    expect(one(rangeThenPut, ERR_FUTURE_REV)).toBe("not-linearizable");
    // A range may not read the revision its own txn's put makes (3 here).
    const putThenRange = txn([{ type: "put", key: "a", value: "1" }, { type: "range", key: "a", revision: 3 }] as EtcdRequest[]);
    expect(one(putThenRange, ERR_FUTURE_REV)).toBe("linearizable");
    // In a txn the key is checked before the lease; a put on its own checks the lease first.
    const ignoreWithLease = { type: "put", key: "a", value: "", ignoreValue: true, lease: 9 } as EtcdRequest;
    expect(one(txn([ignoreWithLease]), ERR_KEY_NOT_FOUND)).toBe("linearizable");
    expect(one(ignoreWithLease, ERR_LEASE_NOT_FOUND)).toBe("linearizable");
    expect(one(ignoreWithLease, ERR_KEY_NOT_FOUND)).toBe("not-linearizable");
  });

  it("orders concurrent writes by their revisions (one global order)", () => {
    nextId = 0;
    // Two concurrent puts; the revisions they report decide the order; a read must agree.
    const ops = [
      op(0, { type: "put", key: "x", value: "A" }, { type: "put", header: { revision: 3 } }, 0, 10),
      op(1, { type: "put", key: "y", value: "B" }, { type: "put", header: { revision: 2 } }, 0, 10),
      op(2, { type: "range", key: "x", rangeEnd: "z" }, { type: "range", header: { revision: 3 }, kvs: [kv("x", "A", 3, 3, 1), kv("y", "B", 2, 2, 1)], count: 2 }, 11, 12),
    ];
    expect(verdict(ops)).toBe("linearizable");
    const swapped = [ops[0]!, ops[1]!, { ...ops[2]!, output: { type: "range", header: { revision: 3 }, kvs: [kv("x", "A", 2, 2, 1), kv("y", "B", 3, 3, 1)] } as EtcdResponse }];
    expect(verdict(swapped)).toBe("not-linearizable");
  });

  it("evaluates txn compares and applies one branch at one revision", () => {
    nextId = 0;
    const ops = [
      op(0, { type: "put", key: "k", value: "v" }, { type: "put", header: { revision: 2 } }),
      op(0, { type: "txn", compare: [{ key: "k", target: "VALUE", result: "EQUAL", value: "v" }], success: [{ type: "put", key: "k", value: "w" }, { type: "put", key: "j", value: "z" }], failure: [] }, { type: "txn", header: { revision: 3 }, succeeded: true, responses: [{ type: "put" }, { type: "put" }] }),
      op(0, { type: "txn", compare: [{ key: "k", target: "VERSION", result: "EQUAL", version: 1 }], success: [], failure: [{ type: "range", key: "j" }] }, { type: "txn", header: { revision: 3 }, succeeded: false, responses: [{ type: "range", kvs: [kv("j", "z", 3, 3, 1)] }] }),
    ];
    expect(verdict(ops)).toBe("linearizable");
    const wrongBranch = [ops[0]!, ops[1]!, { ...ops[2]!, output: { type: "txn", header: { revision: 3 }, succeeded: true, responses: [] } as EtcdResponse }];
    expect(verdict(wrongBranch)).toBe("not-linearizable");
  });

  it("a failed (unknown) put may have applied, even later; a definite error may not", () => {
    nextId = 0;
    const maybe = op(0, { type: "put", key: "a", value: "1" }, { error: "etcdserver: request timed out" }, 0, 5);
    const read = op(1, { type: "range", key: "a" }, { type: "range", header: { revision: 2 }, kvs: [kv("a", "1", 2, 2, 1)] }, 100, 101);
    expect(verdict([maybe, read])).toBe("linearizable");
    const readEmpty = op(1, { type: "range", key: "a" }, { type: "range", header: { revision: 1 }, kvs: [] }, 100, 101);
    expect(verdict([maybe, readEmpty])).toBe("linearizable");
    const definite = op(0, { type: "leaseRevoke", ID: 7 }, { error: ERR_LEASE_NOT_FOUND }, 0, 5);
    expect(verdict([definite])).toBe("linearizable");
    const grant = op(0, { type: "leaseGrant", ID: 7, TTL: 60 }, { type: "leaseGrant", header: { revision: 1 }, ID: 7, TTL: 60 }, 200, 201);
    const undue = op(0, { type: "leaseRevoke", ID: 7 }, { error: ERR_LEASE_NOT_FOUND }, 300, 301);
    expect(verdict([grant, undue])).toBe("not-linearizable");
  });

  it("a lease may be granted a longer TTL than asked (the server's minimum), never a shorter one", () => {
    nextId = 0;
    const raised = op(0, { type: "leaseGrant", ID: 7, TTL: 1 }, { type: "leaseGrant", header: { revision: 1 }, ID: 7, TTL: 2 }, 0, 1);
    const renewed = op(0, { type: "leaseKeepAlive", ID: 7 }, { type: "leaseKeepAlive", header: { revision: 1 }, ID: 7, TTL: 2 }, 2, 3);
    expect(verdict([raised, renewed])).toBe("linearizable");
    const shortened = op(0, { type: "leaseGrant", ID: 8, TTL: 5 }, { type: "leaseGrant", header: { revision: 1 }, ID: 8, TTL: 4 }, 0, 1);
    expect(verdict([shortened])).toBe("not-linearizable");
  });

  it("revoking a lease deletes its keys at a new revision; compaction errors are checked", () => {
    nextId = 0;
    const ops = [
      op(0, { type: "leaseGrant", ID: 5, TTL: 100 }, { type: "leaseGrant", header: { revision: 1 }, ID: 5, TTL: 100 }),
      op(0, { type: "put", key: "l", value: "x", lease: 5 }, { type: "put", header: { revision: 2 } }),
      op(0, { type: "leaseRevoke", ID: 5 }, { type: "leaseRevoke", header: { revision: 3 } }),
      op(0, { type: "range", key: "l" }, { type: "range", header: { revision: 3 }, kvs: [], count: 0 }),
      op(0, { type: "compact", revision: 3 }, { type: "compact", header: { revision: 3 } }),
      op(0, { type: "range", key: "l", revision: 2 }, { error: ERR_COMPACTED }),
    ];
    expect(verdict(ops)).toBe("linearizable");
    const keyKept = [...ops.slice(0, 3), { ...ops[3]!, output: { type: "range", header: { revision: 3 }, kvs: [kv("l", "x", 2, 2, 1, 5)] } as EtcdResponse }];
    expect(verdict(keyKept)).toBe("not-linearizable");
  });

  // The three cases below are what etcd 3.4 answers (the conformance suite compares the
  // store with a real etcd on each); the model once disagreed with all three, which the
  // fuzzer's full request set found as false linearizability failures.
  it("a count-only range with a limit never says there are more", () => {
    nextId = 0;
    const puts = ["a", "b", "c"].map((k, i) => op(0, { type: "put", key: k, value: "1" }, { type: "put", header: { revision: i + 2 } }));
    const count = (more: boolean) => op(1, { type: "range", key: "a", rangeEnd: "d", countOnly: true, limit: 2 }, { type: "range", header: { revision: 4 }, kvs: [], count: 3, more });
    expect(verdict([...puts, count(false)])).toBe("linearizable");
    expect(verdict([...puts, count(true)])).toBe("not-linearizable");
  });

  it("inside a txn, a read before the first write reports the old revision in its header", () => {
    nextId = 0;
    const put = op(0, { type: "put", key: "a", value: "1" }, { type: "put", header: { revision: 2 } });
    const txn = (readRevision: number) =>
      op(0, { type: "txn", compare: [], success: [{ type: "range", key: "a" }, { type: "deleteRange", key: "a" }, { type: "range", key: "a" }], failure: [] }, {
        type: "txn", header: { revision: 3 }, succeeded: true,
        responses: [
          { type: "range", header: { revision: readRevision }, kvs: [kv("a", "1", 2, 2, 1)], count: 1 },
          { type: "deleteRange", header: { revision: 3 }, deleted: 1 },
          { type: "range", header: { revision: 3 }, kvs: [], count: 0 },
        ],
      } as EtcdResponse);
    expect(verdict([put, txn(2)])).toBe("linearizable");
    expect(verdict([put, txn(3)])).toBe("not-linearizable");
  });

  it("a nested txn's compares are decided before any op of the outer txn, and its header is empty", () => {
    nextId = 0;
    const put = op(0, { type: "put", key: "a", value: "1" }, { type: "put", header: { revision: 2 } });
    // The outer txn writes a=2 first; the nested compare (a == "1") was decided before that.
    const nested = (succeeded: boolean, headerRevision: number) =>
      op(0, {
        type: "txn", compare: [],
        success: [{ type: "put", key: "a", value: "2" }, { type: "txn", compare: [{ key: "a", target: "VALUE", result: "EQUAL", value: "1" }], success: [{ type: "put", key: "b", value: "yes" }], failure: [{ type: "put", key: "b", value: "no" }] }],
        failure: [],
      }, {
        type: "txn", header: { revision: 3 }, succeeded: true,
        responses: [{ type: "put", header: { revision: 3 } }, { type: "txn", header: { revision: headerRevision }, succeeded, responses: [{ type: "put", header: { revision: 3 } }] }],
      } as EtcdResponse);
    const readB = (value: string) => op(1, { type: "range", key: "b" }, { type: "range", header: { revision: 3 }, kvs: [kv("b", value, 3, 3, 1)], count: 1 });
    expect(verdict([put, nested(true, 0), readB("yes")])).toBe("linearizable");
    expect(verdict([put, nested(false, 0), readB("no")])).toBe("not-linearizable");
    expect(verdict([put, nested(true, 3), readB("yes")])).toBe("not-linearizable");
  });

  it("a grant whose ID the server picked and whose answer was lost: a later revoke of an unseen ID names it", () => {
    nextId = 0;
    const lostGrant = op(0, { type: "leaseGrant", ID: 0, TTL: 3 }, null, 0, null);
    // The lessor revokes the lease on expiry: the first time the history sees its ID.
    const expire = (id: number, at: number) => op(9, { type: "leaseRevoke", ID: id }, { type: "leaseRevoke", header: { revision: 1 } }, at, at + 1);
    expect(verdict([lostGrant, expire(5, 100)])).toBe("linearizable");
    expect(verdict([expire(5, 100)])).toBe("not-linearizable");
    // One lost grant names one lease, not two.
    expect(verdict([lostGrant, expire(5, 100), expire(6, 200)])).toBe("not-linearizable");
    // A grant whose answer arrived named its ID: a revoke of another ID is still wrong.
    const grant = op(0, { type: "leaseGrant", ID: 0, TTL: 3 }, { type: "leaseGrant", header: { revision: 1 }, ID: 4, TTL: 3 }, 0, 1);
    expect(verdict([grant, expire(4, 100)])).toBe("linearizable");
    expect(verdict([grant, expire(5, 100)])).toBe("not-linearizable");
  });

  it("TimeToLive: the granted TTL and the attached keys (in any order) are checked, the remaining TTL is not; an unknown lease is TTL -1", () => {
    nextId = 0;
    const setup = [
      op(0, { type: "leaseGrant", ID: 7, TTL: 5 }, { type: "leaseGrant", header: { revision: 1 }, ID: 7, TTL: 5 }),
      op(0, { type: "put", key: "b", value: "1", lease: 7 }, { type: "put", header: { revision: 2 } }),
      op(0, { type: "put", key: "a", value: "1", lease: 7 }, { type: "put", header: { revision: 3 } }),
    ];
    const ttl = (out: Partial<{ TTL: number; grantedTTL: number; keys: string[] }>, ID = 7) =>
      op(1, { type: "leaseTimeToLive", ID, keys: true }, { type: "leaseTimeToLive", header: { revision: 3 }, ID, TTL: 3, grantedTTL: 5, ...out } as EtcdResponse);
    expect(verdict([...setup, ttl({ keys: ["b", "a"] })])).toBe("linearizable");
    expect(verdict([...setup, ttl({ keys: ["a"] })])).toBe("not-linearizable");
    expect(verdict([...setup, ttl({ keys: ["a", "b"], grantedTTL: 4 })])).toBe("not-linearizable");
    // Unknown: TTL -1, never an error; a live lease reported gone is a stale answer.
    expect(verdict([...setup, ttl({ TTL: -1, grantedTTL: 0, keys: undefined }, 8)])).toBe("linearizable");
    expect(verdict([...setup, ttl({ TTL: -1, grantedTTL: 0, keys: undefined })])).toBe("not-linearizable");
    // Revoked (its keys deleted at revision 4): alive after that is stale.
    const revoked = [...setup, op(0, { type: "leaseRevoke", ID: 7 }, { type: "leaseRevoke", header: { revision: 4 } })];
    const after = (out: Partial<{ TTL: number; grantedTTL: number }>) => op(1, { type: "leaseTimeToLive", ID: 7 }, { type: "leaseTimeToLive", header: { revision: 4 }, ID: 7, ...out } as EtcdResponse);
    expect(verdict([...revoked, after({ TTL: -1 })])).toBe("linearizable");
    expect(verdict([...revoked, after({ TTL: 2, grantedTTL: 5 })])).toBe("not-linearizable");
  });

  it("the list of leases holds every lease the history granted and not revoked, and no others but unidentified ones", () => {
    nextId = 0;
    const grants = [
      op(0, { type: "leaseGrant", ID: 7, TTL: 5 }, { type: "leaseGrant", header: { revision: 1 }, ID: 7, TTL: 5 }),
      op(0, { type: "leaseGrant", ID: 8, TTL: 5 }, { type: "leaseGrant", header: { revision: 1 }, ID: 8, TTL: 5 }),
      op(0, { type: "leaseRevoke", ID: 8 }, { type: "leaseRevoke", header: { revision: 1 } }),
    ];
    const list = (leases: number[]) => op(1, { type: "leaseLeases" }, { type: "leaseLeases", header: { revision: 1 }, leases } as EtcdResponse);
    expect(verdict([...grants, list([7])])).toBe("linearizable");
    expect(verdict([...grants, list([])])).toBe("not-linearizable");
    expect(verdict([...grants, list([7, 8])])).toBe("not-linearizable");
    expect(verdict([...grants, list([7, 99])])).toBe("not-linearizable");
    // A grant whose ID the server picked, its answer lost: one more lease, under an ID the history never says.
    const lost = op(2, { type: "leaseGrant", ID: 0, TTL: 5 }, null, undefined, null);
    expect(verdict([...grants, lost, list([7, 99])])).toBe("linearizable");
    expect(verdict([...grants, lost, list([7, 99, 100])])).toBe("not-linearizable");
  });

  it("sorts and bounds a list as etcd 3.4 does, counting the whole range", () => {
    nextId = 0;
    // k3 written first, then k1, then k2: mod revisions 2, 3, 4.
    const puts = ["k3", "k1", "k2"].map((k, i) => op(0, { type: "put", key: k, value: "v" }, { type: "put", header: { revision: i + 2 } }));
    const list = (req: Record<string, unknown>, keys: string[], more: boolean) =>
      op(1, { type: "range", key: "k", rangeEnd: "l", ...req } as EtcdRequest, { type: "range", header: { revision: 4 }, kvs: keys.map((k) => kv(k, "v", { k3: 2, k1: 3, k2: 4 }[k]!, { k3: 2, k1: 3, k2: 4 }[k]!, 1)), count: 3, more });
    expect(verdict([...puts, list({ sortTarget: "MOD", sortOrder: "DESCEND", limit: 2 }, ["k2", "k1"], true)])).toBe("linearizable");
    expect(verdict([...puts, list({ sortTarget: "MOD", sortOrder: "DESCEND", limit: 2 }, ["k1", "k2"], true)])).toBe("not-linearizable");
    // A non-KEY target with order NONE sorts ascending, but etcd 3.4 read only limit + 1 keys
    // (in key order: k1, k2) before sorting them, so k1 comes first, not k3 (the oldest).
    expect(verdict([...puts, list({ sortTarget: "MOD", limit: 1 }, ["k1"], true)])).toBe("linearizable");
    expect(verdict([...puts, list({ sortTarget: "MOD", limit: 1 }, ["k3"], true)])).toBe("not-linearizable");
    // Bounds prune kvs and `more`, not `count`.
    expect(verdict([...puts, list({ minModRevision: 3, limit: 2 }, ["k1", "k2"], false)])).toBe("linearizable");
    expect(verdict([...puts, list({ minModRevision: 3, limit: 2 }, ["k1", "k2"], true)])).toBe("not-linearizable");
    expect(verdict([...puts, list({ maxCreateRevision: 2 }, ["k3"], false)])).toBe("linearizable");
  });
});

describe("etcd model: answers no etcd gives", () => {
  it("a server-assigned lease ID that a live lease has", () => {
    nextId = 0;
    const grant5 = op(0, { type: "leaseGrant", ID: 5, TTL: 60 }, { type: "leaseGrant", header: { revision: 1 }, ID: 5, TTL: 60 });
    const assigned = (ID: number) => op(0, { type: "leaseGrant", ID: 0, TTL: 10 }, { type: "leaseGrant", header: { revision: 1 }, ID, TTL: 10 });
    expect(verdict([grant5, assigned(5)])).toBe("not-linearizable");
    nextId = 0;
    expect(verdict([op(0, { type: "leaseGrant", ID: 5, TTL: 60 }, { type: "leaseGrant", header: { revision: 1 }, ID: 5, TTL: 60 }), assigned(6)])).toBe("linearizable");
  });

  it("a lease listed twice by LeaseLeases", () => {
    nextId = 0;
    const grant = op(0, { type: "leaseGrant", ID: 5, TTL: 60 }, { type: "leaseGrant", header: { revision: 1 }, ID: 5, TTL: 60 });
    const list = (leases: number[]) => op(0, { type: "leaseLeases" }, { type: "leaseLeases", header: { revision: 1 }, leases } as EtcdResponse);
    expect(verdict([grant, list([5, 5])])).toBe("not-linearizable");
    nextId = 0;
    expect(verdict([op(0, { type: "leaseGrant", ID: 5, TTL: 60 }, { type: "leaseGrant", header: { revision: 1 }, ID: 5, TTL: 60 }), list([5])])).toBe("linearizable");
  });

  it("prevKvs on a delete that did not ask for them", () => {
    const run = (prevKvs: KeyValue[] | undefined) => {
      nextId = 0;
      return verdict([
        op(0, { type: "put", key: "a", value: "1" }, { type: "put", header: { revision: 2 } }),
        op(0, { type: "deleteRange", key: "a" }, { type: "deleteRange", header: { revision: 3 }, deleted: 1, ...(prevKvs ? { prevKvs } : {}) } as EtcdResponse),
      ]);
    };
    expect(run([kv("a", "zzz", 9, 9, 9)])).toBe("not-linearizable");
    expect(run(undefined)).toBe("linearizable");
  });
});
