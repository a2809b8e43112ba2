// Conformance with real etcd: the same scripts run against a real single-member etcd
// 3.4 (Debian's etcd-server, JSON gateway on 127.0.0.1) and raftsim's server; every
// response is compared field by field. etcd is the oracle. Without /usr/bin/etcd the
// suite says so loudly and skips. Run alone: npm run test:etcd
import http from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareResult, CompareTarget, EtcdRequest, EtcdResponse, TxnOp, WatchFilter, WatchResponse } from "../core/server/api";
import { isCanaryBug } from "../core/canary";
import { LocalServer } from "../core/server/local";
import { minLeaseTtlSeconds } from "../core/server/server";
import { canon, firstDifference } from "./canon";
import { type Answered, modelRejects } from "./model_check";
import { crashesEtcd34 } from "./etcd_crashers";
import { dropsTombstoneAtCompaction, withoutTombstonesAt } from "./etcd_tombstone_at_compaction";
import { EtcdProcess, HAVE_ETCD, skipReason, sleep } from "./etcd_process.testkit";
import { FragmentJoiner, fragmentWatchResponse, WATCH_FRAGMENT_BYTES_DEFAULT } from "../core/server/watch_fragment";
import { fromGateway, toGateway, watchCreateJson, watchResponseIn, LEASE_IDS_PER_NAMESPACE, type Namespace } from "./gateway-json";
import { KV_SCRIPTS, WATCH_SCRIPTS, cmp, compact, del, get, grant, keepAlive, leases, put, revoke, timeToLive, txn, type WatchScript } from "../core/server/request_scripts";

const SKIP_REASON = skipReason("the etcd conformance suite");

// A longer differential hunt: RAFTSIM_CONFORMANCE_SEQUENCES=5000 RAFTSIM_CONFORMANCE_SEED=7
// RAFTSIM_CONFORMANCE_OPS_MAX=30 npm run test:etcd (a failure prints fast-check's seed and path).
const RANDOM_SEQUENCES = Number(process.env.RAFTSIM_CONFORMANCE_SEQUENCES ?? 200);
const RANDOM_SEED = Number(process.env.RAFTSIM_CONFORMANCE_SEED ?? 20240611);
const RANDOM_OPS_MAX = Number(process.env.RAFTSIM_CONFORMANCE_OPS_MAX ?? 14);
/** The random sequences' time limit grows with their number (~5 ms an operation on etcd here). */
const SEQUENCE_TIMEOUT_MS_BASE = 60_000;
const SEQUENCE_OP_TIMEOUT_MS = 40;
const ELECTION_TIMEOUT_MS = 100; // a fast start; it also sets etcd's minimum lease TTL
// RAFTSIM_CONFORMANCE_BUGS=revision-bump-on-noop,... runs raftsim with canaries on: the suite must then fail.
const BUGS = new Set((process.env.RAFTSIM_CONFORMANCE_BUGS ?? "").split(",").filter(isCanaryBug));
const newLocal = () => new LocalServer({ bugs: BUGS, minLeaseTtlSeconds: minLeaseTtlSeconds(ELECTION_TIMEOUT_MS * 1000) });

const etcd = new EtcdProcess("conformance", ELECTION_TIMEOUT_MS);
let nsCounter = 0;
const stats = { scripts: 0, operations: 0, watchScripts: 0, watchEvents: 0, sequences: 0, sequenceOps: 0, mismatches: 0, modelChecks: 0, modelRejections: 0, etcdCrashersLeftOut: 0, tombstonesAtCompactionLeftOut: 0 };

/** A fresh namespace; one write outside all namespaces first, so no old compaction reaches it. */
async function newNamespace(): Promise<Namespace> {
  const n = ++nsCounter;
  const bump = await etcd.post("/v3/kv/put", { key: btoa("!bump"), value: btoa(String(n)) });
  const r0 = Number((bump.header as { revision: string }).revision);
  return { prefix: `c/${String(n).padStart(5, "0")}/`, revisionOffset: r0 - 1, leaseBase: n * LEASE_IDS_PER_NAMESPACE };
}

