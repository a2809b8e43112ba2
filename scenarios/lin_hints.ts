// Hints for the linearizability checker (checker/witness.ts): where the store says each
// operation took effect. They only propose an order, which the checker verifies; a wrong or
// missing hint costs a search, never a verdict. So they may come from the store itself.
//
// An answered request: the revision its response header carries (a write's own revision,
// the revision a read saw).
//
// A request that timed out, from the harness's record of every applied event and compaction
// (sim/etcd/oracle.ts), and of when each revision's entry was proposed:
// - a put (or a txn's put): the one revision holding its key, value and lease that no
//   answered or earlier open write took (an ignoreValue put: one that rewrote the value the
//   key had; an ignoreLease put: any lease), or the first of several when proposal times
//   tell that a later-called put could have made only a later one;
// - a one-key delete: the first unclaimed deletion of that key after all it could have
//   seen, the latest-called delete first;
// - a range delete: the first later revision that deleted every key of its range and
//   nothing else;
// - a lease revoke: the revision that deleted exactly the lease's keys, unless a later
//   answer showed the lease alive; one that deleted nothing goes with the first answer
//   called after it that showed the lease gone, or with the revision before a revoke,
//   keepalive or put that found the lease gone (at the last revision an answer showed the
//   lease alive at, when that is later), and not before the record shows its
//   lease's last key gone (unless a revoke answered with success had removed it by then);
// - a compaction: where it applied (of several open ones to one revision, the latest
//   called before it applied);
// - a lease grant: with the first operation that used the lease or showed it alive (one
//   whose ID the server was to pick: the first answer showing a lease no grant names);
// - a txn's delete: only where its compares, judged on the record, take the branch that
//   deletes;
// - `null` (did not take effect): a write or compaction whose effect is nowhere in the
//   record (a txn whose success write is nowhere but whose failure branch deletes a key is
//   placed as that delete would be).
// Every open request applies after every revision an answer returned before its call shows
// (including a put that keeps its key's value or lease answered "key not found": it ran
// where the record has the key absent), and made no revision whose entry was proposed
// before its call.
// Without these, each open request doubles what the search may have to try.
import { type HistoryFileV1, historyToJson, type Operation } from "../checker/history";
import type { StoreEvent } from "../checker/watch";
import { type EtcdState, etcdRespond, etcdStateOf, inRange, isDefiniteError } from "../checker/models/etcd";
import { ERR_KEY_NOT_FOUND, ERR_LEASE_NOT_FOUND, type EtcdRequest, type EtcdResponse, type KeyValue } from "../core/server/api";
import type { HistoryRecorder } from "./workload/history";

type Op = Operation<EtcdRequest, EtcdResponse>;

/** The revision an answered request's response reports, if any. */
function headerRevision(output: EtcdResponse | null): number | undefined {
  const header = output && typeof output === "object" && "header" in output ? (output as { header?: { revision?: unknown } }).header : undefined;
  return typeof header?.revision === "number" ? header.revision : undefined;
}

/**
 * A put as the record will show it: its key, and its value and lease unless it keeps the
 * key's own (`ignoreValue` writes the value the key had; `ignoreLease` keeps its lease).
 */
type PutWrite = { key: string; value: string | undefined; lease: number | undefined };

/** The first write an operation would make: a put or a one-key delete, or a txn's first in its success branch. */
function writeOf(input: EtcdRequest): { put: PutWrite } | { deleteKey: string } | undefined {
  const put = (p: { key: string; value: string; lease?: number; ignoreValue?: boolean; ignoreLease?: boolean }): { put: PutWrite } => ({
    put: { key: p.key, value: p.ignoreValue ? undefined : p.value, lease: p.ignoreLease ? undefined : (p.lease ?? 0) },
  });
  if (input.type === "put") return put(input);
  if (input.type === "deleteRange") return input.rangeEnd === undefined ? { deleteKey: input.key } : undefined;
  if (input.type === "txn") {
    const write = input.success.find((o) => o.type === "put" || o.type === "deleteRange");
    if (write?.type === "put") return put(write);
    if (write?.type === "deleteRange" && write.rangeEnd === undefined) return { deleteKey: write.key };
  }
  return undefined;
}

/** Whether a txn's failure branch writes (so a txn whose success write is nowhere may still have applied). */
function failureWrites(input: EtcdRequest): boolean {
  return input.type === "txn" && input.failure.some((o) => o.type !== "range");
}

/** The key of a txn's failure branch's first write, when that is a one-key delete. */
function failureDeleteKey(input: EtcdRequest): string | undefined {
  if (input.type !== "txn") return undefined;
  const write = input.failure.find((o) => o.type !== "range");
  return write?.type === "deleteRange" && write.rangeEnd === undefined ? write.key : undefined;
}

