import { describe, expect, it } from "vitest";
import type { Outcome } from "../../core/client/session";
import type { WatchCancelMsg, WatchCreateMsg, WatchProgressMsg } from "../../core/client/protocol";
import type { EtcdRequest, EtcdResponse, KeyValue, WatchResponse } from "../../core/server/api";
import { ERR_COMPACTED, ERR_LEASE_NOT_FOUND } from "../../core/server/api";
import { RngStreams } from "../../sim/rng";
import { findBuiltin } from "../builtin";
import { runScenario } from "../run";
import { Elector } from "./kubernetes-election";
import { type CacheSnapshot, Informer } from "./kubernetes-informer";
import { keySpaceText, LEADER_KEY, REGISTRY_END, REGISTRY_PREFIX } from "./kubernetes-objects";

const kv = (key: string, rev: number, value: string): KeyValue => ({ key, createRevision: rev, modRevision: rev, version: 1, value, lease: 0 });

/** A fake session and world: requests wait in `sent` until the test answers them. */
function fakeEnv() {
  const sent: { request: EtcdRequest; opType: string; done: (o: Outcome) => void }[] = [];
  const watches: { member: number; msg: WatchCreateMsg }[] = [];
  const progressAsked: { member: number; msg: WatchProgressMsg }[] = [];
  const cancels: { member: number; msg: WatchCancelMsg }[] = [];
  const snapshots: CacheSnapshot[] = [];
  const clock = { nowUs: 0 };
  const answer = (response: EtcdResponse, status: "ok" | "fail" = "error" in response ? "fail" : "ok") => {
    const r = sent.shift()!;
    r.done({ status, response } as Outcome);
    return r;
  };
  return { sent, watches, progressAsked, cancels, snapshots, clock, answer };
}

function informerWith(env: ReturnType<typeof fakeEnv>, pageSize = 2) {
  return new Informer({
    controller: 0,
    clientId: 100,
    nowUs: () => env.clock.nowUs,
    members: () => [1, 2, 3],
    sendWatchCreate: (member, msg) => env.watches.push({ member, msg }),
    sendWatchProgress: (member, msg) => env.progressAsked.push({ member, msg }),
    sendWatchCancel: (member, msg) => env.cancels.push({ member, msg }),
    note: () => {},
    issue: (request, opType, done) => void env.sent.push({ request, opType, done }),
    snapshot: (s) => env.snapshots.push(s),
    pageSize,
    watchSilenceUs: 2_000_000,
  });
}

const watchMsg = (watcherId: number, seq: number, response: Partial<WatchResponse> & { header: { revision: number } }) => ({
  watcherId,
  seq,
  response: { watchId: 0, created: false, canceled: false, compactRevision: 0, cancelReason: "", events: [], ...response },
});