async function etcdRequest(ns: Namespace, req: EtcdRequest) {
  const g = toGateway(ns, req);
  try {
    return fromGateway(ns, req, await etcd.post(g.path, g.body));
  } catch (error) {
    // A request that killed etcd: say so, with its panic, rather than a bare socket error.
    await sleep(200);
    const { dead, panic } = etcd.died();
    if (dead) throw new Error(`etcd ${etcd.version} died on ${JSON.stringify(req).slice(0, 400)}: ${panic ?? "no panic in its log"}`);
    throw error;
  }
}

/**
 * A TimeToLive answer as the two servers can agree on it. Its remaining TTL counts down in
 * etcd's wall time (600 becomes 599 a moment after the grant) and not in the local
 * server's: within a few seconds of the granted TTL it compares as the granted TTL. And
 * etcd 3.4 lists a lease's keys in no particular order (it walks a Go map; the suite saw
 * ["b", "a"]): they compare sorted.
 */
function comparableTimeToLive(r: EtcdResponse): EtcdResponse {
  if (!("type" in r) || r.type !== "leaseTimeToLive") return r;
  const near = r.TTL > 0 && r.grantedTTL - r.TTL <= REMAINING_SLACK_SECONDS;
  return { ...r, ...(near ? { TTL: r.grantedTTL } : {}), ...(r.keys ? { keys: [...r.keys].sort() } : {}) };
}
const REMAINING_SLACK_SECONDS = 5;

/** Runs ops on both; returns mismatch descriptions. etcd's answers are added to `answered`. */
async function runOps(ns: Namespace, local: LocalServer, ops: EtcdRequest[], label: string, answered: Answered[] = []): Promise<string[]> {
  const bad: string[] = [];
  for (const [i, op] of ops.entries()) {
    // Never sent to etcd, which it would crash for good (conformance/etcd_crashers.ts).
    if (crashesEtcd34(op)) throw new Error(`${label} op ${i}: a request that crashes etcd 3.4; leave it out: ${JSON.stringify(op).slice(0, 300)}`);
    const answer = await etcdRequest(ns, op);
    answered.push({ request: op, answer });
    const want = comparableTimeToLive(answer);
    const got = comparableTimeToLive(local.request(op));
    const d = firstDifference(got, want);
    if (d) stats.mismatches++;
    if (d) bad.push(`${label} op ${i} ${JSON.stringify(op).slice(0, 300)}\n  raftsim: ${JSON.stringify(canon(got)).slice(0, 600)}\n  etcd:    ${JSON.stringify(canon(want)).slice(0, 600)}\n  first difference: ${d}`);
  }
  return bad;
}

/**
 * Opens a watch stream on etcd's gateway; messages arrive in `out`. The request body is
 * sent whole at once: etcd 3.4's gateway (Go 1.19 net/http, no full duplex) answers
 * nothing until the request body ends, so a progress request must ride along.
 */
function openWatch(ns: Namespace, w: WatchScript["watch"], withProgressRequest: boolean) {
  const out: WatchResponse[] = [];
  const req = http.request({ host: "127.0.0.1", port: Number(new URL(etcd.clientUrl).port), method: "POST", path: "/v3/watch", headers: { "content-type": "application/json" } });
  let buf = "";
  req.on("response", (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const j = JSON.parse(line) as { result?: Record<string, unknown>; error?: unknown };
        if (j.result) out.push(watchResponseIn(ns, j.result));
      }
    });
    res.on("error", () => { /* closed by us */ });
  });
  req.on("error", () => { /* closed by us */ });
  req.end(JSON.stringify(watchCreateJson(ns, w)) + (withProgressRequest ? JSON.stringify({ progress_request: {} }) : ""));
  return { out, close: () => req.destroy() };
}

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  for (let t = 0; t < timeoutMs; t += 10) {
    if (cond()) return true;
    await sleep(10);
  }
  return cond();
}

const isProgress = (r: WatchResponse) => !r.created && !r.canceled && r.events.length === 0;

/** Events in a response must be whole revisions: no revision continues in the next response. */
function splitRevisions(rs: WatchResponse[]): string | undefined {
  let last = 0;
  for (const r of rs) {
    if (r.events.length === 0) continue;
    const first = r.events[0]!.kv.modRevision;
    if (first <= last) return `revision ${first} split across responses or out of order`;
    last = r.events[r.events.length - 1]!.kv.modRevision;
  }
  return undefined;
}

