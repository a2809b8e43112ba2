// etcd's watch guarantees, checked per watcher against the store's full event history
// (the rules of etcd's robustness tests, tests/robustness/validate/watch.go, and
// https://etcd.io/docs/v3.5/learning/api_guarantees/#watch-apis):
// - ordered:      event revisions never go backwards across the watch;
// - unique:       an event (key, revision) is delivered at most once;
// - atomic:       a revision's events are never split across responses, nor cut short;
// - bookmarkable: a progress notification at revision R comes after every event <= R
//                 and before every event > R;
// - reliable:     between the first and the last revision the watcher knows (last event or
//                 bookmark), no event matching the watch is missing;
// - resumable:    a watch from revision S > 0 starts at the first matching event >= S, and
//                 one from now at the first after its created response's revision;
// - compacted:    a cancel for compaction names a revision the store was compacted at, one
//                 the watch still needed;
// - matchesStore: each event (type, kv) equals the store's event at that key and revision;
// - isCreate:     a PUT is a creation exactly when the key did not exist before it;
// - prevKv:       with prevKv requested the event carries the key's previous kv (absent for
//                 a creation); without, it carries none;
// - filter:       NOPUT/NODELETE filters and the key range are respected.
import type { KeyValue } from "./models/etcd-types";
import { inRange } from "./models/etcd";

export type WatchFilter = "NOPUT" | "NODELETE";

/** etcd's WatchCreateRequest (camelCase). startRevision 0/absent = from now. */
export interface WatchRequest {
  key: string;
  rangeEnd?: string;
  startRevision?: number;
  prevKv?: boolean;
  filters?: WatchFilter[];
  progressNotify?: boolean;
  /** The client asked for fragments; the history holds the responses it joined from them. */
  fragment?: boolean;
}

export interface WatchEvent {
  type: "PUT" | "DELETE";
  /** For DELETE: key and modRevision (the deletion's revision); other fields 0/"". */
  kv: KeyValue;
  prevKv?: KeyValue;
  /** Optional: the client's IsCreate(); derived from kv when absent. */
  isCreate?: boolean;
}

export interface WatchResponse {
  /** Header revision. */
  revision: number;
  events: WatchEvent[];
  /** A progress notification (bookmark): no events, all events <= revision delivered. */
  progressNotify?: boolean;
  /** Set with canceled when the start revision was compacted. */
  compactRevision?: number;
  canceled?: boolean;
}

export interface WatcherHistory {
  id: number | string;
  request: WatchRequest;
  /**
   * Optional: the header revision of the created response. A watch from now (startRevision
   * 0 or absent) must deliver every matching event after it; without it, the check starts
   * at the first event delivered.
   */
  createdRevision?: number;
  /** Responses in the order received. */
  responses: WatchResponse[];
}

/** Every event the store applied, in revision order (several per revision for a txn). */
export interface StoreEvent {
  revision: number;
  type: "PUT" | "DELETE";
  /** As a watcher would receive it (DELETE: key + modRevision). */
  kv: KeyValue;
  /**
   * Optional, and used only past a gap in the history: a whole history (from revision 2,
   * none missing) gives every prevKv by replay, which the check trusts over the store's.
   */
  prevKv?: KeyValue;
}

export type WatchRule = "ordered" | "unique" | "atomic" | "bookmarkable" | "reliable" | "resumable" | "matchesStore" | "isCreate" | "prevKv" | "filter" | "compacted";

export interface WatchViolation {
  watcher: number | string;
  rule: WatchRule;
  message: string;
  revision?: number;
  key?: string;
}

export interface WatchCheckResult {
  ok: boolean;
  violations: WatchViolation[];
  watchers: number;
  events: number;
}

interface Indexed {
  event: StoreEvent;
  prevKv: KeyValue | undefined;
}

export interface WatchCheckOptions {
  /**
   * Revisions the store was compacted at during the history. Compaction removes every
   * version older than a key's newest one at or below it, so an event read back from
   * history may lack a prevKv that was compacted away (etcd reads it at modRevision-1 and
   * leaves it out). A DELETE at the compaction revision itself is kept: a watch from there
   * must still deliver it (etcd-io/etcd#18089, fixed by #18274; etcd 3.4.23 still drops it).
   */
  compactRevisions?: readonly number[];
}

