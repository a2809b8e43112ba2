// Operation scripts run against both real etcd (the conformance suite in conformance/) and
// raftsim's server; the server's unit tests build their requests with these helpers too.
// Revisions are script-relative (1 = the store before the script; the first write is 2);
// lease IDs are script-local. Every API rule of the store has at least one script here.
import type {
  Compare, CompareResult, CompareTarget, DeleteRangeRequest, EtcdRequest, LogRequest, PutRequest, RangeRequest, TxnOp,
  WatchCreateRequest,
} from "./api";

export interface KvScript {
  name: string;
  ops: EtcdRequest[];
}

export interface WatchScript {
  name: string;
  setup: EtcdRequest[];
  watch: WatchCreateRequest;
  then: EtcdRequest[];
  /** Ask for a progress notification after `then` and compare its revision. */
  progress?: boolean;
  /**
   * Compare how events are grouped into responses too. Off by default: etcd groups a
   * catching-up watcher's history with later revisions as its 100 ms sync loop finds them.
   */
  compareParts?: boolean;
}

export const put = (key: string, value: string, o: Partial<PutRequest> = {}): Extract<TxnOp, { type: "put" }> => ({ type: "put", key, value, ...o });
export const get = (key: string, o: Partial<RangeRequest> = {}): Extract<TxnOp, { type: "range" }> => ({ type: "range", key, ...o });
export const del = (key: string, o: Partial<DeleteRangeRequest> = {}): Extract<TxnOp, { type: "deleteRange" }> => ({ type: "deleteRange", key, ...o });
export const txn = (compare: Compare[], success: TxnOp[], failure: TxnOp[] = []): Extract<TxnOp, { type: "txn" }> => ({ type: "txn", compare, success, failure });
export function cmp(key: string, target: CompareTarget, result: CompareResult, operand: number | string, rangeEnd?: string): Compare {
  const field = { VERSION: "version", CREATE: "createRevision", MOD: "modRevision", VALUE: "value", LEASE: "lease" }[target];
  const c: Compare = { key, target, result, [field]: operand };
  if (rangeEnd !== undefined) c.rangeEnd = rangeEnd;
  return c;
}
export const compact = (revision: number): LogRequest => ({ type: "compact", revision });
export const grant = (ID: number, TTL: number): LogRequest => ({ type: "leaseGrant", ID, TTL });
export const revoke = (ID: number): LogRequest => ({ type: "leaseRevoke", ID });
export const keepAlive = (ID: number): EtcdRequest => ({ type: "leaseKeepAlive", ID });
export const timeToLive = (ID: number, keys = false): EtcdRequest => ({ type: "leaseTimeToLive", ID, ...(keys ? { keys } : {}) });
export const leases = (): EtcdRequest => ({ type: "leaseLeases" });

const abcde = ["e", "c", "a", "d", "b"].map((k) => put(k, `v-${k}`));