/** The responses a client hands on: fragments joined. */
function joinFragments(rs: WatchResponse[]): WatchResponse[] {
  const joiner = new FragmentJoiner();
  return rs.flatMap((r) => joiner.push(r) ?? []);
}

/** modelRejects, counted for the suite's summary. */
function judgeModel(answered: readonly Answered[]): string | undefined {
  stats.modelChecks++;
  const rejected = modelRejects(answered);
  if (rejected) stats.modelRejections++;
  return rejected;
}

async function runWatchScript(s: WatchScript): Promise<string[]> {
  const ns = await newNamespace();
  const local = newLocal();
  const answered: Answered[] = [];
  const bad = await runOps(ns, local, s.setup, `${s.name} setup`, answered);
  const compactRevisionAtWatch = local.server.compactRevision();
  local.server.watch(s.watch);
  const w = openWatch(ns, s.watch, !!s.progress);
  await until(() => w.out.some((r) => r.created) && (!s.progress || w.out.some(isProgress)), 3000);
  if (s.progress) local.server.requestWatchProgress();
  bad.push(...(await runOps(ns, local, s.then, `${s.name} then`, answered)));
  const rejected = judgeModel(answered);
  if (rejected) bad.push(`${s.name}: ${rejected}`);
  // Fragments are cut by the stream's send side (sim/etcd/node.ts), as etcd's v3rpc does.
  // etcd-io/etcd#18089: left out of both sides, as etcd's answer depends on whether its
  // background compaction has removed them yet (conformance/etcd_tombstone_at_compaction.ts).
  const lacksFix = dropsTombstoneAtCompaction(etcd.version);
  let drained = local.server.drainWatchResponses();
  if (lacksFix) {
    const asEtcd = withoutTombstonesAt(drained, s.watch.startRevision, compactRevisionAtWatch);
    drained = asEtcd.responses;
    stats.tombstonesAtCompactionLeftOut += asEtcd.leftOut;
  }
  const mine = s.watch.fragment ? drained.flatMap((r) => fragmentWatchResponse(r, WATCH_FRAGMENT_BYTES_DEFAULT)) : drained;
  const myEvents = mine.flatMap((r) => r.events);
  const canceled = mine.some((r) => r.canceled);
  await until(() => w.out.flatMap((r) => r.events).length >= myEvents.length && (!canceled || w.out.some((r) => r.canceled)), 3000);
  await sleep(30); // anything extra etcd would send
  w.close();
  const theirs = lacksFix ? withoutTombstonesAt(w.out, s.watch.startRevision, compactRevisionAtWatch).responses : w.out;
  const theirEvents = theirs.flatMap((r) => r.events);
  stats.watchEvents += theirEvents.length;
  const pick = (rs: WatchResponse[]) => ({
    // A create refused at once: etcd's reason and its watch ID -1 too.
    created: rs.filter((r) => r.created).map((r) => ({ revision: r.header.revision, canceled: r.canceled, ...(r.canceled ? { cancelReason: r.cancelReason, watchId: r.watchId } : {}) })),
    canceled: rs.filter((r) => r.canceled && !r.created).map((r) => ({ compactRevision: r.compactRevision, revision: r.header.revision })),
    events: rs.flatMap((r) => r.events),
    progress: rs.filter(isProgress).map((r) => r.header.revision).slice(-1),
    // How many events each response with events held, and whether more of it followed.
    ...(s.compareParts ? { parts: rs.filter((r) => r.events.length > 0).map((r) => `${r.events.length}${r.fragment ? "+" : ""}`) } : {}),
  });
  const d = firstDifference(pick(mine), pick(theirs));
  if (d) stats.mismatches++;
  if (d) bad.push(`${s.name}: watch differs: ${d}\n  raftsim: ${JSON.stringify(canon(pick(mine)))}\n  etcd:    ${JSON.stringify(canon(pick(theirs)))}`);
  for (const [who, rs] of [["raftsim", mine], ["etcd", theirs]] as const) {
    const e = splitRevisions(joinFragments(rs));
    if (e) bad.push(`${s.name}: ${who}: ${e}`);
  }
  return bad;
}

