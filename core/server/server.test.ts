import { describe, expect, it } from "vitest";
import type { CanaryBug } from "../canary";
import {
  ERR_COMPACTED, ERR_FUTURE_REV, ERR_KEY_NOT_FOUND, ERR_LEASE_EXISTS, ERR_LEASE_NOT_FOUND, ERR_NOT_LEADER,
  type EtcdRequest, type EtcdResponse,
} from "./api";
import { encodeRequest } from "./codec";
import { cmp, compact, del, get, grant, keepAlive, put, revoke, txn } from "./request_scripts";
import { LocalServer } from "./local";
import { KvServer, minLeaseTtlSeconds } from "./server";

const run = (ops: EtcdRequest[], bugs: CanaryBug[] = []) => {
  const s = new LocalServer({ bugs: new Set(bugs) });
  return { s, out: ops.map((op) => s.request(op)) };
};
const last = (ops: EtcdRequest[]) => run(ops).out.at(-1)!;
const rev = (r: EtcdResponse) => ("header" in r ? r.header.revision : -1);
const keys = (r: EtcdResponse) => (r as { kvs: { key: string }[] }).kvs.map((kv) => kv.key);
const SEC = 1_000_000;

describe("KvServer: KV rules", () => {
  // [name, ops, expectation on the last response]
  const table: [string, EtcdRequest[], Record<string, unknown>][] = [
    ["empty store is revision 1", [get("a")], { header: { revision: 1 }, kvs: [], count: 0, more: false }],
    ["first write is revision 2", [put("a", "1")], { header: { revision: 2 } }],
    ["prevKv on put", [put("a", "1"), put("a", "2", { prevKv: true })], { prevKv: { key: "a", value: "1", createRevision: 2, modRevision: 2, version: 1, lease: 0 } }],
    ["ignoreValue keeps value", [put("a", "1"), put("a", "", { ignoreValue: true }), get("a")], { kvs: [{ key: "a", value: "1", createRevision: 2, modRevision: 3, version: 2, lease: 0 }] }],
    ["ignoreValue on missing key", [put("a", "", { ignoreValue: true })], { error: ERR_KEY_NOT_FOUND }],
    ["unknown lease", [put("a", "1", { lease: 9 })], { error: ERR_LEASE_NOT_FOUND }],
    ["limit/more/count", [put("a", "1"), put("b", "1"), put("c", "1"), get("a", { rangeEnd: "\0", limit: 2 })], { count: 3, more: true }],
    ["countOnly", [put("a", "1"), put("b", "1"), get("a", { rangeEnd: "\0", countOnly: true })], { count: 2, kvs: [] }],
    ["keysOnly drops values", [put("a", "1"), get("a", { keysOnly: true })], { kvs: [{ key: "a", value: "", createRevision: 2, modRevision: 2, version: 1, lease: 0 }] }],
    ["future revision", [put("a", "1"), get("a", { revision: 3 })], { error: ERR_FUTURE_REV }],
    ["compacted revision", [put("a", "1"), put("a", "2"), compact(3), get("a", { revision: 2 })], { error: ERR_COMPACTED }],
    ["compact twice", [put("a", "1"), compact(2), compact(2)], { error: ERR_COMPACTED }],
    ["compact the future", [compact(2)], { error: ERR_FUTURE_REV }],
    ["delete nothing keeps revision", [put("a", "1"), del("b")], { header: { revision: 2 }, deleted: 0 }],
    ["delete range with prevKvs", [put("a", "1"), put("b", "2"), del("a", { rangeEnd: "\0", prevKv: true })], { deleted: 2, header: { revision: 4 } }],
    ["txn success branch", [put("a", "1"), txn([cmp("a", "VALUE", "EQUAL", "1")], [put("b", "1")], [put("c", "1")])], { succeeded: true, header: { revision: 3 } }],
    ["txn failure branch", [put("a", "1"), txn([cmp("a", "VERSION", "GREATER", 1)], [put("b", "1")], [get("a")])], { succeeded: false, header: { revision: 2 } }],
    ["VALUE compare on a missing key is false", [txn([cmp("a", "VALUE", "EQUAL", "")], [put("b", "1")])], { succeeded: false }],
    ["VERSION compare on a missing key sees 0", [txn([cmp("a", "VERSION", "EQUAL", 0)], [put("b", "1")])], { succeeded: true }],
    ["lease grant raises to the minimum TTL", [grant(1, 1)], { ID: 1, TTL: 2 }],
    ["lease exists", [grant(1, 10), grant(1, 10)], { error: ERR_LEASE_EXISTS }],
    ["revoke unknown", [revoke(3)], { error: ERR_LEASE_NOT_FOUND }],
    ["keepalive", [grant(1, 10), keepAlive(1)], { ID: 1, TTL: 10 }],
  ];
  it.each(table)("%s", (_n, ops, want) => {
    expect(last(ops)).toMatchObject(want);
  });

  it("no prevKv when the key was absent", () => {
    expect(last([put("a", "2", { prevKv: true })])).not.toHaveProperty("prevKv");
  });

  it("a txn's writes share one revision and nested txn headers are empty", () => {
    const r = last([txn([], [put("a", "1"), put("b", "1"), txn([], [del("zz")]), get("a", { rangeEnd: "\0" })])]);
    expect(r).toMatchObject({ header: { revision: 2 }, succeeded: true });
    const rs = (r as { responses: EtcdResponse[] }).responses;
    expect(rs.map(rev)).toEqual([2, 2, 0, 2]);
    expect(keys(rs[3]!)).toEqual(["a", "b"]);
  });

  it("nested compares are decided before the txn's operations run", () => {
    const { out } = run([put("a", "1"), txn([], [put("a", "2"), txn([cmp("a", "VALUE", "EQUAL", "1")], [put("b", "old")], [put("b", "new")])]), get("b")]);
    expect((out[2] as { kvs: { value: string }[] }).kvs[0]!.value).toBe("old");
  });

  it("a failing op inside a txn leaves no change and no revision", () => {
    const { out } = run([put("a", "1"), txn([], [put("b", "1"), put("c", "1", { lease: 5 })]), get("b")]);
    expect(out[1]).toEqual({ error: ERR_LEASE_NOT_FOUND });
    expect(out[2]).toMatchObject({ header: { revision: 2 }, count: 0 });
  });

  it("sort orders: by version descending keeps key order for ties", () => {
    const r = last([put("b", "1"), put("a", "1"), put("a", "2"), put("c", "1"), get("a", { rangeEnd: "\0", sortOrder: "DESCEND", sortTarget: "VERSION" })]);
    expect(keys(r)).toEqual(["a", "b", "c"]);
  });

  it("revoke deletes the lease's keys in one revision and detaches moved keys", () => {
    const { out } = run([grant(1, 10), grant(2, 10), put("a", "1", { lease: 1 }), put("b", "1", { lease: 1 }), put("b", "2", { lease: 2 }), revoke(1), get("a", { rangeEnd: "\0" })]);
    expect(rev(out[5]!)).toBe(5);
    expect(keys(out[6]!)).toEqual(["b"]);
  });

  it("apply skips entries at or below the applied index and advances on empty entries", () => {
    const s = new KvServer();
    expect(s.apply(1, encodeRequest(put("a", "1")), 0)).toMatchObject({ header: { revision: 2 } });
    expect(s.apply(1, encodeRequest(put("a", "2")), 0)).toBeUndefined();
    expect(s.apply(2, new Uint8Array(0), 0)).toBeUndefined();
    expect(s.appliedIndex()).toBe(2);
    expect(s.currentRevision()).toBe(2);
    expect(s.status()).toMatchObject({ raftAppliedIndex: 2, header: { revision: 2 } });
  });

  it("canary revision-bump-on-noop: a delete of nothing bumps the revision", () => {
    expect(rev(run([put("a", "1"), del("zz")]).out[1]!)).toBe(2);
    expect(rev(run([put("a", "1"), del("zz")], ["revision-bump-on-noop"]).out[1]!)).toBe(3);
  });
});

