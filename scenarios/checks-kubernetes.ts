// The kubernetes workload's own check, against the store oracle (every event the replicas
// applied, by revision — see sim/etcd/oracle.ts):
// - leadership: every write a controller fenced with its leadership token committed while
//   the leader key had exactly that createRevision and that controller's identity; writes
//   of different leaderships never interleave (once a newer leadership has written, an
//   older one never writes again) and no leadership is claimed by two controllers;
// - caches: every state a controller's watch-fed cache reached at revision R equals the
//   store's registry prefix at revision R.
import type { StoreEvent } from "../checker/watch";
import type { KeyValue } from "../core/server/api";
import type { CheckOutcome } from "./checks";
import type { FencedWrite, KubernetesRecord, KubernetesStats } from "./workload/kubernetes";
import type { CacheSnapshot } from "./workload/kubernetes-informer";
import { controllerIdentity, keySpaceText, LEADER_KEY, REGISTRY_END, REGISTRY_PREFIX } from "./workload/kubernetes-objects";

const MESSAGES_MAX = 10;

export interface KubernetesCheckDetail {
  snapshotsChecked: number;
  snapshotsUnchecked: number;
  fencedWritesChecked: number;
  leaderships: number;
  /** The oracle holds every revision up to this one. */
  oracleCoveredRevision: number;
  stats?: KubernetesStats;
}

type Probe =
  | { kind: "snapshot"; revision: number; snapshot: CacheSnapshot }
  | { kind: "fenced"; revision: number; write: FencedWrite }
  | { kind: "claim"; revision: number; controller: number; token: number };

export function checkKubernetes(record: KubernetesRecord | undefined, storeEvents: readonly StoreEvent[]): CheckOutcome & { detail?: KubernetesCheckDetail } {
  if (!record) return { result: "skipped", messages: ["not a kubernetes workload"] };
  const messages: string[] = [];
  const byRevision = new Map<number, StoreEvent[]>();
  for (const e of storeEvents) {
    const list = byRevision.get(e.revision) ?? [];
    list.push(e);
    byRevision.set(e.revision, list);
  }
  // etcd starts at revision 1 with nothing in it; every later revision has events.
  let covered = 1;
  while (byRevision.has(covered + 1)) covered++;

  const fenced = committedFencedWrites(record.fencedWrites, storeEvents);
  messages.push(...interleavings(fenced));
  const claimants = new Map<number, number>();
  for (const c of record.claims) {
    const other = claimants.get(c.token);
    if (other !== undefined && other !== c.controller) messages.push(`controllers ${other} and ${c.controller} both claimed the leadership with createRevision ${c.token}`);
    claimants.set(c.token, c.controller);
  }

  const probes: Probe[] = [
    ...record.snapshots.map((snapshot): Probe => ({ kind: "snapshot", revision: snapshot.revision, snapshot })),
    // A fenced txn's compare saw the store as of the revision before its own.
    ...fenced.map((write): Probe => ({ kind: "fenced", revision: write.revision! - 1, write })),
    ...[...claimants].map(([token, controller]): Probe => ({ kind: "claim", revision: token, controller, token })),
  ].sort((a, b) => a.revision - b.revision);

  const state = new Map<string, KeyValue>();
  let stateRevision = 1;
  let stateText: string | undefined;
  const detail: KubernetesCheckDetail = { snapshotsChecked: 0, snapshotsUnchecked: 0, fencedWritesChecked: 0, leaderships: claimants.size, oracleCoveredRevision: covered, stats: record.stats() };
  for (const probe of probes) {
    if (probe.revision > covered || probe.revision < 1) {
      if (probe.kind === "snapshot") detail.snapshotsUnchecked++;
      continue;
    }
    while (stateRevision < probe.revision) {
      stateRevision++;
      for (const e of byRevision.get(stateRevision)!) {
        if (e.kv.key < REGISTRY_PREFIX || e.kv.key >= REGISTRY_END) continue;
        if (e.type === "PUT") state.set(e.kv.key, e.kv);
        else state.delete(e.kv.key);
      }
      stateText = undefined;
    }
    const leader = state.get(LEADER_KEY);
    const leaderText = leader ? `createRevision ${leader.createRevision} held by ${leader.value}` : "absent";
    if (probe.kind === "snapshot") {
      detail.snapshotsChecked++;
      stateText ??= keySpaceText(state.values());
      if (stateText !== probe.snapshot.text) messages.push(`controller ${probe.snapshot.controller}'s cache at revision ${probe.revision} (at ${Math.round(probe.snapshot.atUs / 1_000)} ms) differs from the store: ${difference(probe.snapshot.text, stateText)}`);
    } else if (probe.kind === "fenced") {
      detail.fencedWritesChecked++;
      const w = probe.write;
      if (!leader || leader.createRevision !== w.token || leader.value !== controllerIdentity(w.controller)) {
        messages.push(`controller ${w.controller}'s ${w.action} of ${w.key} (op ${w.opId}) fenced by leadership ${w.token} committed at revision ${w.revision}, but the leader key was ${leaderText}`);
      }
    } else if (!leader || leader.createRevision !== probe.token || leader.value !== controllerIdentity(probe.controller)) {
      messages.push(`controller ${probe.controller} claimed the leadership with createRevision ${probe.token}, but at that revision the leader key was ${leaderText}`);
    }
  }
  if (messages.length > 0) return { result: "fail", messages: messages.slice(0, MESSAGES_MAX), detail };
  if (record.snapshots.length === 0) return { result: "unknown", messages: ["no controller's cache was ever synced (no LIST succeeded during the workload)"], detail };
  if (detail.snapshotsChecked === 0) return { result: "unknown", messages: [`no controller cache state could be compared (the oracle covers revisions up to ${covered} only)`], detail };
  return { result: "pass", messages: [], detail };
}