export function checkWatches(watchers: WatcherHistory[], storeEvents: StoreEvent[], options: WatchCheckOptions = {}): WatchCheckResult {
  const compactionMax = Math.max(0, ...(options.compactRevisions ?? []));
  // Index the store by (key, revision). prevKv is derived by replaying the events: while the
  // history is whole (it starts at revision 2, the first write, with no revision missing),
  // the replay is the truth and a prevKv the store recorded is not trusted (it comes from
  // the code under test); past a gap, the recorded one is used when there is one.
  const byKeyRev = new Map<string, Indexed>();
  const current = new Map<string, KeyValue>();
  let lastRev = 0;
  let whole = storeEvents.length > 0 && storeEvents[0]!.revision === FIRST_WRITE_REVISION;
  for (const e of storeEvents) {
    if (e.revision < lastRev) throw new Error(`store events must be in revision order (${e.revision} after ${lastRev})`);
    if (lastRev !== 0 && e.revision > lastRev + 1) whole = false;
    lastRev = e.revision;
    const derived = current.get(e.kv.key);
    const prevKv = whole ? derived : (e.prevKv ?? derived);
    byKeyRev.set(keyRev(e.kv.key, e.revision), { event: e, prevKv });
    if (e.type === "PUT") current.set(e.kv.key, e.kv);
    else current.delete(e.kv.key);
  }
  const violations: WatchViolation[] = [];
  let events = 0;
  for (const w of watchers) {
    const v = (rule: WatchRule, message: string, revision?: number, key?: string) => violations.push({ watcher: w.id, rule, message, ...(revision !== undefined ? { revision } : {}), ...(key !== undefined ? { key } : {}) });
    const req = w.request;
    const filters = new Set(req.filters ?? []);
    const wanted = (e: { type: "PUT" | "DELETE"; kv: KeyValue }) => inRange(e.kv.key, req.key, req.rangeEnd) && !(e.type === "PUT" && filters.has("NOPUT")) && !(e.type === "DELETE" && filters.has("NODELETE"));
    const seen = new Set<string>();
    const responseOfRev = new Map<number, number>();
    let lastEventRev = 0;
    let lastBookmark = 0;
    let firstEventRev = 0;
    w.responses.forEach((resp, ri) => {
      const isBookmark = resp.events.length === 0 && resp.progressNotify === true && !resp.canceled;
      if (isBookmark) {
        if (resp.revision < lastEventRev) v("bookmarkable", `progress notification at revision ${resp.revision} after an event at revision ${lastEventRev}`, resp.revision);
        lastBookmark = Math.max(lastBookmark, resp.revision);
      }
      for (const ev of resp.events) {
        events++;
        const rev = ev.kv.modRevision;
        const key = ev.kv.key;
        if (firstEventRev === 0) firstEventRev = rev;
        if (rev < lastEventRev) v("ordered", `event at revision ${rev} after one at revision ${lastEventRev}`, rev, key);
        if (rev <= lastBookmark) v("bookmarkable", `event at revision ${rev} after a progress notification at revision ${lastBookmark}`, rev, key);
        const kr = keyRev(key, rev);
        const duplicate = seen.has(kr);
        if (duplicate) v("unique", `event for ${JSON.stringify(key)} at revision ${rev} delivered twice`, rev, key);
        seen.add(kr);
        const at = responseOfRev.get(rev);
        // A duplicate is reported once, as unique, not also as a split revision.
        if (!duplicate && at !== undefined && at !== ri) v("atomic", `revision ${rev} split across responses ${at} and ${ri}`, rev, key);
        responseOfRev.set(rev, ri);
        lastEventRev = Math.max(lastEventRev, rev);
        if (!wanted(ev)) {
          v("filter", `${ev.type} ${JSON.stringify(key)} at revision ${rev} does not match the watch's range or filters`, rev, key);
          continue;
        }
        const stored = byKeyRev.get(kr);
        if (!stored) {
          v("matchesStore", `no store event for ${JSON.stringify(key)} at revision ${rev}`, rev, key);
          continue;
        }
        if (stored.event.type !== ev.type || (ev.type === "PUT" && !sameKv(stored.event.kv, ev.kv))) v("matchesStore", `event ${ev.type} ${JSON.stringify(key)}@${rev} differs from the store's ${stored.event.type} ${JSON.stringify(stored.event.kv)}`, rev, key);
        const created = ev.type === "PUT" && stored.prevKv === undefined;
        const claimsCreate = ev.isCreate ?? (ev.type === "PUT" && ev.kv.createRevision === ev.kv.modRevision);
        if (claimsCreate !== created) v("isCreate", `event ${JSON.stringify(key)}@${rev} says isCreate=${claimsCreate}, but the key ${created ? "did not exist" : "existed"} before`, rev, key);
        if (req.prevKv) {
          const compactedAway = ev.prevKv === undefined && compactionMax >= rev;
          if (!compactedAway && !sameKv(ev.prevKv, stored.prevKv)) v("prevKv", `event ${JSON.stringify(key)}@${rev} has prevKv ${JSON.stringify(ev.prevKv ?? null)}, expected ${JSON.stringify(stored.prevKv ?? null)}`, rev, key);
        } else if (ev.prevKv !== undefined) v("prevKv", `event ${JSON.stringify(key)}@${rev} carries a prevKv the watch did not ask for`, rev, key);
      }
    });
    // Cancelled for compaction: etcd does so only when the watch needs a revision below the
    // store's compaction revision, which it reports; so that compaction happened, and no
    // event at or past that revision (less one) was delivered before.
    const start = req.startRevision ?? 0;
    const cancel = w.responses.find((r) => r.canceled && r.compactRevision !== undefined);
    if (cancel !== undefined && options.compactRevisions !== undefined) {
      const c = cancel.compactRevision!;
      if (!options.compactRevisions.includes(c)) v("compacted", `cancelled for a compaction at revision ${c}, but the store was never compacted there`, c);
      const next = lastEventRev > 0 ? lastEventRev + 1 : start;
      if (next >= c) v("compacted", `cancelled for a compaction at revision ${c}, but the watch needed revision ${next} next, which that compaction kept`, c);
    }
    // Atomic (cut short), reliable and resumable: compare with the store's matching events.
    const compacted = cancel !== undefined;
    const known = Math.max(lastEventRev, lastBookmark);
    const createdFrom = start === 0 && w.createdRevision !== undefined ? w.createdRevision + 1 : 0;
    const from = compacted ? firstEventRev : start > 0 ? start : createdFrom > 0 ? createdFrom : firstEventRev;
    if (from === 0 || known === 0) continue;
    for (const e of storeEvents) {
      if (e.revision < from || e.revision > known || !wanted(e)) continue;
      if (seen.has(keyRev(e.kv.key, e.revision))) continue;
      const rule: WatchRule = responseOfRev.has(e.revision) ? "atomic" : firstEventRev === 0 || e.revision < firstEventRev ? "resumable" : "reliable";
      const began = start > 0 ? `the watch started at revision ${start}` : `the watch was created at revision ${w.createdRevision}`;
      const why = rule === "atomic" ? "its revision was delivered without it" : rule === "resumable" ? began : `events up to revision ${known} were delivered`;
      v(rule, `missed ${e.type} ${JSON.stringify(e.kv.key)} at revision ${e.revision}: ${why}`, e.revision, e.kv.key);
    }
  }
  return { ok: violations.length === 0, violations, watchers: watchers.length, events };
}

/** An etcd store starts at revision 1, empty; its first write makes revision 2. */
const FIRST_WRITE_REVISION = 2;

function keyRev(key: string, revision: number): string {
  return `${revision}\u0000${key}`;
}

function sameKv(a: KeyValue | undefined, b: KeyValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.key === b.key && a.value === b.value && a.createRevision === b.createRevision && a.modRevision === b.modRevision && a.version === b.version && (a.lease ?? 0) === (b.lease ?? 0);
}
