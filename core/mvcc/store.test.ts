import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareKeys, prefixEnd } from "./keys";
import { MvccStore } from "./store";
import { ERR_COMPACTED, ERR_FUTURE_REV, type KeyValue } from "./types";

function put(s: MvccStore, key: string, value: string, lease = 0): KeyValue {
  const t = s.write();
  const kv = t.put(key, value, lease);
  t.end();
  return kv;
}
function del(s: MvccStore, key: string, end?: string): number {
  const t = s.write();
  const n = t.deleteRange(key, end).length;
  t.end();
  return n;
}
const keysOf = (s: MvccStore, k: string, e?: string, revision?: number) => s.range(k, e, { revision }).kvs.map((kv) => kv.key);

describe("keys", () => {
  it.each([
    ["a", "b", -1], ["b", "a", 1], ["a", "a", 0], ["a", "ab", -1], ["", "a", -1],
    ["\uffff", "\u{10000}", -1], // by code point (UTF-8 order), not UTF-16 units
    ["\ue000", "\u{10000}", -1],
  ])("compareKeys(%j, %j) = %d", (a, b, want) => {
    expect(Math.sign(compareKeys(a, b))).toBe(want);
  });
  it.each([["a", "b"], ["ab", "ac"], ["a\u{10ffff}", "b"], ["", "\0"]])("prefixEnd(%j) = %j", (p, want) => {
    expect(prefixEnd(p)).toBe(want);
  });
});