describe("KvServer: leases on the local clock", () => {
  it("the leader expires a lease after its TTL; keepalive extends it", () => {
    const s = new LocalServer();
    s.request(grant(1, 5));
    s.request(put("a", "1", { lease: 1 }));
    s.advanceUs(4 * SEC);
    expect(s.request(keepAlive(1))).toMatchObject({ TTL: 5 });
    s.advanceUs(4 * SEC);
    expect(s.server.leaseIds()).toEqual([1]);
    s.advanceUs(1 * SEC);
    expect(s.server.leaseIds()).toEqual([]);
    expect(s.request(get("a"))).toMatchObject({ count: 0, header: { revision: 3 } });
  });

  it("followers never call leases expired; a new leader extends them by the election timeout", () => {
    const f = new KvServer();
    f.apply(1, encodeRequest(grant(7, 3)), 0);
    expect(f.expiredLeases(100 * SEC)).toEqual([]);
    expect(f.leaseKeepAlive(7, 0)).toEqual({ error: ERR_NOT_LEADER });
    f.promote(100 * SEC, 1 * SEC);
    expect(f.expiredLeases(103 * SEC)).toEqual([]);
    expect(f.expiredLeases(104 * SEC)).toEqual([7]);
    f.demote();
    expect(f.expiredLeases(200 * SEC)).toEqual([]);
  });

  it("canary lease-expire-on-follower: a follower expires leases by its own clock", () => {
    const f = new KvServer({ bugs: new Set(["lease-expire-on-follower"]) });
    f.apply(1, encodeRequest(grant(7, 3)), 0);
    expect(f.expiredLeases(3 * SEC)).toEqual([7]);
  });

  it("timeToLive reports remaining whole seconds, granted TTL and keys", () => {
    const s = new LocalServer();
    s.request(grant(1, 10));
    s.request(put("b", "1", { lease: 1 }));
    s.request(put("a", "1", { lease: 1 }));
    s.advanceUs(2.5 * SEC);
    expect(s.server.leaseTimeToLive({ ID: 1, keys: true }, s.nowUs)).toMatchObject({ ID: 1, TTL: 7, grantedTTL: 10, keys: ["a", "b"] });
    expect(s.server.leaseTimeToLive({ ID: 2 }, s.nowUs)).toMatchObject({ TTL: -1 });
  });

  it("minLeaseTtlSeconds follows etcd: ceil(1.5 × election timeout)", () => {
    expect(minLeaseTtlSeconds(1_000_000)).toBe(2);
    expect(minLeaseTtlSeconds(100_000)).toBe(1);
    expect(minLeaseTtlSeconds(3_000_000)).toBe(5);
  });
});