/**
 * Fenced writes that took effect, with their revisions: those acknowledged as committed,
 * and puts whose outcome is unknown but whose (unique) value the store applied.
 */
function committedFencedWrites(writes: readonly FencedWrite[], storeEvents: readonly StoreEvent[]): FencedWrite[] {
  const putAt = new Map<string, number>();
  for (const e of storeEvents) if (e.type === "PUT") putAt.set(`${e.kv.key}\n${e.kv.value}`, e.revision);
  const out: FencedWrite[] = [];
  for (const w of writes) {
    if (w.outcome === "committed" && w.revision !== undefined) out.push(w);
    else if ((w.outcome === "unknown" || w.outcome === "pending") && w.value !== undefined) {
      const revision = putAt.get(`${w.key}\n${w.value}`);
      if (revision !== undefined) out.push({ ...w, outcome: "committed", revision });
    }
  }
  return out.sort((a, b) => a.revision! - b.revision!);
}

/** In revision order, each leadership writes in one stretch, by one controller. */
function interleavings(fenced: readonly FencedWrite[]): string[] {
  const messages: string[] = [];
  const owner = new Map<number, FencedWrite>();
  const over = new Map<number, FencedWrite>(); // token → the write of the next leadership that ended it
  let current: FencedWrite | undefined;
  for (const w of fenced) {
    const first = owner.get(w.token);
    if (first && first.controller !== w.controller) messages.push(`leadership ${w.token} wrote for two controllers: ${first.controller} (op ${first.opId}) and ${w.controller} (op ${w.opId})`);
    if (!first) owner.set(w.token, w);
    const ended = over.get(w.token);
    if (ended) messages.push(`two leaders at once: controller ${w.controller}'s write under leadership ${w.token} (op ${w.opId}, revision ${w.revision}) came after controller ${ended.controller}'s under leadership ${ended.token} (op ${ended.opId}, revision ${ended.revision})`);
    if (current && current.token !== w.token && !over.has(current.token)) over.set(current.token, w);
    current = w;
  }
  return messages;
}

/** A short description of how two key-space texts differ. */
function difference(cacheText: string, storeText: string): string {
  const cache = new Set(cacheText ? cacheText.split("\n") : []);
  const store = new Set(storeText ? storeText.split("\n") : []);
  const onlyCache = [...cache].filter((l) => !store.has(l)).slice(0, 2);
  const onlyStore = [...store].filter((l) => !cache.has(l)).slice(0, 2);
  return `cache has [${onlyCache.join("; ")}], store has [${onlyStore.join("; ")}]`;
}