describe("Informer", () => {
  it("lists in pages at the first page's revision, then watches from revision + 1", () => {
    const env = fakeEnv();
    const inf = informerWith(env);
    inf.listStep(() => {});
    expect(env.sent[0]!.request).toEqual({ type: "range", key: REGISTRY_PREFIX, rangeEnd: REGISTRY_END, limit: 2 });
    env.answer({ type: "range", header: { revision: 9 }, kvs: [kv("/registry/a", 3, "x"), kv("/registry/b", 4, "y")], more: true, count: 3 });
    expect(inf.synced).toBe(false);
    inf.listStep(() => {});
    expect(env.sent[0]!.request).toEqual({ type: "range", key: "/registry/b\0", rangeEnd: REGISTRY_END, limit: 2, revision: 9 });
    env.answer({ type: "range", header: { revision: 12 }, kvs: [kv("/registry/c", 8, "z")], more: false, count: 1 });
    expect(inf.synced).toBe(true);
    expect(inf.revision).toBe(9);
    expect([...inf.cache.keys()]).toEqual(["/registry/a", "/registry/b", "/registry/c"]);
    expect(env.snapshots).toEqual([{ controller: 0, revision: 9, atUs: 0, text: keySpaceText(inf.cache.values()) }]);
    expect(env.watches).toHaveLength(1);
    expect(env.watches[0]!.msg.request).toMatchObject({ key: REGISTRY_PREFIX, rangeEnd: REGISTRY_END, startRevision: 10, progressNotify: true });
  });

  it("restarts a list whose revision was compacted", () => {
    const env = fakeEnv();
    const inf = informerWith(env);
    inf.listStep(() => {});
    env.answer({ type: "range", header: { revision: 9 }, kvs: [kv("/registry/a", 3, "x"), kv("/registry/b", 4, "y")], more: true, count: 3 });
    inf.listStep(() => {});
    env.answer({ error: ERR_COMPACTED });
    inf.listStep(() => {});
    expect(env.sent[0]!.request).toEqual({ type: "range", key: REGISTRY_PREFIX, rangeEnd: REGISTRY_END, limit: 2 });
  });

  function synced() {
    const env = fakeEnv();
    const inf = informerWith(env, 0);
    inf.listStep(() => {});
    env.answer({ type: "range", header: { revision: 5 }, kvs: [kv("/registry/a", 3, "x")], more: false, count: 1 });
    return { env, inf, id: () => env.watches[env.watches.length - 1]!.msg.watcherId };
  }

  it("applies watch events and advances on progress, but not on the created response", () => {
    const { env, inf, id } = synced();
    inf.onWatchMessage(watchMsg(id(), 0, { header: { revision: 7 }, created: true }));
    expect(inf.revision).toBe(5);
    inf.onWatchMessage(watchMsg(id(), 1, { header: { revision: 6 }, events: [{ type: "PUT", kv: kv("/registry/b", 6, "y") }] }));
    inf.onWatchMessage(watchMsg(id(), 2, { header: { revision: 7 }, events: [{ type: "DELETE", kv: { ...kv("/registry/a", 0, ""), modRevision: 7 } }] }));
    inf.onWatchMessage(watchMsg(id(), 3, { header: { revision: 9 } }));
    expect(inf.revision).toBe(9);
    expect([...inf.cache.keys()]).toEqual(["/registry/b"]);
    expect(env.snapshots.map((s) => s.revision)).toEqual([5, 6, 7, 9]);
    expect(env.snapshots[3]!.text).toBe(keySpaceText([kv("/registry/b", 6, "y")]));
    // A duplicate and a message of an abandoned stream change nothing.
    inf.onWatchMessage(watchMsg(id(), 3, { header: { revision: 9 }, events: [{ type: "PUT", kv: kv("/registry/z", 9, "q") }] }));
    inf.onWatchMessage(watchMsg(id() - 1, 4, { header: { revision: 10 }, events: [{ type: "PUT", kv: kv("/registry/z", 10, "q") }] }));
    expect([...inf.cache.keys()]).toEqual(["/registry/b"]);
  });

  it("holds messages that overtook a missing one, and applies them in order when it comes", () => {
    const { env, inf, id } = synced();
    inf.onWatchMessage(watchMsg(id(), 1, { header: { revision: 7 }, events: [{ type: "PUT", kv: kv("/registry/b", 7, "y2") }] }));
    expect(inf.revision).toBe(5);
    inf.onWatchMessage(watchMsg(id(), 0, { header: { revision: 6 }, events: [{ type: "PUT", kv: kv("/registry/b", 6, "y1") }] }));
    expect(inf.revision).toBe(7);
    expect(inf.cache.get("/registry/b")?.value).toBe("y2");
    expect(env.snapshots.map((s) => s.revision)).toEqual([5, 6, 7]);
    env.clock.nowUs = 1_000_000;
    inf.checkWatch();
    expect(env.watches).toHaveLength(1);
    expect(inf.stats.rewatches).toBe(0);
  });

  it("resumes a broken or silent stream from the cache's revision on another member", () => {
    const { env, inf, id } = synced();
    const first = env.watches[0]!;
    inf.onWatchMessage(watchMsg(id(), 1, { header: { revision: 8 } })); // seq 0 was lost
    // Held for a while (it may only be late), then given up.
    inf.checkWatch();
    expect(env.watches).toHaveLength(1);
    env.clock.nowUs = 499_999;
    inf.checkWatch();
    expect(env.watches).toHaveLength(1);
    env.clock.nowUs = 500_000;
    inf.checkWatch();
    expect(env.watches).toHaveLength(2);
    expect(env.watches[1]!.member).not.toBe(first.member);
    expect(env.watches[1]!.msg.request.startRevision).toBe(6);
    expect(env.watches[1]!.msg.watcherId).not.toBe(first.msg.watcherId);
    env.clock.nowUs = 1_000_000;
    inf.checkWatch();
    expect(env.watches).toHaveLength(2);
    env.clock.nowUs = 2_500_000;
    inf.checkWatch();
    expect(env.watches).toHaveLength(3);
    expect(inf.stats.rewatches).toBe(2);
    // Each abandoned stream is closed at the member that held it, before the next one opens.
    expect(env.cancels).toEqual([
      { member: first.member, msg: { clientId: 100, watcherId: first.msg.watcherId } },
      { member: env.watches[1]!.member, msg: { clientId: 100, watcherId: env.watches[1]!.msg.watcherId } },
    ]);
  });

  it("does not close a stream its member cancelled, whether for compaction or not", () => {
    const { env, inf, id } = synced();
    inf.onWatchMessage(watchMsg(id(), 0, { header: { revision: 9 }, canceled: true, cancelReason: "etcdserver: no leader" }));
    // Not at once (a leaderless cluster refuses every member): at the next check, elsewhere.
    expect(env.watches).toHaveLength(1);
    inf.requestProgress();
    expect(env.progressAsked).toEqual([]);
    inf.checkWatch();
    expect(env.watches).toHaveLength(2);
    expect(env.watches[1]!.member).not.toBe(env.watches[0]!.member);
    expect(env.watches[1]!.msg.requireLeader).toBe(true);
    inf.onWatchMessage(watchMsg(id(), 0, { header: { revision: 0 }, canceled: true, compactRevision: 12 }));
    expect(inf.synced).toBe(false);
    expect(env.cancels).toEqual([]);
  });

  it("asks for progress on its current stream, at the member holding it, and not while listing", () => {
    const { env, inf, id } = synced();
    inf.requestProgress();
    expect(env.progressAsked).toEqual([{ member: env.watches[0]!.member, msg: { clientId: 100, watcherId: id() } }]);
    inf.onWatchMessage(watchMsg(id(), 1, { header: { revision: 8 } })); // seq 0 lost: resumed elsewhere
    env.clock.nowUs = 500_000;
    inf.checkWatch();
    inf.requestProgress();
    expect(env.progressAsked[1]).toEqual({ member: env.watches[1]!.member, msg: { clientId: 100, watcherId: id() } });
    inf.onWatchMessage(watchMsg(id(), 0, { header: { revision: 0 }, canceled: true, compactRevision: 12 }));
    inf.requestProgress();
    expect(env.progressAsked).toHaveLength(2);
  });

  it("re-lists when its watch is cancelled as compacted", () => {
    const { env, inf, id } = synced();
    inf.onWatchMessage(watchMsg(id(), 0, { header: { revision: 0 }, canceled: true, compactRevision: 12 }));
    expect(inf.synced).toBe(false);
    expect(inf.stats.relistsCompacted).toBe(1);
    inf.listStep(() => {});
    expect(env.sent[0]!.request).toMatchObject({ key: REGISTRY_PREFIX });
  });
});

