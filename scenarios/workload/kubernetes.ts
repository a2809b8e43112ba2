// The kubernetes workload: controllers working on objects under /registry/<kind>/<ns>/<name>
// the way kube-apiserver uses etcd. Each controller has an informer (LIST then WATCH, a
// watch-fed cache; see kubernetes-informer.ts), an elector (leader election on a lease;
// see kubernetes-election.ts) and a worker that acts on its cache: reads, updates guarded
// by a modRevision compare in a txn (optimistic concurrency: on conflict it re-reads from
// the txn's failure branch and retries), and — only while it believes it leads — creates
// and deletes, every write of a leader fenced by a compare on the leader key's
// createRevision. All requests are recorded in the history, like the kv workload's.
// Some reads are consistent lists served from the watch cache, as kube-apiserver serves them
// (KEP-2340): read the current revision from etcd, wait until the cache has caught up with it
// (asking for progress notifications meanwhile), then answer from the cache. Each is recorded
// as a read of the whole registry spanning both steps, so a cache that claims a revision
// before it holds every event up to it is a linearizability failure a client would see.
import { worldClientTransport } from "../../sim/client_transport";
import { ClientSession, type Outcome } from "../../core/client/session";
import { MSG_CLIENT_RESPONSE, MSG_WATCH_CANCEL, MSG_WATCH_CREATE, MSG_WATCH_PROGRESS, MSG_WATCH_RESPONSE, type ClientResponseMsg } from "../../core/client/protocol";
import { compareKeys } from "../../core/mvcc/keys";
import type { Compare, EtcdRequest, TxnOp } from "../../core/server/api";
import type { WatchStreamMsg } from "../../sim/etcd/node";
import type { Rng } from "../../sim/rng";
import type { World } from "../../sim/world";
import type { KubernetesSpec, Scenario } from "../types";
import type { HistoryRecorder, RecordedOp } from "./history";
import { CLIENT_ID_BASE, type WorkloadHandle } from "./kv";
import { Elector, type ElectorStats, type LeadershipClaim, rangeKv } from "./kubernetes-election";
import { type CacheSnapshot, Informer, type InformerStats } from "./kubernetes-informer";
import { kubernetesSpec, LEADER_KEY, objectKeys, okResponse, REGISTRY_END, REGISTRY_PREFIX } from "./kubernetes-objects";

/** Electors use their own client sessions (a lease is renewed while the worker is busy): ids CLIENT_ID_BASE + this + controller. */
export const ELECTOR_ID_OFFSET = 100;
/** Lease ids of elector `id`: id × this + a sequence number. */
const LEASE_ID_STRIDE = 1_000_000;
/** Consistent lists from the cache are recorded under client ids CLIENT_ID_BASE + this + controller. */
export const CACHE_LIST_ID_OFFSET = 200;
/** Of a controller's reads, this share are consistent lists from its cache. */
const CACHE_LIST_CHANCE = 0.5;
/** kube-apiserver waits this long for its cache to catch up, then gives up (it would fall back to etcd). */
const CACHE_WAIT_US_MAX = 3_000_000;
/** While waiting, a progress request this often. */
const CACHE_PROGRESS_INTERVAL_US = 100_000;
/** Optimistic-concurrency retries after a conflict, per action. */
const CONFLICT_RETRIES_MAX = 2;
const WATCHDOG_INTERVAL_US = 500_000;

/** A write made under a leadership (fenced by the leader key's createRevision == token). */
export interface FencedWrite {
  controller: number;
  token: number;
  opId: number;
  action: "create" | "update" | "delete";
  key: string;
  /** The value a create/update puts (unique per write), to find an unknown-outcome write in the store. */
  value?: string;
  outcome: "pending" | "committed" | "rejected" | "failed" | "unknown";
  /** The revision it committed at, when known from its response. */
  revision?: number;
}

export interface KubernetesRecord {
  controllers: number;
  snapshots: CacheSnapshot[];
  fencedWrites: FencedWrite[];
  claims: LeadershipClaim[];
  stats(): KubernetesStats;
}