describe("KvServer: snapshot and restore", () => {
  it("a restored server answers every read like the original, leases and attachments included", () => {
    const { s } = run([grant(1, 60), put("a", "1", { lease: 1 }), put("b", "1"), put("a", "2", { lease: 1 }), del("b"), put("c", "1"), compact(3)]);
    const copy = new KvServer();
    copy.restore(JSON.parse(JSON.stringify(s.server.snapshot())), 0);
    expect(copy.snapshot()).toEqual(s.server.snapshot());
    expect(copy.appliedIndex()).toBe(s.server.appliedIndex());
    for (let r = 3; r <= s.server.currentRevision(); r++) {
      expect(copy.query(get("\0", { rangeEnd: "\0", revision: r }))).toEqual(s.server.query(get("\0", { rangeEnd: "\0", revision: r })));
    }
    expect(copy.query(get("a", { revision: 2 }))).toEqual({ error: ERR_COMPACTED });
    copy.promote(0, 0);
    expect(copy.leaseTimeToLive({ ID: 1, keys: true }, 0)).toMatchObject({ keys: ["a"] });
    copy.apply(100, encodeRequest(revoke(1)), 0);
    expect(copy.query(get("a"))).toMatchObject({ count: 0 });
  });
});

describe("KvServer: the txn that crashes etcd 3.4", () => {
  // A from-key delete escapes etcd's duplicate-key check (etcd-io/etcd#22445), so etcd 3.4.23
  // accepts this txn; its put's pre-check finds "a", the delete removes it, the put fails
  // mid-txn, and etcd panics applying the entry, again on every restart (checked by hand:
  // conformance/etcd_crashers.ts). raftsim refuses it whole, the same way on every member.
  const crashers: [string, EtcdRequest][] = [
    ["delete from a, then put a with ignoreLease", txn([], [del("a", { rangeEnd: "\0" }), put("a", "", { ignoreLease: true })])],
    ["delete from a, then put b with ignoreValue", txn([], [del("a", { rangeEnd: "\0" }), put("b", "", { ignoreValue: true })])],
    ["the delete in a nested txn (as the conformance hunt drew it)", txn([], [txn([], [del("a", { rangeEnd: "\0" })]), put("a", "", { ignoreLease: true })])],
  ];
  it.each(crashers)("%s: key not found, nothing applied", (_name, crasher) => {
    const { s, out } = run([put("a", "1"), put("b", "2"), crasher, get("a", { rangeEnd: "\0" })]);
    expect(out[2]).toEqual({ error: ERR_KEY_NOT_FOUND });
    expect(rev(out[3]!)).toBe(3);
    expect(keys(out[3]!)).toEqual(["a", "b"]);
    expect(s.server.currentRevision()).toBe(3);
  });
});