describe("Elector", () => {
  function elector() {
    const env = fakeEnv();
    const claims: number[] = [];
    let leaderSeen = false;
    const e = new Elector({
      controller: 1,
      leaseIdBase: 201_000_000,
      leaseTtlSeconds: 3,
      nowUs: () => env.clock.nowUs,
      issue: (request, opType, done) => void env.sent.push({ request, opType, done }),
      claim: (c) => claims.push(c.token),
      rand: new RngStreams(1).stream("elector-test"),
      leaderSeen: () => leaderSeen,
    });
    return { env, e, claims, seeLeader: (v: boolean) => void (leaderSeen = v) };
  }

  it("grants a lease, campaigns on the leader key's createRevision and leads with that token", () => {
    const { env, e, claims } = elector();
    e.step(() => {});
    expect(env.sent[0]!.request).toEqual({ type: "leaseGrant", ID: 201_000_001, TTL: 3 });
    env.answer({ type: "leaseGrant", header: { revision: 1 }, ID: 201_000_001, TTL: 3 });
    e.step(() => {});
    expect(env.sent[0]!.request).toEqual({
      type: "txn",
      compare: [{ key: LEADER_KEY, target: "CREATE", result: "EQUAL", createRevision: 0 }],
      success: [{ type: "put", key: LEADER_KEY, value: "controller-1", lease: 201_000_001 }],
      failure: [{ type: "range", key: LEADER_KEY }],
    });
    env.answer({ type: "txn", header: { revision: 14 }, succeeded: true, responses: [{ type: "put", header: { revision: 14 } }] });
    expect(e.leadership()).toBe(14);
    expect(claims).toEqual([14]);
    // The belief runs out with the lease unless a keepalive extends it.
    env.clock.nowUs = 1_100_000;
    e.step(() => {});
    expect(env.sent[0]!.request).toEqual({ type: "leaseKeepAlive", ID: 201_000_001 });
    env.answer({ type: "leaseKeepAlive", header: { revision: 14 }, ID: 201_000_001, TTL: 3 });
    env.clock.nowUs = 3_500_000;
    expect(e.leadership()).toBe(14);
    env.clock.nowUs = 4_200_000;
    expect(e.leadership()).toBe(0);
  });

  it("adopts its own key after a lost answer, waits while another leader is seen, and loses leadership with its lease", () => {
    const { env, e, claims, seeLeader } = elector();
    e.step(() => {});
    env.answer({ type: "leaseGrant", header: { revision: 1 }, ID: 201_000_001, TTL: 3 });
    e.step(() => {});
    env.answer({ type: "txn", header: { revision: 20 }, succeeded: false, responses: [{ type: "range", header: { revision: 20 }, kvs: [{ ...kv(LEADER_KEY, 17, "controller-2"), lease: 202_000_001 }], more: false, count: 1 }] });
    expect(e.leadership()).toBe(0);
    seeLeader(true);
    env.clock.nowUs = 200_000;
    e.step(() => {});
    expect(env.sent).toHaveLength(0); // a leader is in sight: no campaign
    seeLeader(false);
    e.step(() => {});
    env.answer({ type: "txn", header: { revision: 22 }, succeeded: false, responses: [{ type: "range", header: { revision: 22 }, kvs: [{ ...kv(LEADER_KEY, 21, "controller-1"), lease: 201_000_001 }], more: false, count: 1 }] });
    expect(e.leadership()).toBe(21);
    expect(claims).toEqual([21]);
    env.clock.nowUs = 1_200_000;
    e.step(() => {});
    env.answer({ error: ERR_LEASE_NOT_FOUND });
    expect(e.leadership()).toBe(0);
    expect(e.stats).toMatchObject({ adopted: 1, lostLease: 1 });
  });
});