/** Whether an answered request made a revision of its own (so no open request made that one). */
function madeRevision(input: EtcdRequest, output: EtcdResponse | null, hint: number, leasesDeletedAt: ReadonlyMap<number, ReadonlySet<number>>, notRevokeAt: ReadonlySet<number>, shownBeforeCall: number, proposedAfterCall: boolean): boolean {
  const o = output as Record<string, unknown> | null;
  if (input.type === "put") return true;
  // A revoke that deleted keys made its revision, which deleted that lease's keys and nothing
  // else; one that deleted none reports the current one (made, say, by a range delete that
  // took the lease's keys with others just before, or by a delete of its last key). Nor did
  // it make a revision an answer had shown before it was called, or one whose entry was
  // proposed before it was called (seed 164 with 6 members at 12 rounds, run 21775: a delete
  // of a lease's one key, proposed 0.7 s before the lessor's revoke of that lease was called).
  if (input.type === "leaseRevoke") {
    const leases = leasesDeletedAt.get(hint);
    return leases !== undefined && leases.size === 1 && leases.has(input.ID) && !notRevokeAt.has(hint) && shownBeforeCall < hint && proposedAfterCall;
  }
  if (input.type === "deleteRange") return typeof o?.deleted === "number" && o.deleted > 0;
  if (input.type === "txn") return txnWrote(input, o);
  return false;
}