export type KubernetesStats = InformerStats & ElectorStats & { conflicts: number; retries: number; fencedCommitted: number; fencedRejected: number };

type Action = keyof KubernetesSpec["mix"];

export function startKubernetesWorkload(world: World, scenario: Scenario, members: () => number[], recorder: HistoryRecorder): WorkloadHandle & { record: KubernetesRecord } {
  const workload = scenario.workload;
  const spec = kubernetesSpec(workload);
  const keys = objectKeys(spec, workload.keys);
  const weights = (Object.entries(spec.mix) as [Action, number][]).filter(([, w]) => w > 0);
  const totalWeight = weights.reduce((a, [, w]) => a + w, 0);
  const meanGapUs = workload.ratePerSec > 0 ? (1e6 * workload.clients) / workload.ratePerSec : 0;
  // Progress notifications come every 5 ticks; a stream silent for 4 of those is dead.
  const watchSilenceUs = Math.max(2_000_000, 20 * scenario.cluster.tickMs * 1_000);
  const record: KubernetesRecord = { controllers: workload.clients, snapshots: [], fencedWrites: [], claims: [], stats: () => stats() };
  const sessions: ClientSession[] = [];
  const informers: Informer[] = [];
  const electors: Elector[] = [];
  const extra = { conflicts: 0, retries: 0 };
  let stopped = false;

  const session = (clientId: number, rng: Rng, onWatch?: (m: WatchStreamMsg) => void): ClientSession => {
    const s = new ClientSession(clientId, members(), worldClientTransport(world, clientId), workload.requestTimeoutMs * 1_000, rng);
    world.network.register(clientId, (from, msgType, payload) => {
      if (msgType === MSG_CLIENT_RESPONSE) s.onResponse(from, payload as ClientResponseMsg);
      else if (msgType === MSG_WATCH_RESPONSE && onWatch) onWatch(payload as WatchStreamMsg);
    });
    sessions.push(s);
    return s;
  };
  const issuer = (s: ClientSession) => (request: EtcdRequest, opType: string, done: (outcome: Outcome) => void): RecordedOp => {
    s.setMembers(members());
    const op = recorder.invoke(s.clientId, opType, request, s.member);
    s.request(request, (outcome) => {
      recorder.complete(op, outcome.status, outcome.status === "unknown" ? null : outcome.response);
      done(outcome);
    });
    return op;
  };

  for (let c = 0; c < workload.clients; c++) {
    const workId = CLIENT_ID_BASE + c;
    const electorId = CLIENT_ID_BASE + ELECTOR_ID_OFFSET + c;
    const rng = world.streams.stream(`k8s-controller${c}`);
    let informer!: Informer;
    const work = session(workId, world.streams.stream(`client${workId}`), (m) => informer.onWatchMessage(m));
    const electorSession = session(electorId, world.streams.stream(`client${electorId}`));
    const issue = issuer(work);
    informer = new Informer({
      controller: c,
      clientId: workId,
      nowUs: () => world.nowUs,
      members,
      sendWatchCreate: (member, msg) => world.network.send(workId, member, MSG_WATCH_CREATE, msg, { bytes: 64, stream: true }),
      sendWatchProgress: (member, msg) => world.network.send(workId, member, MSG_WATCH_PROGRESS, msg, { bytes: 32, stream: true }),
      note: (text) => world.record({ tUs: world.nowUs, type: "note", text }),
      sendWatchCancel: (member, msg) => world.network.send(workId, member, MSG_WATCH_CANCEL, msg, { bytes: 32, stream: true }),
      issue,
      snapshot: (s) => record.snapshots.push(s),
      pageSize: spec.listPageSize,
      watchSilenceUs,
    });
    const elector = new Elector({
      controller: c,
      leaseIdBase: electorId * LEASE_ID_STRIDE,
      leaseTtlSeconds: spec.leaseTtlSeconds,
      nowUs: () => world.nowUs,
      issue: issuer(electorSession),
      claim: (cl) => record.claims.push(cl),
      rand: rng,
      // Like etcd's election, wait on the leader key (seen through the cache) rather than campaign blindly.
      leaderSeen: () => informer.synced && informer.cache.has(LEADER_KEY),
    });
    informers.push(informer);
    electors.push(elector);

    let seq = 0;
    const value = () => {
      const v = `controller-${c}/${++seq}`;
      return v.length >= workload.valueBytes ? v : v + ".".repeat(workload.valueBytes - v.length);
    };

    /** A txn on `key` guarded by `keyCompare` and, under a leadership, fenced by the leader key's createRevision. */
    const write = (action: FencedWrite["action"], key: string, keyCompare: Compare, op: TxnOp, attempt: number, done: () => void): void => {
      const token = elector.leadership();
      if (action !== "update" && token === 0) return done(); // only a leader creates and deletes
      const fence: Compare[] = token !== 0 ? [{ key: LEADER_KEY, target: "CREATE", result: "EQUAL", createRevision: token }] : [];
      const request: EtcdRequest = {
        type: "txn",
        compare: [keyCompare, ...fence],
        success: [op],
        failure: [{ type: "range", key }, ...(token !== 0 ? [{ type: "range" as const, key: LEADER_KEY }] : [])],
      };
      const fenced: FencedWrite | undefined = token !== 0 ? { controller: c, token, opId: -1, action, key, ...(op.type === "put" ? { value: op.value } : {}), outcome: "pending" } : undefined;
      const recorded = issue(request, `k8s-${action}`, (outcome) => {
        const r = okResponse(outcome, "txn");
        if (!r) {
          if (fenced) fenced.outcome = outcome.status === "unknown" ? "unknown" : "failed";
          return done();
        }
        if (r.succeeded) {
          if (fenced) Object.assign(fenced, { outcome: "committed", revision: r.header.revision });
          return done();
        }
        if (fenced) fenced.outcome = "rejected";
        if (token !== 0) {
          const leader = rangeKv(r.responses[1]);
          if (!leader || leader.createRevision !== token) {
            elector.deposed(token);
            return done();
          }
        }
        // A conflict on the object: re-read it (the failure branch did) and try again.
        extra.conflicts++;
        const current = rangeKv(r.responses[0]);
        if (attempt >= CONFLICT_RETRIES_MAX || !current || action === "create") return done();
        extra.retries++;
        const again: Compare = { key, target: "MOD", result: "EQUAL", modRevision: current.modRevision };
        write(action, key, again, action === "update" ? { type: "put", key, value: value() } : op, attempt + 1, done);
      });
      if (fenced) {
        fenced.opId = recorded.id;
        record.fencedWrites.push(fenced);
      }
    };

    // Its own stream: the controller's other draws stay what they were.
    const cacheListRng = world.streams.stream(`k8s-cache-list${c}`);
    const listClient = CLIENT_ID_BASE + CACHE_LIST_ID_OFFSET + c;
    const registry: EtcdRequest = { type: "range", key: REGISTRY_PREFIX, rangeEnd: REGISTRY_END };

    /** A consistent LIST served from the watch cache (see the header). */
    const listFromCache = (done: () => void): void => {
      const op = recorder.invoke(listClient, "k8s-list-cache", registry, work.member);
      const fail = (why: string) => {
        recorder.complete(op, "fail", { error: why });
        done();
      };
      issue({ ...registry, countOnly: true }, "k8s-rv", (outcome) => {
        const r = okResponse(outcome, "range");
        if (!r) return fail("k8s: reading the current revision failed");
        const wanted = r.header.revision;
        const deadlineUs = world.nowUs + CACHE_WAIT_US_MAX;
        const check = () => {
          if (!informer.synced) return fail("k8s: the cache is relisting");
          if (informer.revision >= wanted) {
            const kvs = [...informer.cache.values()].sort((a, b) => compareKeys(a.key, b.key));
            recorder.complete(op, "ok", { type: "range", header: { revision: informer.revision }, kvs, more: false, count: kvs.length });
            return done();
          }
          if (world.nowUs >= deadlineUs) return fail("k8s: too large resource version (the cache did not catch up)");
          informer.requestProgress();
          world.scheduler.after(CACHE_PROGRESS_INTERVAL_US, check);
        };
        check();
      });
    };

    const act = (done: () => void): void => {
      let action = pick(weights, totalWeight, rng);
      const leading = elector.leadership() !== 0;
      const cached = keys.filter((k) => informer.cache.has(k));
      const absent = keys.filter((k) => !informer.cache.has(k));
      if ((action === "create" || action === "delete" || action === "compact") && !leading) action = "update";
      if (action === "create" && absent.length === 0) action = "update";
      if ((action === "update" || action === "delete") && cached.length === 0) action = leading ? "create" : "get";
      switch (action) {
        case "get":
          if (cacheListRng.chance(CACHE_LIST_CHANCE)) return listFromCache(done);
          return void issue({ type: "range", key: rng.pick(keys) }, "k8s-get", () => done());
        case "compact": {
          // The apiserver compacts periodically; here the leader does, some revisions behind its cache.
          const revision = informer.revision - 20;
          if (revision < 2) return done();
          return void issue({ type: "compact", revision }, "k8s-compact", () => done());
        }
        case "create": {
          const key = rng.pick(absent);
          return write("create", key, { key, target: "CREATE", result: "EQUAL", createRevision: 0 }, { type: "put", key, value: value() }, 0, done);
        }
        case "update":
        case "delete": {
          const key = rng.pick(cached);
          const guard: Compare = { key, target: "MOD", result: "EQUAL", modRevision: informer.cache.get(key)!.modRevision };
          return write(action, key, guard, action === "update" ? { type: "put", key, value: value() } : { type: "deleteRange", key }, 0, done);
        }
      }
    };

    const gap = () => (meanGapUs > 0 ? Math.round(rng.exponential(meanGapUs)) : 1_000);
    const workNext = () => {
      // Once the workload stops, a controller writes nothing more, but one whose cache never
      // synced (its LISTs failed through the faults) keeps listing, as a real informer would:
      // the state it then reaches is what the kubernetes check compares with the store.
      if (work.busy || (stopped && informer.synced)) return;
      const schedule = () => world.scheduler.after(gap(), workNext);
      if (!informer.synced) informer.listStep(schedule);
      else act(schedule);
    };
    const electNext = () => {
      if (stopped || electorSession.busy) return;
      elector.step(() => world.scheduler.after(Math.round(rng.uniform(150_000, 450_000)), electNext));
    };
    const watchdog = () => {
      informer.checkWatch();
      world.scheduler.after(WATCHDOG_INTERVAL_US, watchdog);
    };
    world.scheduler.after(gap(), workNext);
    world.scheduler.after(Math.round(rng.uniform(0, 300_000)), electNext);
    world.scheduler.after(WATCHDOG_INTERVAL_US, watchdog);
  }

  function stats(): KubernetesStats {
    const sum = <T extends object>(list: T[]): T => {
      const out = {} as Record<string, number>;
      for (const item of list) for (const [k, v] of Object.entries(item)) out[k] = (out[k] ?? 0) + (v as number);
      return out as T;
    };
    return {
      ...sum(informers.map((i) => i.stats)),
      ...sum(electors.map((e) => e.stats)),
      ...extra,
      fencedCommitted: record.fencedWrites.filter((w) => w.outcome === "committed").length,
      fencedRejected: record.fencedWrites.filter((w) => w.outcome === "rejected").length,
    };
  }
  return { sessions, record, stop: () => void (stopped = true) };
}

function pick(weights: [Action, number][], total: number, rng: Rng): Action {
  let x = rng.uniform(0, total);
  for (const [a, w] of weights) {
    if (x < w) return a;
    x -= w;
  }
  return weights[weights.length - 1]![0];
}