describe("the kubernetes workload in a run", () => {
  it("lists, watches, elects a leader and makes fenced and CAS writes, all in the history; its check passes", () => {
    const scenario = findBuiltin("kubernetes")!;
    scenario.durationMs = 5_000;
    scenario.faults = [];
    const r = runScenario({ seed: 3, scenario });
    const types = r.ops.byType;
    for (const t of ["k8s-list", "k8s-get", "k8s-update", "k8s-create", "k8s-campaign", "k8s-lease-grant", "k8s-lease-keepalive"]) expect(types[t] ?? 0, t).toBeGreaterThan(0);
    // Every controller request is in the history, fenced ones compare the leader key.
    const fenced = r.recorder.ops.filter((op) => op.input.type === "txn" && op.input.compare.some((c) => c.key === LEADER_KEY && c.createRevision! > 0) && op.opType !== "k8s-resign");
    expect(fenced.length).toBeGreaterThan(0);
    expect(fenced.every((op) => op.client >= 100 && op.client < 200)).toBe(true);
    expect(r.checks).toMatchObject({ linearizability: "pass", watch: "pass", kubernetes: "pass" });
    expect(r.violations).toEqual([]);
  });

  it("passes every check in the built-in scenario (leader crash and restart) on a few seeds", () => {
    for (const seed of [1, 2]) {
      const r = runScenario({ seed, scenario: findBuiltin("kubernetes")! });
      expect(r.violations, `seed ${seed}`).toEqual([]);
      expect(Object.values(r.checks).every((c) => c === "pass"), `seed ${seed}: ${JSON.stringify(r.checks)}`).toBe(true);
    }
  });

  it("catches progress notifications that overtake events (canary progress-notify-ahead) through the caches", () => {
    const caught: number[] = [];
    for (let seed = 1; seed <= 8 && caught.length === 0; seed++) {
      const r = runScenario({ seed, scenario: findBuiltin("kubernetes")!, bugs: new Set(["progress-notify-ahead"]) });
      if (r.checks.kubernetes === "fail") {
        caught.push(seed);
        expect(r.violations.find((v) => v.check === "kubernetes")!.message).toMatch(/cache at revision \d+ .*differs from the store/);
      }
    }
    expect(caught.length).toBe(1);
  });

  it("a controller whose LISTs all failed during the workload keeps listing after it, so the check still compares its cache", () => {
    const scenario = findBuiltin("kubernetes")!;
    scenario.durationMs = 2_000;
    // A member alone cannot serve a LIST (a linearizable read needs a quorum): with the
    // three members cut apart from the start, no request succeeds before the heal.
    scenario.faults = [{ atMs: 0, type: "partition", groups: [[1], [2], [3]] }];
    const r = runScenario({ seed: 1, scenario });
    const lists = r.recorder.ops.filter((op) => op.opType === "k8s-list");
    const endUs = scenario.durationMs * 1_000;
    expect(lists.some((op) => op.call < endUs)).toBe(true);
    expect(lists.filter((op) => op.status === "ok").every((op) => op.call >= endUs)).toBe(true);
    // After the heal every controller lists again, syncs, and its cache is checked.
    expect(lists.some((op) => op.status === "ok")).toBe(true);
    // "pass" needs a cache state compared with the store ("unknown" otherwise): here, only
    // states reached after the heal exist.
    expect(r.checks.kubernetes).toBe("pass");
    expect(r.violations).toEqual([]);
  });

  it("is deterministic", () => {
    const scenario = findBuiltin("kubernetes")!;
    scenario.durationMs = 2_000;
    scenario.checks = [];
    expect(runScenario({ seed: 7, scenario }).traceHash).toBe(runScenario({ seed: 7, scenario }).traceHash);
  });
});