/** The highest revision shown by an answer returned before time `t` (0 if none), for any `t`. */
function revisionShownBefore(ops: readonly Op[]): (t: number) => number {
  const answered = ops.filter((op) => op.return !== Infinity && typeof op.hint === "number").sort((a, b) => a.return - b.return);
  const returns = answered.map((op) => op.return);
  const highest: number[] = [];
  for (const op of answered) highest.push(Math.max(highest[highest.length - 1] ?? 0, op.hint as number));
  return (t) => {
    // The last answer with return < t, by binary search.
    let lo = 0;
    let hi = returns.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (returns[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : highest[lo - 1]!;
  };
}

/** Whether an answered txn changed anything: a put in the branch it took, or a delete that deleted (nested txns too). */
function txnWrote(input: EtcdRequest & { type: "txn" }, output: Record<string, unknown> | null): boolean {
  const branch = output?.succeeded === true ? input.success : output?.succeeded === false ? input.failure : [];
  const responses = (output?.responses ?? []) as (Record<string, unknown> | undefined)[];
  return branch.some((op, j) => {
    if (op.type === "put") return true;
    if (op.type === "deleteRange") return typeof responses[j]?.deleted === "number" && (responses[j]!.deleted as number) > 0;
    if (op.type === "txn") return txnWrote({ ...op, type: "txn" }, responses[j] ?? null);
    return false;
  });
}

/** A compaction the harness saw applied: to `revision`, with the store at `atRevision`, first at true time `atUs` (when known). */
export interface CompactionRecord {
  revision: number;
  atRevision: number;
  atUs?: number;
}

/**
 * `proposedAtUs`: revision → when the entry that made it was proposed (true time; the harness
 * saw it appended by a leader). A request reaches the leader over the network, so it made no
 * revision proposed before it was called; the record alone cannot tell that (seed 139 at 12
 * rounds, 2 members, run 1664: a delete of k2 called after a partition healed took a deletion
 * of k2 that an isolated leader had proposed a second earlier for a range delete).
 */
export function withStoreHints(ops: readonly Op[], store: readonly StoreEvent[], compactions: readonly CompactionRecord[] = [], proposedAtUs: ReadonlyMap<number, number> = new Map()): Op[] {
  /**
   * Whether a request called at `callUs` may have made `revision`: not if its entry was
   * proposed before. (At the same instant, yes: the lessor's expiry revoke is recorded as
   * called as its leader proposes it.)
   */
  const proposedAfter = (revision: number, callUs: number): boolean => (proposedAtUs.get(revision) ?? Infinity) >= callUs;
  const out = ops.map((op) => {
    const hint = op.return === Infinity ? undefined : headerRevision(op.output);
    return hint === undefined ? op : { ...op, hint };
  });
  // Revisions answered writes claim: an open request cannot have made them.
  const claimed = new Set<number>();
  const byRevision = [...store].sort((a, b) => a.revision - b.revision);
  // Which leases' keys each revision deleted (a key's lease is that of its last put).
  const leaseOfKey = new Map<string, number>();
  const leasesDeletedAt = new Map<number, Set<number>>();
  /** Revisions no revoke made: they put a key, or deleted one that had no lease. */
  const notRevokeAt = new Set<number>();
  /** The last revision at which each lease lost a key (deleted, or put again under another lease). */
  const keysGoneAt = new Map<number, number>();
  for (const e of byRevision) {
    const leaseBefore = leaseOfKey.get(e.kv.key) ?? 0;
    if (leaseBefore !== 0 && (e.type === "DELETE" || (e.kv.lease ?? 0) !== leaseBefore)) keysGoneAt.set(leaseBefore, e.revision);
    if (e.type === "PUT") {
      leaseOfKey.set(e.kv.key, e.kv.lease ?? 0);
      notRevokeAt.add(e.revision);
    } else {
      const lease = leaseOfKey.get(e.kv.key) ?? 0;
      if (lease === 0) notRevokeAt.add(e.revision);
      if (lease !== 0) {
        const set = leasesDeletedAt.get(e.revision) ?? new Set<number>();
        set.add(lease);
        leasesDeletedAt.set(e.revision, set);
      }
      leaseOfKey.delete(e.kv.key);
    }
  }
  const shownBefore = revisionShownBefore(out);
  for (const op of out) if (typeof op.hint === "number" && madeRevision(op.input, op.output, op.hint, leasesDeletedAt, notRevokeAt, shownBefore(op.call), proposedAfter(op.hint, op.call))) claimed.add(op.hint);
  // The latest revision at which an answer showed each lease alive: a revoke was not before it.
  const aliveAt = new Map<number, number>();
  for (const op of out) {
    if (typeof op.hint !== "number") continue;
    for (const id of leasesShownAlive(op.input, op.output)) aliveAt.set(id, Math.max(aliveAt.get(id) ?? 0, op.hint));
  }
  // Nor before a revision the record shows putting a key under it (seed 129 with 2 members at
  // 12 rounds, run 2221: an open revoke went where an earlier deletion of the lease's one key
  // was, though a later put used the lease; the checker then could not place that put).
  for (const e of byRevision) {
    const lease = e.type === "PUT" ? (e.kv.lease ?? 0) : 0;
    if (lease !== 0) aliveAt.set(lease, Math.max(aliveAt.get(lease) ?? 0, e.revision));
  }
  // Every put in the record, with the value its key held just before (for ignoreValue puts).
  const puts: { revision: number; key: string; value: string; lease: number; valueBefore: string | undefined }[] = [];
  const valueOf = new Map<string, string>();
  for (const e of byRevision) {
    if (e.type === "PUT") {
      puts.push({ revision: e.revision, key: e.kv.key, value: e.kv.value, lease: e.kv.lease ?? 0, valueBefore: valueOf.get(e.kv.key) });
      valueOf.set(e.kv.key, e.kv.value);
    } else valueOf.delete(e.kv.key);
  }
  const putsOfKey = new Map<string, typeof puts>();
  for (const p of puts) {
    const list = putsOfKey.get(p.key);
    if (list) list.push(p);
    else putsOfKey.set(p.key, [p]);
  }
  /** Revisions whose put matches `w` (an ignoreValue put rewrote the value the key had). */
  const putAt = (w: PutWrite): number[] =>
    (putsOfKey.get(w.key) ?? []).filter((p) => (w.value === undefined ? p.value === p.valueBefore : p.value === w.value) && (w.lease === undefined || p.lease === w.lease)).map((p) => p.revision);
  /** Revisions where a put rewrote the value its key already had (an ignoreValue put, or a repeat). */
  const rewrites = new Set(puts.filter((p) => p.value === p.valueBefore).map((p) => p.revision));
  // Revisions that only deleted, with the keys they deleted (for open range deletes).
  const putRevisions = new Set(puts.map((p) => p.revision));
  const deletedAt = new Map<number, string[]>();
  for (const e of store) {
    if (e.type !== "DELETE" || putRevisions.has(e.revision)) continue;
    const keys = deletedAt.get(e.revision);
    if (keys) keys.push(e.kv.key);
    else deletedAt.set(e.revision, [e.kv.key]);
  }
  const deletesOf = new Map<string, number[]>();
  for (const e of store) {
    if (e.type === "PUT") continue;
    if (!claimed.has(e.revision)) {
      const list = deletesOf.get(e.kv.key);
      if (list && list.at(-1) === e.revision) continue;
      if (list) list.push(e.revision);
      else deletesOf.set(e.kv.key, [e.revision]);
    }
  }
  const recordState = recordStates(byRevision);
  /** Whether `revision` only deleted, and deleted exactly the keys the record held under lease `id`. */
  const deletesExactlyLease = (revision: number, id: number): boolean => {
    const keys = deletedAt.get(revision);
    if (keys === undefined) return false;
    const before = recordState(revision - 1).kvs;
    let held = 0;
    for (const kv of before.values()) if (kv.lease === id) held++;
    return held === keys.length && keys.every((k) => before.get(k)?.lease === id);
  };
  const compactedByAnswered = new Set(out.filter((op) => typeof op.hint === "number" && op.input.type === "compact").map((op) => (op.input as { revision: number }).revision));
  // Several open compactions to one revision (a client retrying): one of them made it, the
  // latest called before it applied (a retry is the likelier to have got through); the
  // others found it done and changed nothing.
  const compactionMaker = new Map<number, number>();
  for (const c of compactions) {
    if (compactedByAnswered.has(c.revision)) continue;
    let maker: Op | undefined;
    for (const op of out) {
      if (op.hint !== undefined || op.input.type !== "compact" || op.input.revision !== c.revision || isDefiniteError(op.output)) continue;
      if (c.atUs !== undefined && op.call > c.atUs) continue;
      if (!maker || op.call > maker.call || (op.call === maker.call && op.id > maker.id)) maker = op;
    }
    if (maker) compactionMaker.set(c.revision, maker.id);
  }
  // Unanswered requests, and those answered with an error (a timeout may still apply; a
  // definite error leaves no value in the store to find).
  const open = out.map((op, i) => ({ op, i })).filter(({ op }) => op.hint === undefined).sort((a, b) => a.op.call - b.op.call || a.op.id - b.op.id);
  // A request applies after its call: after every revision a request answered before it saw,
  // and every revision an error answered before it shows it ran at.
  const answered = [
    ...out.filter((op): op is Op & { hint: number } => typeof op.hint === "number").map((op) => ({ return: op.return, hint: op.hint })),
    ...errorRevisions(out, shownBefore, recordState, byRevision.at(-1)?.revision ?? 0),
  ].sort((a, b) => a.return - b.return);
  let seen = 0;
  let revisionSeenMax = 0;
  /** Revisions already given to an open write: revision → the index (in `out`) of the one that made it. */
  const takenByOpen = new Map<number, number>();
  /** Open deletes, with the highest revision seen before each was called. */
  const deletes: { i: number; key: string; after: number; failureBranch: boolean }[] = [];
  /** Open range deletes, likewise. */
  const rangeDeletes: { i: number; key: string; rangeEnd: string; after: number }[] = [];
  for (const { op, i } of open) {
    while (seen < answered.length && answered[seen]!.return < op.call) revisionSeenMax = Math.max(revisionSeenMax, answered[seen++]!.hint);
    // A definite error (key not found, say) did nothing: the checker places it where the
    // error is due; a value the record holds is someone else's (an ignoreValue put's
    // rewrite repeats a value).
    if (isDefiniteError(op.output)) continue;
    const write = writeOf(op.input);
    if (write && "put" in write) {
      const { put } = write;
      const at = putAt(put);
      // The kv workload's values are unique per write; the kubernetes workload's leader
      // election writes its name under one lease again and again. So of the revisions holding
      // the value, those an answered write made, another open one took, or that were seen
      // before this one was called are not its; if one is left, that is where it applied; if
      // none, it did not apply (or, a txn, took its failure branch, which changes nothing).
      let candidates = at.filter((r) => !claimed.has(r) && !takenByOpen.has(r) && r > revisionSeenMax && proposedAfter(r, op.call));
      if (candidates.length > 1) {
        // An ignoreValue put leaves the value it rewrote at a second revision: a put of its
        // own value is the one that did not rewrite, when that tells them apart; open
        // ignoreValue puts of one key take its rewrites in call order.
        const fresh = candidates.filter((r) => !rewrites.has(r));
        if (put.value === undefined) candidates = [Math.min(...candidates)];
        else if (fresh.length === 1) candidates = fresh;
      }
      // Still several (a leader election writes its name under one lease again and again):
      // the first. Entries that commit were proposed in index order, and a request called
      // later can have made only those proposed after its call, a later run of them, so the
      // first for each, in call order, leaves each later request what it could have made
      // (seed 144 with 2 members at 12 rounds, run 2153: two election puts, open, at 63 and 90).
      if (candidates.length > 1 && proposedAtUs.size > 0) candidates = [Math.min(...candidates)];
      if (candidates.length === 1) {
        out[i] = { ...op, hint: candidates[0]! };
        takenByOpen.set(candidates[0]!, i);
      } else if (candidates.length === 0) {
        // Not applied, or a txn that took its failure branch: where that branch deletes one
        // key, it goes where a deletion of that key shows it (below); where it writes
        // otherwise, no hint (a search).
        const fallback = failureDeleteKey(op.input);
        if (fallback !== undefined) deletes.push({ i, key: fallback, after: revisionSeenMax, failureBranch: true });
        else if (!failureWrites(op.input)) out[i] = { ...op, hint: null };
      }
      continue;
    }
    // A revoke of a lease that held keys deleted them all at one revision: the first later
    // one, not yet claimed, that deleted exactly the keys the record shows under the lease,
    // and not before an answer that showed the lease still alive (then a delete of those keys
    // made that revision, and the revoke never applied).
    // (One that held none made no revision; it stays optional, for the checker to put in.)
    if (op.input.type === "leaseRevoke") {
      const id = op.input.ID;
      for (const [revision, leases] of leasesDeletedAt) {
        if (revision <= revisionSeenMax || revision <= (aliveAt.get(id) ?? 0) || claimed.has(revision) || takenByOpen.has(revision) || !leases.has(id) || !proposedAfter(revision, op.call)) continue;
        if (!deletesExactlyLease(revision, id)) continue;
        out[i] = { ...op, hint: revision };
        takenByOpen.set(revision, i);
        break;
      }
      continue;
    }
    if (write && "deleteKey" in write) deletes.push({ i, key: write.deleteKey, after: revisionSeenMax, failureBranch: false });
    if (op.input.type === "deleteRange" && op.input.rangeEnd !== undefined) rangeDeletes.push({ i, key: op.input.key, rangeEnd: op.input.rangeEnd, after: revisionSeenMax });
    // A compaction changes no revision: it goes in where the record shows it applied, or
    // nowhere if it never did (it failed, or never reached the log).
    // (A compaction an answered request made is not this one's: this one then failed, or
    // compacted nothing more.)
    if (op.input.type === "compact") {
      const revision = op.input.revision;
      const applied = compactions.find((c) => c.revision === revision);
      const mine = applied && !compactedByAnswered.has(revision) && compactionMaker.get(revision) === op.id;
      out[i] = { ...op, hint: mine && applied.atRevision >= revisionSeenMax ? applied.atRevision : mine ? undefined : null };
    }
  }
  // A deletion goes to the latest-called open delete of its key that may have made it: a
  // delete that retries one which timed out is the likelier to have applied (a CAS on the
  // latest revision), and one called after the deletion was seen cannot have made it.
  // Deletes first, then txns that would have deleted in their failure branch (a guess: their
  // compare decided it), each group latest-called first. A txn's guess must fit the record:
  // its compares, judged by the checker's model on the store as the record has it just
  // before the deletion, must take the branch that deletes (a retry that compares against a
  // stale revision did not make a deletion its earlier try did).
  const byGuess = [...deletes.filter((d) => !d.failureBranch).reverse(), ...deletes.filter((d) => d.failureBranch).reverse()];
  for (const { i, key, after, failureBranch } of byGuess) {
    const at = deletesOf.get(key);
    let k = -1;
    const input = out[i]!.input;
    // A txn's compares, judged on the record's store just before `r`, take the branch guessed.
    const branchFits = (r: number) => input.type !== "txn" || (etcdRespond(recordState(r - 1), input).response as { succeeded?: boolean }).succeeded === !failureBranch;
    // Not a revision a range delete took, nor one that deleted several keys (not one key's delete).
    const mayBe = (r: number) => r > after && proposedAfter(r, out[i]!.call) && !takenByOpen.has(r) && (deletedAt.get(r)?.length ?? 1) === 1 && branchFits(r);
    // The first deletion it may have made: a request that timed out applies soon after its
    // call, and a later deletion of the key is more likely someone else's.
    if (at) k = at.findIndex((r) => mayBe(r));
    if (k >= 0) {
      const revision = at!.splice(k, 1)[0]!;
      out[i] = { ...out[i]!, hint: revision };
      takenByOpen.set(revision, i);
    }
    // No deletion of that key is left to have been this one's: it changed nothing.
    else out[i] = { ...out[i]!, hint: null };
  }
  // A range delete, once one-key deletes have had their pick: the first later revision that
  // only deleted, and deleted every key its range held in the record just before (a lease's
  // expiry deletes only the lease's keys); none, and it deleted nothing (or never applied),
  // which look the same.
  const deletesWholeRange = (revision: number, keys: readonly string[], key: string, rangeEnd: string): boolean => {
    if (!keys.every((k) => inRange(k, key, rangeEnd))) return false;
    let held = 0;
    for (const k of recordState(revision - 1).kvs.keys()) if (inRange(k, key, rangeEnd)) held++;
    return held === keys.length;
  };
  for (const { i, key, rangeEnd, after } of rangeDeletes) {
    let at: number | undefined;
    for (const [revision, keys] of deletedAt) {
      if (revision > after && proposedAfter(revision, out[i]!.call) && !claimed.has(revision) && !takenByOpen.has(revision) && (at === undefined || revision < at) && deletesWholeRange(revision, keys, key, rangeEnd)) at = revision;
    }
    if (at !== undefined) takenByOpen.set(at, i);
    out[i] = { ...out[i]!, hint: at ?? null };
  }
  // An open lease grant changes no revision, but whatever used the lease shows it applied: it
  // goes in with the first operation (by hint) that named the lease, ahead of it by call time.
  const firstUse = new Map<number, number>();
  for (const op of out) {
    if (typeof op.hint !== "number") continue;
    for (const id of leasesNamed(op.input, op.output)) firstUse.set(id, Math.min(firstUse.get(id) ?? Infinity, op.hint));
  }
  out.forEach((op, i) => {
    if (op.hint === undefined && op.input.type === "leaseGrant" && op.input.ID !== 0 && firstUse.has(op.input.ID)) out[i] = { ...op, hint: firstUse.get(op.input.ID)! };
  });
  hintServerAssignedGrants(out, firstUse);
  // Likewise an open revoke of a lease that held no keys (so made no revision): it goes in
  // with the first answer, called after it, that shows the lease gone (a list of leases
  // without it, a TimeToLive of -1).
  const shownGone = out.filter((op) => typeof op.hint === "number" && op.output && op.output.error === undefined && (op.output.type === "leaseLeases" || (op.output.type === "leaseTimeToLive" && op.output.TTL === -1)));
  // A revoke answered with success removed the lease itself (the lessor's on expiry, say): an
  // open one that would go in at or after it found the lease gone, and did nothing.
  const revokedByAnswer = new Map<number, number>();
  for (const op of out) {
    if (typeof op.hint === "number" && op.input.type === "leaseRevoke" && op.output && op.output.error === undefined) revokedByAnswer.set(op.input.ID, Math.min(revokedByAnswer.get(op.input.ID) ?? Infinity, op.hint));
  }
  // A revoke, keepalive or put (seed 76 at 8 rounds, run 1645: a put on a lease the lessor
  // had let expire) answered "lease not found" shows it gone too, but carries no revision: it
  // ran at or after the latest revision answered before it was called.
  const notFound = out.flatMap((op) => {
    const id = leaseNotFound(op);
    return id === undefined ? [] : [{ op, id }];
  });
  out.forEach((op, i) => {
    // (A definite error, "lease not found" say, did nothing, and stays where it is due.)
    if (op.hint !== undefined || op.input.type !== "leaseRevoke" || isDefiniteError(op.output)) return;
    const id = op.input.ID;
    let at: number | undefined;
    for (const a of shownGone) {
      if (leaseShownGone(a, id) && a.call > op.call && (at === undefined || (a.hint as number) < at)) at = a.hint as number;
    }
    // After every answer that showed the lease alive (the order within one revision follows
    // call times, and this revoke was called first).
    for (const { op: f, id: missing } of notFound) {
      if (missing !== id || f.call <= op.call) continue;
      // Nor while the lease still held a key (seed 85 at 5 rounds, run 3177: a range delete
      // took the lease's key after the revision the answer saw); a revoke then would have
      // deleted it at a revision of its own.
      // And not before the last revision an answer showed the lease alive at: when that is
      // the later bound, at it (seed 134 at 12 rounds, 2 members, run 2038: a TimeToLive
      // showed the lease alive at 737; the next answers came back after a partition, among
      // them the lessor's own revoke finding it gone, and the first answer to show it gone
      // was at 750, long after a write at 740 that was called once that "not found" had
      // returned). At it, not after every answer at it: a keyless revoke makes no revision,
      // and answers called after the "not found" may still report that one (seed 147 with 5
      // members at 8 rounds, run 2743: a grant at 10, called after the lessor's "not found",
      // had to follow the revoke). Within the revision the order follows call times.
      const shown = Math.max(shownBefore(f.call), keysGoneAt.get(id) ?? 0);
      const alive = aliveAt.get(id) ?? 0;
      const r = Math.max(shown, alive);
      if (at === undefined || r < at) at = r;
    }
    if (at !== undefined && at < (revokedByAnswer.get(id) ?? Infinity)) out[i] = { ...op, hint: at };
  });
  // An answered revoke that deleted nothing shares its revision with the answers around it,
  // which go in by call time. It goes in after the revision's other operations (at R + 0.5)
  // when one of them, called after it, must have come first:
  // - an answer that still shows the lease alive (when none at R was called after the revoke
  //   returned: real time puts that one after the revoke, and it would have no place);
  // - the write that made R (seed 151 with 7 members at 6 rounds, run 50580: a revoke answered
  //   at 44 was called just before an open put that made 44 by taking the lease's last key
  //   off it; first by call time, the revoke deleted that key in the checker's model, at a
  //   revision 44 of its own, and the put then failed). Answers at R called after the revoke
  //   returned follow it there: real time puts them after it. Not when an answer at R shows
  //   the lease gone (it came after the revoke too, but may have been called before it
  //   returned): that is left to the checker.
  const madeAt = (j: number, revision: number): boolean => {
    const a = out[j]!;
    if (a.return === Infinity) return takenByOpen.get(revision) === j;
    return madeRevision(a.input, a.output, revision, leasesDeletedAt, notRevokeAt, shownBefore(a.call), proposedAfter(revision, a.call));
  };
  out.forEach((op, i) => {
    if (op.input.type !== "leaseRevoke" || op.return === Infinity || typeof op.hint !== "number") return;
    if (op.output === null || "error" in op.output) return;
    const revision = op.hint;
    if (madeRevision(op.input, op.output, revision, leasesDeletedAt, notRevokeAt, shownBefore(op.call), proposedAfter(revision, op.call))) return;
    const id = op.input.ID;
    const others = out.map((a, j) => ({ a, j })).filter(({ a, j }) => j !== i && a.hint === revision);
    const shownAliveAfter = others.some(({ a }) => a.call > op.call && leasesShownAlive(a.input, a.output).includes(id));
    const madeAfter = others.some(({ a, j }) => a.call > op.call && madeAt(j, revision));
    const calledAfter = others.filter(({ a }) => a.call > op.return);
    if (shownAliveAfter && calledAfter.length === 0) {
      out[i] = { ...op, hint: revision + 0.5 };
      return;
    }
    if (!madeAfter || others.some(({ a }) => leaseShownGone(a, id)) || calledAfter.some(({ j }) => madeAt(j, revision))) return;
    out[i] = { ...op, hint: revision + 0.5 };
    for (const { a, j } of calledAfter) out[j] = { ...a, hint: revision + 0.5 };
  });
  return out;
}

/**
 * An open grant whose lease ID the server was to pick (ID 0; open: no answer, or a timeout): a
 * lease the answers show that no grant in the history names (its answer was lost) came from
 * one such grant. The model counts those leases without their IDs, so any such grant will
 * do: each unnamed lease, by its first use, takes the earliest-called one left that was
 * called before that use returned.
 */
function hintServerAssignedGrants(out: Op[], firstUse: ReadonlyMap<number, number>): void {
  const named = new Set<number>();
  for (const op of out) {
    if (op.input.type !== "leaseGrant") continue;
    if (op.input.ID !== 0) named.add(op.input.ID);
    else if (op.output && op.output.error === undefined && op.output.type === "leaseGrant") named.add(op.output.ID);
  }
  const unnamed = [...firstUse].filter(([id]) => !named.has(id)).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  if (unnamed.length === 0) return;
  const grants = out
    .map((op, i) => ({ op, i }))
    .filter(({ op }) => op.hint === undefined && op.input.type === "leaseGrant" && op.input.ID === 0 && (op.return === Infinity || !isDefiniteError(op.output)))
    .sort((a, b) => a.op.call - b.op.call);
  for (const [id, hint] of unnamed) {
    // When the first answer at that revision naming the lease returned: its grant came before.
    let usedBy = Infinity;
    for (const op of out) if (op.hint === hint && op.return < usedBy && leasesNamed(op.input, op.output).includes(id)) usedBy = op.return;
    const k = grants.findIndex(({ op }) => op.call < usedBy);
    if (k === -1) continue;
    const { op, i } = grants.splice(k, 1)[0]!;
    out[i] = { ...op, hint };
  }
}

/**
 * Revisions that answers with a definite error show they ran at or after, with when they
 * returned. A put that keeps the key's value or lease, answered "key not found", ran where
 * the key was absent: at the first revision, from the one answered before its call, at
 * which the record has no such key (seed 85 at 5 rounds, run 942: a timed-out delete called
 * after such an answer had not made the deletion that answer saw).
 */
function errorRevisions(ops: readonly Op[], shownBefore: (t: number) => number, recordState: (revision: number) => EtcdState, revisionMax: number): { return: number; hint: number }[] {
  const shown: { return: number; hint: number }[] = [];
  for (const op of ops) {
    if (op.output?.error !== ERR_KEY_NOT_FOUND || op.input.type !== "put" || !(op.input.ignoreValue || op.input.ignoreLease)) continue;
    const key = op.input.key;
    for (let r = shownBefore(op.call); r <= revisionMax; r++) {
      if (recordState(r).kvs.has(key)) continue;
      shown.push({ return: op.return, hint: r });
      break;
    }
  }
  return shown;
}

/** The lease an operation answered "lease not found" was missing: a revoke's or keepalive's, or a put's (in a txn, its only one). */
function leaseNotFound(op: Op): number | undefined {
  if (op.output?.error !== ERR_LEASE_NOT_FOUND) return undefined;
  const input = op.input;
  if (input.type === "leaseRevoke" || input.type === "leaseKeepAlive") return input.ID;
  const leases = new Set(leasesNamed(input, null));
  return leases.size === 1 ? [...leases][0] : undefined;
}

/** Whether an answered operation shows lease `id` gone: a TimeToLive of -1, a list of leases without it. */
function leaseShownGone(op: Op, id: number): boolean {
  const output = op.output;
  if (!output || output.error !== undefined) return false;
  if (output.type === "leaseTimeToLive") return output.ID === id && output.TTL === -1;
  if (output.type === "leaseLeases") return !output.leases.includes(id);
  return false;
}

/**
 * Leases an answered operation shows alive at its revision: a put's lease, a keepalive's
 * lease (TTL above 0), a TimeToLive that found it, a list of leases, and a revoke's lease
 * (it was there to revoke: no other revoke of it came first).
 */
function leasesShownAlive(input: EtcdRequest, output: EtcdResponse | null): number[] {
  if (!output || output.error !== undefined) return [];
  if (input.type === "put") return input.lease ? [input.lease] : [];
  if (input.type === "leaseRevoke" && output.type === "leaseRevoke") return [input.ID];
  if (output.type === "leaseKeepAlive") return output.TTL > 0 ? [output.ID] : [];
  if (output.type === "leaseTimeToLive") return output.TTL >= 0 ? [output.ID] : [];
  if (output.type === "leaseLeases") return output.leases;
  return [];
}

/**
 * Leases an operation names (a put's lease, a keepalive's or revoke's ID), or, answered, shows
 * alive (a TimeToLive that found it, a list of leases).
 */
function leasesNamed(input: EtcdRequest, output: EtcdResponse | null): number[] {
  if (input.type === "put") return input.lease ? [input.lease] : [];
  if (input.type === "leaseKeepAlive" || input.type === "leaseRevoke") return [input.ID];
  if (output && output.error === undefined && output.type === "leaseTimeToLive") return output.TTL >= 0 ? [output.ID] : [];
  if (output && output.error === undefined && output.type === "leaseLeases") return output.leases;
  if (input.type === "txn") return [...input.success, ...input.failure].flatMap((o) => (o.type === "put" && o.lease ? [o.lease] : []));
  return [];
}

/**
 * The store as the record has it after a revision (keys only; leases are not in the record),
 * from events in revision order. Each state is built once, from the nearest one built below it.
 */
function recordStates(byRevision: readonly StoreEvent[]): (revision: number) => EtcdState {
  const built = new Map<number, { kvs: Map<string, KeyValue>; next: number; state: EtcdState }>();
  return (revision) => {
    const cached = built.get(revision);
    if (cached) return cached.state;
    let base: { kvs: Map<string, KeyValue>; next: number } = { kvs: new Map(), next: 0 };
    for (const [r, b] of built) if (r < revision && b.next > base.next) base = b;
    const kvs = new Map(base.kvs);
    let next = base.next;
    for (; next < byRevision.length && byRevision[next]!.revision <= revision; next++) {
      const e = byRevision[next]!;
      if (e.type === "PUT") kvs.set(e.kv.key, e.kv);
      else kvs.delete(e.kv.key);
    }
    const state = etcdStateOf(revision, 0, kvs, new Map());
    built.set(revision, { kvs, next, state });
    return state;
  };
}

/** The recorder's history JSON (`raftsim run --history`) with the store's hints in it. */
export function hintedHistoryJson(recorder: HistoryRecorder, store: readonly StoreEvent[], compactions: readonly CompactionRecord[] = [], proposedAtUs: ReadonlyMap<number, number> = new Map()): HistoryFileV1 {
  const history = recorder.toHistoryJson();
  const ops = history.operations.map((op) => ({ ...op, return: op.return === null ? Infinity : op.return })) as Op[];
  return historyToJson({ operations: withStoreHints(ops, store, compactions, proposedAtUs) }, "etcd");
}
