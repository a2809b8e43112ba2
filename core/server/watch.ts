// Watchers of one server (one node). Responses queue up in order and the host drains
// them (possibly a few at a time, as a send loop would). A watcher is either catching
// up — never here: history is replayed synchronously at creation — or synced, receiving
// each applied revision's events as one response.
import { assert } from "../assert";
import type { BugSet } from "../canary";
import { compareKeys, inBounds, keyBounds, type KeyBounds } from "../mvcc/keys";
import type { MvccStore } from "../mvcc/store";
import type { MvccEvent } from "../mvcc/types";
import type { WatchCreateRequest, WatchEvent, WatchResponse } from "./api";

interface Watcher {
  id: number;
  bounds: KeyBounds;
  /** Next revision this watcher should see. */
  minRevision: number;
  prevKv: boolean;
  noPut: boolean;
  noDelete: boolean;
  progressNotify: boolean;
}

export const ERR_WATCH_DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";
export const ERR_WATCH_EMPTY_RANGE = "mvcc: watcher range is empty";
/** The watch ID of a refused create, as etcd answers it: no watcher was made. */
export const WATCH_ID_REFUSED = -1;

function response(watchId: number, revision: number, fields: Partial<WatchResponse> = {}): WatchResponse {
  return { header: { revision }, watchId, created: false, canceled: false, compactRevision: 0, cancelReason: "", events: [], ...fields };
}

export class WatchHub {
  /** Ascending ids (kept sorted so notification order never depends on creation timing). */
  private watchers: Watcher[] = [];
  private queue: WatchResponse[] = [];
  private nextId = 0;

  constructor(private readonly bugs: BugSet) {}

  private find(id: number): Watcher | undefined {
    return this.watchers.find((w) => w.id === id);
  }

  private refuse(currentRevision: number, cancelReason: string): number {
    this.queue.push(response(WATCH_ID_REFUSED, currentRevision, { created: true, canceled: true, cancelReason }));
    return WATCH_ID_REFUSED;
  }

  /** Registers a watcher, queues `created` then any history from startRevision. Returns the id (-1: refused). */
  create(req: WatchCreateRequest, store: MvccStore): number {
    const current = store.currentRevision();
    const bounds = keyBounds(req.key, req.rangeEnd);
    // etcd's mvcc refuses a range whose end is not after its key (a "\0" end, every key from
    // the key on, is fine), and a watch ID the stream already uses: created and canceled at
    // once, under watch ID -1, with its reason (the conformance suite checks all three).
    if (bounds.end !== undefined && compareKeys(bounds.start, bounds.end) >= 0) return this.refuse(current, ERR_WATCH_EMPTY_RANGE);
    let id = req.watchId ?? 0;
    if (id === 0) {
      while (this.find(this.nextId) !== undefined) this.nextId++;
      id = this.nextId++;
    } else if (this.find(id) !== undefined) {
      return this.refuse(current, ERR_WATCH_DUPLICATE_ID);
    }
    const start = req.startRevision ?? 0;
    const w: Watcher = {
      id,
      bounds,
      minRevision: start > 0 ? start : current + 1,
      prevKv: !!req.prevKv,
      noPut: !!req.filters?.includes("NOPUT"),
      noDelete: !!req.filters?.includes("NODELETE"),
      progressNotify: !!req.progressNotify,
    };
    this.queue.push(response(id, current, { created: true }));
    if (w.minRevision <= current) {
      const compacted = store.compactRevision();
      if (w.minRevision < compacted) {
        if (!this.bugs.has("watch-skip-on-compact")) {
          // etcd cancels with the compaction revision; the header carries no revision.
          this.queue.push(response(id, 0, { canceled: true, compactRevision: compacted }));
          return id;
        }
        // Canary: silently resume after the compaction, losing the events in between.
        w.minRevision = compacted + 1;
      }
      const evs = this.select(w, store.eventsBetween(w.minRevision, current));
      if (evs.length > 0) this.queue.push(response(id, current, { events: evs }));
      w.minRevision = current + 1;
    }
    this.insert(w);
    return id;
  }

  private insert(w: Watcher): void {
    const at = this.watchers.findIndex((x) => x.id > w.id);
    if (at < 0) this.watchers.push(w);
    else this.watchers.splice(at, 0, w);
  }