export const KV_SCRIPTS: KvScript[] = [
  { name: "initial revision is 1, first write is 2", ops: [get("a"), put("a", "1"), get("a")] },
  { name: "put twice: version, modRevision, createRevision; same value still bumps", ops: [put("a", "1"), put("a", "1"), put("a", "2"), get("a")] },
  { name: "put prevKv (absent and present)", ops: [put("a", "1", { prevKv: true }), put("a", "2", { prevKv: true })] },
  { name: "put ignoreValue keeps the value", ops: [put("a", "1"), put("a", "", { ignoreValue: true, prevKv: true }), get("a")] },
  { name: "put ignoreValue on a missing key: key not found", ops: [put("a", "", { ignoreValue: true }), get("a")] },
  { name: "put ignoreValue with a value: value provided", ops: [put("a", "1"), put("a", "x", { ignoreValue: true })] },
  { name: "put ignoreLease keeps the lease", ops: [grant(1, 600), put("a", "1", { lease: 1 }), put("a", "2", { ignoreLease: true }), get("a")] },
  { name: "put ignoreLease with a lease: lease provided", ops: [grant(1, 600), put("a", "1"), put("a", "2", { ignoreLease: true, lease: 1 })] },
  { name: "put ignoreLease on a missing key: key not found", ops: [put("a", "1", { ignoreLease: true })] },
  { name: "put with an unknown lease: lease not found, no revision", ops: [put("a", "1", { lease: 77 }), get("a")] },
  { name: "empty key: key not provided", ops: [put("", "1"), get(""), del("")] },
  { name: "request too large (1.6 MiB value)", ops: [put("big", "x".repeat(1_600_000)), get("big", { countOnly: true })] },
  { name: "range: single, interval, to the end, all, inverted", ops: [...abcde, get("b"), get("bb"), get("b", { rangeEnd: "d" }), get("b", { rangeEnd: "\0" }), get("\0", { rangeEnd: "\0" }), get("d", { rangeEnd: "b" })] },
  { name: "range: prefix (key+1)", ops: [put("p", "0"), put("p/1", "1"), put("p/2", "2"), put("q", "3"), get("p/", { rangeEnd: "p0" })] },
  { name: "range: limit, more, count", ops: [...abcde, get("a", { rangeEnd: "\0", limit: 2 }), get("a", { rangeEnd: "\0", limit: 5 }), get("a", { rangeEnd: "\0", limit: 9 }), get("c", { rangeEnd: "\0", limit: 1 })] },
  { name: "range: keysOnly, countOnly", ops: [...abcde, get("a", { rangeEnd: "c", keysOnly: true }), get("a", { rangeEnd: "\0", countOnly: true }), get("a", { rangeEnd: "\0", countOnly: true, limit: 1 })] },
  {
    name: "range: sort by key/version/create/mod/value, both orders, with limit",
    ops: [
      put("a", "3"), put("b", "1"), put("c", "2"), put("a", "4"), put("b", "0"), put("b", "5"),
      get("a", { rangeEnd: "\0", sortOrder: "DESCEND" }),
      get("a", { rangeEnd: "\0", sortOrder: "ASCEND", sortTarget: "VERSION" }),
      get("a", { rangeEnd: "\0", sortOrder: "DESCEND", sortTarget: "VERSION" }),
      get("a", { rangeEnd: "\0", sortOrder: "DESCEND", sortTarget: "CREATE" }),
      get("a", { rangeEnd: "\0", sortOrder: "ASCEND", sortTarget: "MOD" }),
      get("a", { rangeEnd: "\0", sortOrder: "DESCEND", sortTarget: "VALUE", limit: 2 }),
      get("a", { rangeEnd: "\0", sortTarget: "VALUE" }),
      get("a", { rangeEnd: "\0", sortOrder: "DESCEND", sortTarget: "MOD", limit: 1 }),
    ],
  },
  {
    name: "range: min/max mod and create revision filters",
    ops: [put("a", "1"), put("b", "1"), put("a", "2"), put("c", "1"), get("a", { rangeEnd: "\0", minModRevision: 4 }), get("a", { rangeEnd: "\0", maxModRevision: 3 }), get("a", { rangeEnd: "\0", minCreateRevision: 3, maxCreateRevision: 3 })],
  },
  { name: "range: historical revisions and the future", ops: [put("a", "1"), put("a", "2"), del("a"), put("b", "1"), get("a", { revision: 2 }), get("a", { revision: 3 }), get("a", { revision: 4 }), get("a", { rangeEnd: "\0", revision: 5 }), get("a", { revision: 6 }), get("a", { revision: 99 })] },
  { name: "range: serializable", ops: [put("a", "1"), get("a", { serializable: true })] },
  {
    name: "compaction: ErrCompacted below, ok at the compaction revision, future, twice",
    ops: [put("a", "1"), put("a", "2"), put("a", "3"), compact(3), get("a", { revision: 2 }), get("a", { revision: 3 }), get("a", { revision: 4 }), compact(3), compact(2), compact(9), compact(4), get("a")],
  },
  {
    name: "physical compaction: answered as a plain one; ErrCompacted below it, twice",
    ops: [put("a", "1"), put("a", "2"), put("a", "3"), { type: "compact", revision: 3, physical: true }, get("a", { revision: 2 }), get("a", { revision: 3 }), { type: "compact", revision: 3, physical: true }, { type: "compact", revision: 9, physical: true }],
  },
  { name: "compaction drops deleted keys' history", ops: [put("a", "1"), del("a"), put("b", "1"), compact(3), get("a", { rangeEnd: "\0", revision: 3 }), get("a", { rangeEnd: "\0" })] },
  { name: "delete: single, missing (no revision bump), range, prevKv", ops: [...abcde, del("zz"), del("a"), del("b", { rangeEnd: "d", prevKv: true }), del("a", { rangeEnd: "\0", prevKv: true }), get("a", { rangeEnd: "\0" })] },
  { name: "delete then recreate: version restarts, createRevision moves", ops: [put("a", "1"), put("a", "2"), del("a"), put("a", "3"), get("a")] },
  {
    name: "txn: compares on VERSION / CREATE / MOD / VALUE / LEASE",
    ops: [
      grant(1, 600), put("a", "x", { lease: 1 }), put("a", "y", { lease: 1 }),
      txn([cmp("a", "VERSION", "EQUAL", 2)], [get("a")], [put("f", "1")]),
      txn([cmp("a", "VERSION", "GREATER", 2)], [get("a")], [put("f", "2")]),
      txn([cmp("a", "CREATE", "EQUAL", 3)], [put("s", "1")], [put("f", "3")]),
      txn([cmp("a", "MOD", "LESS", 5)], [put("s", "2")], [put("f", "4")]),
      txn([cmp("a", "VALUE", "EQUAL", "y")], [put("s", "3")]),
      txn([cmp("a", "VALUE", "GREATER", "x")], [put("s", "4")]),
      txn([cmp("a", "VALUE", "NOT_EQUAL", "y")], [put("s", "5")], [get("s", { rangeEnd: "t" })]),
      txn([cmp("a", "LEASE", "EQUAL", 1)], [put("s", "6")]),
      txn([cmp("a", "LEASE", "NOT_EQUAL", 1)], [put("s", "7")], [get("a", { keysOnly: true })]),
    ],
  },
  {
    name: "txn: compares on a missing key (zero kv; VALUE always false) and on ranges",
    ops: [
      put("k1", "1"), put("k2", "2"),
      txn([cmp("nope", "VERSION", "EQUAL", 0)], [put("n", "1")]),
      txn([cmp("nope", "CREATE", "EQUAL", 0)], [put("n", "2")]),
      txn([cmp("nope", "VALUE", "EQUAL", "")], [put("n", "3")], [put("m", "3")]),
      txn([cmp("k", "VERSION", "EQUAL", 1, "l")], [put("n", "4")], [put("m", "4")]),
      txn([cmp("k", "VALUE", "GREATER", "0", "l")], [put("n", "5")]),
      txn([cmp("k1", "VALUE", "LESS", "2", "\0")], [put("n", "6")], [put("m", "6")]),
    ],
  },
  { name: "txn: empty txn and read-only txn do not bump", ops: [put("a", "1"), txn([], []), txn([], [get("a")]), txn([cmp("a", "VERSION", "EQUAL", 9)], [put("a", "2")], [get("a")]), get("a")] },
  {
    name: "txn: all changes share one revision; reads see earlier writes; sub-response headers",
    ops: [put("x", "0"), txn([], [put("a", "1"), get("a"), del("x"), get("x"), put("b", "2"), del("zz"), get("a", { rangeEnd: "\0" })]), get("a", { rangeEnd: "\0" })],
  },
  { name: "txn: delete that finds nothing first, then a write", ops: [put("q", "1"), txn([], [get("q"), del("nothing"), get("q"), put("q", "2"), get("q")])] },
  {
    name: "txn: nested txns, compares decided before any op",
    ops: [
      put("a", "1"),
      txn([], [put("a", "2"), txn([cmp("a", "VALUE", "EQUAL", "1")], [put("b", "yes")], [put("b", "no")]), get("b")]),
      txn([cmp("a", "VERSION", "EQUAL", 99)], [], [txn([], [put("c", "1"), txn([], [get("c")])]), del("zz")]),
      get("a", { rangeEnd: "\0" }),
    ],
  },
  {
    name: "txn: duplicate-key rule",
    ops: [
      put("a", "0"), put("b", "0"),
      txn([], [put("a", "1"), put("a", "2")]),
      txn([], [put("a", "1"), del("a")]),
      txn([], [del("a", { rangeEnd: "c" }), put("b", "1")]),
      txn([], [del("a", { rangeEnd: "\0" }), put("b", "1")]),
      txn([], [del("a"), del("a", { rangeEnd: "c" })]),
      txn([], [put("a", "1"), txn([], [put("a", "2")])]),
      txn([], [txn([], [put("a", "2")], [put("a", "3")])]),
      txn([], [txn([], [put("a", "2")]), txn([], [put("a", "3")])]),
      txn([], [del("a"), txn([], [put("a", "2")])]),
      txn([], [put("b", "9"), txn([], [del("b")])]),
      txn([], [put("a", "1")], [put("a", "2")]),
      get("a", { rangeEnd: "\0" }),
    ],
  },
  {
    name: "txn: too many operations (128 max per branch and compares)",
    ops: [
      txn([], Array.from({ length: 128 }, (_, i) => put(`k${i}`, "v"))),
      txn([], Array.from({ length: 129 }, (_, i) => put(`j${i}`, "v"))),
      txn(Array.from({ length: 129 }, () => cmp("a", "VERSION", "EQUAL", 0)), []),
      txn([], [], Array.from({ length: 129 }, () => get("a"))),
      txn([], [txn([], Array.from({ length: 129 }, (_, i) => put(`n${i}`, "v")))]),
      get("k", { rangeEnd: "l", countOnly: true }),
    ],
  },
  {
    name: "txn: errors inside a txn abort it whole",
    ops: [
      put("a", "1"),
      txn([], [put("b", "1"), put("c", "1", { lease: 5 })]),
      txn([], [put("b", "1"), put("zz", "", { ignoreValue: true })]),
      txn([], [put("b", "1"), get("a", { revision: 99 })]),
      txn([], [put("b", "1"), txn([], [put("", "1")])]),
      txn([], [put("b", "1"), get("")]),
      txn([cmp("", "VERSION", "EQUAL", 0)], []),
      get("b"),
    ],
  },
  { name: "txn: ranges inside at compacted and old revisions", ops: [put("a", "1"), put("a", "2"), put("a", "3"), compact(3), txn([], [get("a", { revision: 2 })]), txn([], [get("a", { revision: 3 }), put("b", "1")])] },
  {
    name: "lease: grant (min TTL raise), duplicate, too large, revoke deletes keys in one revision",
    ops: [
      grant(1, 1), grant(1, 600), grant(2, 9_000_000_001), grant(3, 600), grant(5, 0), grant(6, -3),
      put("a", "1", { lease: 1 }), put("b", "1", { lease: 1 }), put("c", "1", { lease: 3 }), put("b", "2", { lease: 3 }),
      revoke(1), get("a", { rangeEnd: "\0" }), revoke(1), revoke(3), get("a", { rangeEnd: "\0" }), revoke(9),
    ],
  },
  { name: "lease: revoke of a lease without keys does not bump", ops: [grant(1, 600), put("a", "1"), revoke(1), get("a")] },
  { name: "lease: put moves a key between leases; delete detaches", ops: [grant(1, 600), grant(2, 600), put("a", "1", { lease: 1 }), put("a", "2", { lease: 2 }), put("b", "1", { lease: 1 }), del("b"), put("b", "2"), revoke(1), get("a", { rangeEnd: "\0" }), revoke(2), get("a", { rangeEnd: "\0" })] },
  { name: "lease: keepalive of live and unknown leases", ops: [grant(1, 600), keepAlive(1), keepAlive(2)] },
  {
    name: "lease: timetolive (granted TTL, attached keys, unknown lease) and the list of leases",
    ops: [
      grant(1, 600), grant(2, 3), put("b", "1", { lease: 1 }), put("a", "1", { lease: 1 }), put("c", "1", { lease: 2 }),
      timeToLive(1, true), timeToLive(1), timeToLive(2, true), timeToLive(3, true), leases(),
      del("a"), timeToLive(1, true), revoke(2), timeToLive(2, true), leases(),
    ],
  },
  { name: "lease: txn put with a lease and compare on it", ops: [grant(4, 600), txn([], [put("a", "1", { lease: 4 }), put("b", "1")]), txn([cmp("a", "LEASE", "EQUAL", 4)], [put("b", "2", { lease: 4 })]), revoke(4), get("a", { rangeEnd: "\0" })] },
];