// ---- random operation sequences ----
// Small key and value alphabets, so operations meet: the same keys, leases and revisions
// come back. Rarer request fields (revision filters, ignoreValue/ignoreLease, range
// compares, nested txns) are drawn in a few operations, with their error paths.
const keyArb = fc.constantFrom("a", "b", "c", "d");
const endArb = fc.option(fc.constantFrom("c", "e", "\0"), { nil: undefined });
const valArb = fc.constantFrom("", "x", "y");
const leaseArb = fc.constantFrom(0, 0, 1, 2);
/** 0 = the field is left out. */
const rareRevisionArb = fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }) });
const putArb = fc.tuple(keyArb, valArb, fc.boolean(), leaseArb, fc.constantFrom(undefined, undefined, undefined, undefined, "value", "lease")).map(([k, v, p, l, ignore]) =>
  put(k, v, { prevKv: p || undefined, lease: l || undefined, ignoreValue: ignore === "value" || undefined, ignoreLease: ignore === "lease" || undefined }));
const getArb = fc.tuple(keyArb, endArb, fc.nat(3), fc.nat(9), fc.constantFrom(undefined, "keys", "count", "desc", "version"), fc.tuple(rareRevisionArb, rareRevisionArb, rareRevisionArb, rareRevisionArb))
  .map(([k, e, limit, revision, mode, [minMod, maxMod, minCreate, maxCreate]]) =>
    get(k, {
      rangeEnd: e, limit: limit || undefined, revision: revision || undefined, keysOnly: mode === "keys" || undefined, countOnly: mode === "count" || undefined,
      sortOrder: mode === "desc" ? "DESCEND" : undefined, sortTarget: mode === "version" ? "VERSION" : undefined,
      minModRevision: minMod || undefined, maxModRevision: maxMod || undefined, minCreateRevision: minCreate || undefined, maxCreateRevision: maxCreate || undefined,
    }));
const delArb = fc.tuple(keyArb, endArb, fc.boolean()).map(([k, e, p]) => del(k, { rangeEnd: e, prevKv: p || undefined }));
const cmpArb = fc.tuple(keyArb, fc.constantFrom<CompareTarget[]>("VERSION", "CREATE", "MOD", "VALUE", "LEASE"), fc.constantFrom<CompareResult[]>("EQUAL", "GREATER", "LESS", "NOT_EQUAL"), fc.nat(5), valArb, fc.option(fc.constantFrom("c", "e", "\0"), { nil: undefined, freq: 4 }))
  .map(([k, t, r, n, v, e]) => cmp(k, t, r, t === "VALUE" ? v : t === "LEASE" ? n % 3 : n, e));
const simpleOp: fc.Arbitrary<TxnOp> = fc.oneof(putArb, getArb, delArb);
/** A txn; its ops may be txns themselves (etcd 3.3+), one level down. */
const txnOf = (op: fc.Arbitrary<TxnOp>) =>
  fc.tuple(fc.array(cmpArb, { maxLength: 2 }), fc.array(op, { maxLength: 3 }), fc.array(op, { maxLength: 2 })).map(([c, s, f]) => txn(c, s, f));
const txnArb = txnOf(fc.oneof({ weight: 6, arbitrary: simpleOp }, { weight: 1, arbitrary: txnOf(simpleOp) }));
/**
 * The watch after a sequence: most often the whole namespace from revision 1 with prevKv;
 * otherwise a key or range from an early revision, with filters and prevKv drawn.
 */
const watchArb: fc.Arbitrary<WatchScript["watch"]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<WatchScript["watch"]>({ key: "\0", rangeEnd: "\0", startRevision: 1, prevKv: true }) },
  {
    weight: 2,
    arbitrary: fc.tuple(keyArb, endArb, fc.integer({ min: 1, max: 6 }), fc.constantFrom<WatchFilter[][]>([], [], ["NOPUT"], ["NODELETE"]), fc.boolean()).map(([key, rangeEnd, startRevision, filters, prevKv]) => ({
      key, ...(rangeEnd !== undefined ? { rangeEnd } : {}), startRevision, ...(filters.length > 0 ? { filters } : {}), ...(prevKv ? { prevKv } : {}),
    })),
  },
);
const anyOpArb: fc.Arbitrary<EtcdRequest> = fc.oneof(
  { weight: 4, arbitrary: putArb }, { weight: 3, arbitrary: getArb }, { weight: 2, arbitrary: delArb }, { weight: 3, arbitrary: txnArb },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }).map(compact) },
  { weight: 1, arbitrary: fc.constantFrom(1, 2).map((id) => grant(id, 600)) },
  { weight: 1, arbitrary: fc.constantFrom(1, 2).map(revoke) },
  { weight: 1, arbitrary: fc.constantFrom(1, 2).map(keepAlive) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(1, 2, 3), fc.boolean()).map(([id, keys]) => timeToLive(id, keys)) },
  { weight: 1, arbitrary: fc.constant(leases()) },
);
/** Drawn requests, less those that crash etcd 3.4 (raftsim's answer to them: core/server/server.test.ts). */
const opArb: fc.Arbitrary<EtcdRequest> = anyOpArb.filter((op) => {
  if (!crashesEtcd34(op)) return true;
  stats.etcdCrashersLeftOut++;
  return false;
});