  private select(w: Watcher, evs: readonly MvccEvent[]): WatchEvent[] {
    const out: WatchEvent[] = [];
    for (const e of evs) {
      if (!inBounds(w.bounds, e.kv.key)) continue;
      if (e.type === "PUT" ? w.noPut : w.noDelete) continue;
      // etcd reads prevKv at modRevision-1 and omits it for a create (version 1).
      const ev: WatchEvent = { type: e.type, kv: e.kv };
      if (w.prevKv && e.prevKv !== undefined && !(e.type === "PUT" && e.kv.version === 1)) ev.prevKv = e.prevKv;
      out.push(ev);
    }
    return out;
  }

  /** Called after each applied write revision with that revision's events. */
  notify(revision: number, evs: readonly MvccEvent[]): void {
    for (const w of this.watchers) {
      if (w.minRevision > revision) continue;
      assert(w.minRevision === revision, () => `watch ${w.id}: synced watcher skipped to ${revision} from ${w.minRevision}`);
      const sel = this.select(w, evs);
      if (sel.length > 0) this.queue.push(response(w.id, revision, { events: sel }));
      w.minRevision = revision + 1;
    }
  }

  cancel(id: number, currentRevision: number, cancelReason = ""): boolean {
    const i = this.watchers.findIndex((w) => w.id === id);
    if (i < 0) return false;
    this.watchers.splice(i, 1);
    this.queue.push(response(id, currentRevision, { canceled: true, ...(cancelReason ? { cancelReason } : {}) }));
    return true;
  }

  /**
   * A progress notification (etcd: periodic for progressNotify watchers, or on request
   * for all): an empty response whose header revision promises that every event up to
   * it has been sent. It queues behind pending events — unless progress-notify-ahead.
   */
  private progress(w: Watcher, currentRevision: number): void {
    const r = response(w.id, currentRevision);
    if (this.bugs.has("progress-notify-ahead")) {
      const firstPending = this.queue.findIndex((q) => q.watchId === w.id && q.events.length > 0);
      if (firstPending >= 0) {
        this.queue.splice(firstPending, 0, r);
        return;
      }
    }
    this.queue.push(r);
  }

  /** Periodic tick (etcd: --experimental-watch-progress-notify-interval, 10 min default). */
  progressTick(currentRevision: number): void {
    for (const w of this.watchers) if (w.progressNotify) this.progress(w, currentRevision);
  }

  /**
   * WatchProgressRequest: a progress notification to every watcher, or to the one watcher
   * `id` (a stream carrying one watch). Unknown or cancelled ids get nothing.
   */
  requestProgress(currentRevision: number, id?: number): void {
    for (const w of this.watchers) if (id === undefined || w.id === id) this.progress(w, currentRevision);
  }

  /** Takes up to `max` queued responses, oldest first. */
  drain(max = Infinity): WatchResponse[] {
    return this.queue.splice(0, Math.min(max, this.queue.length));
  }

  pending(): number {
    return this.queue.length;
  }

  /** The queued responses from position `from` on, left in the queue (a harness reads its own watch's at once). */
  queuedSince(from: number): readonly WatchResponse[] {
    return this.queue.slice(from);
  }

  ids(): number[] {
    return this.watchers.map((w) => w.id);
  }

  /**
   * After a snapshot restore the store jumped: watchers replay what they missed (or are
   * cancelled as compacted), like etcd moving synced watchers back to unsynced.
   */
  resync(store: MvccStore): void {
    const current = store.currentRevision();
    const compacted = store.compactRevision();
    for (const w of [...this.watchers]) {
      if (w.minRevision > current) continue;
      if (w.minRevision < compacted && !this.bugs.has("watch-skip-on-compact")) {
        this.watchers.splice(this.watchers.indexOf(w), 1);
        this.queue.push(response(w.id, 0, { canceled: true, compactRevision: compacted }));
        continue;
      }
      // From minRevision itself, as at creation: a watch may start at the compaction revision,
      // whose surviving records (each key's latest as of it) are still events to deliver.
      // (Below it only under the canary, which resumes after the compaction.)
      const from = w.minRevision < compacted ? compacted + 1 : w.minRevision;
      const evs = this.select(w, store.eventsBetween(from, current));
      if (evs.length > 0) this.queue.push(response(w.id, current, { events: evs }));
      w.minRevision = current + 1;
    }
  }
}