const BIG_KEYS = ["big1", "big2", "big3"];
const BIG_VALUE = "v".repeat(1_000_000);

export const WATCH_SCRIPTS: WatchScript[] = [
  { name: "watch from now: puts and deletes in order", setup: [put("a", "0")], watch: { key: "a" }, then: [put("a", "1"), put("b", "1"), del("a"), put("a", "2")] },
  { name: "watch a range from an old revision (inclusive)", setup: [put("a", "1"), put("b", "1"), put("a", "2"), del("b")], watch: { key: "a", rangeEnd: "c", startRevision: 3 }, then: [put("b", "3")] },
  { name: "watch all keys from revision 1", setup: [put("a", "1"), put("b", "2")], watch: { key: "\0", rangeEnd: "\0", startRevision: 1 }, then: [put("c", "3")] },
  { name: "watch with prevKv (history and live; none on create)", setup: [put("a", "1"), put("a", "2")], watch: { key: "a", startRevision: 2, prevKv: true }, then: [put("a", "3"), del("a"), put("a", "4")] },
  { name: "watch filters NOPUT", setup: [], watch: { key: "a", rangeEnd: "\0", filters: ["NOPUT"] }, then: [put("a", "1"), put("b", "1"), del("a"), del("b", { rangeEnd: "\0" })] },
  { name: "watch filters NODELETE", setup: [put("a", "0")], watch: { key: "a", startRevision: 1, filters: ["NODELETE"] }, then: [put("a", "1"), del("a"), put("a", "2")] },
  { name: "watch a txn: one revision, events in op order", setup: [put("x", "0")], watch: { key: "\0", rangeEnd: "\0", prevKv: true }, then: [txn([], [put("b", "1"), put("a", "1"), del("x"), txn([], [put("c", "1")])]), put("d", "1")] },
  { name: "watch lease revoke: a delete event per key", setup: [grant(1, 600), put("a", "1", { lease: 1 }), put("b", "1", { lease: 1 }), put("c", "1")], watch: { key: "a", rangeEnd: "z" }, then: [revoke(1), put("c", "2")] },
  { name: "watch from a compacted revision: canceled with the compact revision", setup: [put("a", "1"), put("a", "2"), put("a", "3"), compact(3)], watch: { key: "a", startRevision: 2 }, then: [] },
  { name: "watch from exactly the compaction revision", setup: [put("a", "1"), put("a", "2"), put("b", "1"), compact(3)], watch: { key: "a", rangeEnd: "c", startRevision: 3 }, then: [put("a", "4")] },
  // etcd-io/etcd#18089: etcd 3.4.23 loses the delete at 3 to the compaction (once its
  // background compaction has run); raftsim keeps it, and the suite leaves it out of both
  // sides against such a release (conformance/etcd_tombstone_at_compaction.ts). The delete at
  // 5 comes live, after the watch: both have it.
  { name: "watch from a compaction revision that is a delete's (etcd-io/etcd#18089)", setup: [put("a", "1"), del("a"), put("b", "1"), compact(3)], watch: { key: "a", rangeEnd: "c", startRevision: 3 }, then: [del("b")] },
  { name: "watch from a future revision", setup: [put("a", "1")], watch: { key: "a", startRevision: 4 }, then: [put("a", "2"), put("a", "3"), put("a", "4")] },
  { name: "watch an inverted range: refused at creation (watch ID -1)", setup: [put("c", "1")], watch: { key: "d", rangeEnd: "c", startRevision: 1 }, then: [put("c", "2")] },
  { name: "watch a range ending at its key: refused at creation", setup: [], watch: { key: "d", rangeEnd: "d" }, then: [put("d", "1")] },
  { name: "watch progress request reports the current revision", setup: [put("a", "1")], watch: { key: "a" }, then: [put("a", "2"), put("b", "1")], progress: true },
  // etcd splits at --max-request-bytes + 512 KiB (2 MiB by default): three deletes whose
  // prevKvs hold 1 MB each come as two events, then one. Without fragment: one response.
  { name: "watch fragments: a 3 MB revision in two parts", setup: BIG_KEYS.map((k) => put(k, BIG_VALUE)), watch: { key: "big", rangeEnd: "bih", prevKv: true, fragment: true }, then: [del("big", { rangeEnd: "bih" })], compareParts: true },
  { name: "watch without fragment: the same revision whole", setup: BIG_KEYS.map((k) => put(k, BIG_VALUE)), watch: { key: "big", rangeEnd: "bih", prevKv: true }, then: [del("big", { rangeEnd: "bih" })], compareParts: true },
];