describe.skipIf(!HAVE_ETCD)("conformance with real etcd", () => {
  beforeAll(async () => {
    await etcd.start();
  });
  afterAll(async () => {
    await etcd.stop();
    console.log(
      `etcd conformance vs etcd ${etcd.version}: ${stats.scripts} kv scripts (${stats.operations} operations), ` +
      `${stats.watchScripts} watch scripts, ${stats.watchEvents} watch events, ${stats.sequences} random sequences (${stats.sequenceOps} operations) compared; ` +
      `total ${stats.scripts + stats.watchScripts + stats.sequences} scripts, ${stats.operations + stats.sequenceOps} operations` +
      (stats.etcdCrashersLeftOut > 0 ? ` (${stats.etcdCrashersLeftOut} drawn txns that crash etcd 3.4 left out)` : "") +
      (stats.tombstonesAtCompactionLeftOut > 0 ? ` (${stats.tombstonesAtCompactionLeftOut} deletes at a watch's compaction revision left out of both sides: etcd-io/etcd#18089)` : "") + ": " +
      (stats.mismatches === 0 ? "all matched" : `${stats.mismatches} MISMATCHED`) +
      `; the checker's etcd model ${stats.modelRejections === 0 ? "accepted" : `REJECTED ${stats.modelRejections} of`} etcd's answers to ${stats.modelChecks} scripts and sequences`,
    );
  });

  it.each(KV_SCRIPTS.map((s) => [s.name, s] as const))("kv script: %s", async (_n, s) => {
    const ns = await newNamespace();
    const answered: Answered[] = [];
    const bad = await runOps(ns, newLocal(), s.ops, s.name, answered);
    const rejected = judgeModel(answered);
    if (rejected) bad.push(`${s.name}: ${rejected}`);
    stats.scripts++;
    stats.operations += s.ops.length;
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it.each(WATCH_SCRIPTS.map((s) => [s.name, s] as const))("watch script: %s", async (_n, s) => {
    const bad = await runWatchScript(s);
    stats.watchScripts++;
    stats.operations += s.setup.length + s.then.length;
    expect(bad, bad.join("\n")).toEqual([]);
  });

  it(`${RANDOM_SEQUENCES} random operation sequences (fast-check) match`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: RANDOM_OPS_MAX, size: "max" }), watchArb, async (ops, watch) => {
        // The ops, then a watch from an early revision: it replays the sequence's history
        // (what the watch selects of it), or is canceled if the sequence compacted past it.
        const bad = await runWatchScript({ name: "sequence", setup: ops, watch, then: [] });
        stats.sequences++;
        stats.sequenceOps += ops.length;
        if (bad.length > 0) throw new Error(bad.join("\n"));
      }),
      { numRuns: RANDOM_SEQUENCES, seed: RANDOM_SEED, endOnFailure: true },
    );
    console.log(`etcd conformance: all ${RANDOM_SEQUENCES} random sequences matched (seed ${RANDOM_SEED}, up to ${RANDOM_OPS_MAX} operations each)`);
  }, SEQUENCE_TIMEOUT_MS_BASE + RANDOM_SEQUENCES * RANDOM_OPS_MAX * SEQUENCE_OP_TIMEOUT_MS);
});

if (!HAVE_ETCD) {
  describe("conformance with real etcd (unavailable)", () => {
    it.skip(SKIP_REASON, () => {});
  });
}