describe("MvccStore", () => {
  it("starts at revision 1; the first write is revision 2; versions count per life", () => {
    const s = new MvccStore();
    expect(s.currentRevision()).toBe(1);
    expect(put(s, "a", "1")).toEqual({ key: "a", createRevision: 2, modRevision: 2, version: 1, value: "1", lease: 0 });
    expect(put(s, "a", "2", 7)).toEqual({ key: "a", createRevision: 2, modRevision: 3, version: 2, value: "2", lease: 7 });
    expect(del(s, "a")).toBe(1);
    expect(s.currentRevision()).toBe(4);
    expect(put(s, "a", "3")).toMatchObject({ createRevision: 5, modRevision: 5, version: 1 });
  });

  it("a write txn that changes nothing does not bump the revision (unless the canary asks)", () => {
    const s = new MvccStore();
    put(s, "a", "1");
    expect(del(s, "zzz")).toBe(0);
    expect(s.currentRevision()).toBe(2);
    const t = s.write();
    t.range("a", undefined);
    expect(t.end()).toEqual([]);
    expect(s.currentRevision()).toBe(2);
    s.write().end(true);
    expect(s.currentRevision()).toBe(3);
  });

  it("a txn's changes share one revision with growing sub-revisions, and it reads its own writes", () => {
    const s = new MvccStore();
    const t = s.write();
    t.put("a", "1", 0);
    t.put("b", "1", 0);
    expect(t.range("a", "\0").kvs.map((k) => k.key)).toEqual(["a", "b"]);
    expect(t.range("a", "\0").revision).toBe(2);
    expect(t.deleteRange("a", undefined).map((k) => k.key)).toEqual(["a"]);
    const evs = t.end();
    expect(evs.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual([["PUT", "a", 2], ["PUT", "b", 2], ["DELETE", "a", 2]]);
    expect(s.currentRevision()).toBe(2);
    expect(keysOf(s, "a", "\0")).toEqual(["b"]);
  });

  const table: [string, string, string | undefined, string[]][] = [
    ["single key", "b", undefined, ["b"]],
    ["missing single key", "bb", undefined, []],
    ["half open interval", "b", "d", ["b", "c"]],
    ["\\0 = to the end", "b", "\0", ["b", "c", "d", "e"]],
    ["all keys", "\0", "\0", ["a", "b", "c", "d", "e"]],
    ["end before start = empty", "d", "b", []],
    ["prefix", "c", prefixEnd("c"), ["c"]],
  ];
  it.each(table)("range: %s", (_name, key, end, want) => {
    const s = new MvccStore();
    for (const k of ["e", "c", "a", "d", "b"]) put(s, k, k);
    expect(keysOf(s, key, end)).toEqual(want);
  });

  it("limit truncates kvs but count counts the whole range; countOnly returns no kvs", () => {
    const s = new MvccStore();
    for (const k of ["a", "b", "c"]) put(s, k, k);
    expect(s.range("a", "\0", { limit: 2 })).toMatchObject({ count: 3, revision: 4 });
    expect(s.range("a", "\0", { limit: 2 }).kvs.map((k) => k.key)).toEqual(["a", "b"]);
    expect(s.range("a", "\0", { countOnly: true })).toEqual({ kvs: [], count: 3, revision: 4 });
  });

  it("historical reads, future revision and compaction errors", () => {
    const s = new MvccStore();
    put(s, "a", "1"); // 2
    put(s, "a", "2"); // 3
    del(s, "a"); // 4
    put(s, "b", "1"); // 5
    expect(s.range("a", undefined, { revision: 2 }).kvs[0]?.value).toBe("1");
    expect(s.range("a", undefined, { revision: 3 }).kvs[0]?.value).toBe("2");
    expect(s.range("a", undefined, { revision: 4 }).kvs).toEqual([]);
    expect(s.range("a", undefined, { revision: 3 }).revision).toBe(5); // header = current
    expect(() => s.range("a", undefined, { revision: 6 })).toThrow(ERR_FUTURE_REV);
    s.compact(3);
    expect(() => s.range("a", undefined, { revision: 2 })).toThrow(ERR_COMPACTED);
    expect(s.range("a", undefined, { revision: 3 }).kvs[0]?.value).toBe("2");
    expect(() => s.compact(3)).toThrow(ERR_COMPACTED);
    expect(() => s.compact(6)).toThrow(ERR_FUTURE_REV);
    s.compact(4); // a's generation ended with a tombstone at 4: only the tombstone stays
    expect(s.indexedKeyCount()).toBe(2);
    expect(s.recordCount()).toBe(2);
    expect(s.range("a", undefined, { revision: 4 }).kvs).toEqual([]);
    s.compact(5); // now below the compaction revision: a is gone entirely
    expect(s.indexedKeyCount()).toBe(1);
    expect(s.recordCount()).toBe(1);
  });

  // etcd-io/etcd#18089 (fixed by #18274): compacting at the revision of a delete removed the
  // tombstone, so a watch from that revision never saw the delete. Found here by a clean
  // campaign too (`raftsim fuzz --runs 60000 --seed 13`, run 4495).
  it("a tombstone at the compaction revision stays: history from that revision still holds the delete", () => {
    const s = new MvccStore();
    put(s, "k", "v2"); put(s, "k", "v3"); put(s, "k", "v4"); // 2, 3, 4
    del(s, "k"); // 5
    put(s, "k", "v6"); // 6
    s.compact(5);
    const evs = s.eventsBetween(5, 6);
    expect(evs.map((e) => [e.type, e.kv.modRevision, e.kv.value])).toEqual([["DELETE", 5, ""], ["PUT", 6, "v6"]]);
    // etcd reads prevKv at modRevision-1, compacted here: left out.
    expect(evs[0]!.prevKv).toBeUndefined();
    expect(s.range("k", undefined, { revision: 5 }).kvs).toEqual([]);
    expect(s.range("k", undefined, { revision: 6 }).kvs[0]).toMatchObject({ value: "v6", version: 1, createRevision: 6 });
  });

  // etcd-io/etcd#19188: a key whose oldest stored record is a tombstone must survive a restore
  // (etcd's restore once skipped it, and the delete was lost again).
  it("a store whose oldest record of a key is a tombstone round-trips through a snapshot", () => {
    const s = new MvccStore();
    put(s, "k", "v2"); del(s, "k"); put(s, "k", "v4"); // 2, 3, 4
    s.compact(3);
    const restored = MvccStore.fromSnapshot(JSON.parse(JSON.stringify(s.snapshot())));
    expect(restored.snapshot()).toEqual(s.snapshot());
    expect(restored.eventsBetween(3, 4).map((e) => [e.type, e.kv.modRevision])).toEqual([["DELETE", 3], ["PUT", 4]]);
    restored.compact(4);
    expect(restored.eventsBetween(0, 10).map((e) => [e.type, e.kv.modRevision])).toEqual([["PUT", 4]]);
  });

  it("compaction keeps the newest value at or below the compaction revision", () => {
    const s = new MvccStore();
    put(s, "a", "1"); put(s, "a", "2"); put(s, "a", "3"); // 2,3,4
    s.compact(3);
    expect(s.recordCount()).toBe(2);
    expect(s.range("a", undefined, { revision: 3 }).kvs[0]).toMatchObject({ value: "2", version: 2, createRevision: 2 });
    expect(s.eventsBetween(0, 10).map((e) => e.kv.modRevision)).toEqual([3, 4]);
  });

  it("eventsBetween yields changes in revision order with prevKv while readable", () => {
    const s = new MvccStore();
    put(s, "a", "1"); put(s, "a", "2"); del(s, "a");
    const evs = s.eventsBetween(3, 4);
    expect(evs.map((e) => [e.type, e.kv.modRevision, e.prevKv?.value])).toEqual([["PUT", 3, "1"], ["DELETE", 4, "2"]]);
    expect(evs[1]!.kv).toEqual({ key: "a", createRevision: 0, modRevision: 4, version: 0, value: "", lease: 0 });
  });

  it("snapshot round-trips through JSON to an identical store", () => {
    const s = new MvccStore();
    put(s, "a", "1"); put(s, "b", "1", 9); put(s, "a", "2"); del(s, "b"); put(s, "b", "x");
    s.compact(3);
    const copy = MvccStore.fromSnapshot(JSON.parse(JSON.stringify(s.snapshot())));
    expect(copy.snapshot()).toEqual(s.snapshot());
    for (let r = 3; r <= s.currentRevision(); r++) {
      expect(copy.range("\0", "\0", { revision: r })).toEqual(s.range("\0", "\0", { revision: r }));
    }
  });

  // Model check: a naive store that copies the whole key space at every revision.
  type Op = { t: "put"; k: string; v: string } | { t: "del"; k: string; e?: string } | { t: "compact"; back: number } | { t: "txn"; ops: { k: string; del: boolean }[] };
  const key = fc.constantFrom("a", "b", "c", "d");
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ t: fc.constant("put" as const), k: key, v: fc.constantFrom("x", "y") }),
    fc.record({ t: fc.constant("del" as const), k: key, e: fc.option(fc.constantFrom("c", "\0"), { nil: undefined }) }),
    fc.record({ t: fc.constant("compact" as const), back: fc.nat(4) }),
    fc.record({ t: fc.constant("txn" as const), ops: fc.uniqueArray(fc.record({ k: key, del: fc.boolean() }), { selector: (o) => o.k, maxLength: 3 }) }),
  );
  it("agrees with a naive copy-per-revision model (property)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        const s = new MvccStore();
        const states: Map<string, KeyValue>[] = [new Map(), new Map()]; // index = revision
        let compacted = -1;
        for (const op of ops) {
          const cur = new Map(states[states.length - 1]!);
          const rev = states.length;
          let changed = false;
          const mput = (k: string, v: string) => {
            const p = cur.get(k);
            cur.set(k, { key: k, value: v, lease: 0, modRevision: rev, createRevision: p ? p.createRevision : rev, version: p ? p.version + 1 : 1 });
            changed = true;
          };
          const mdel = (k: string, e?: string) => {
            for (const kk of [...cur.keys()]) {
              const inside = e === undefined ? kk === k : kk >= k && (e === "\0" || kk < e);
              if (inside) { cur.delete(kk); changed = true; }
            }
          };
          if (op.t === "compact") {
            const at = Math.max(0, s.currentRevision() - op.back);
            if (at <= compacted) { expect(() => s.compact(at)).toThrow(ERR_COMPACTED); continue; }
            s.compact(at);
            compacted = at;
            continue;
          }
          const t = s.write();
          if (op.t === "put") { t.put(op.k, op.v, 0); mput(op.k, op.v); }
          if (op.t === "del") { t.deleteRange(op.k, op.e); mdel(op.k, op.e); }
          if (op.t === "txn") for (const o of op.ops) { if (o.del) { t.deleteRange(o.k, undefined); mdel(o.k); } else { t.put(o.k, "t", 0); mput(o.k, "t"); } }
          t.end();
          if (changed) states.push(cur);
          expect(s.currentRevision()).toBe(states.length - 1);
        }
        for (let r = Math.max(1, compacted); r < states.length; r++) {
          const want = [...states[r]!.values()].sort((a, b) => compareKeys(a.key, b.key));
          expect(s.range("\0", "\0", { revision: r }).kvs).toEqual(want);
        }
        if (compacted > 1) expect(() => s.range("a", undefined, { revision: compacted - 1 })).toThrow(ERR_COMPACTED);
        const copy = MvccStore.fromSnapshot(s.snapshot());
        expect(copy.range("\0", "\0")).toEqual(s.range("\0", "\0"));
      }),
      { numRuns: 300, seed: 4242 },
    );
  });
});
