// A controller's informer, as client-go's reflector does it: LIST the registry prefix (in
// pages, later pages at the first page's revision), then WATCH from that revision + 1 and
// keep a cache fed only by the watch. A broken stream (a gap, a member gone silent) is
// resumed from the cache's revision + 1 on another member; a watch cancelled because its
// start revision was compacted forces a fresh LIST. Every state the cache reaches is
// recorded with its revision, for the check that compares it with the store.
import { assert } from "../../core/assert";
import type { Outcome } from "../../core/client/session";
import type { WatchCancelMsg, WatchCreateMsg, WatchProgressMsg } from "../../core/client/protocol";
import { ERR_COMPACTED, ERR_NO_LEADER, type EtcdRequest, isError, type KeyValue } from "../../core/server/api";
import type { WatchStreamMsg } from "../../sim/etcd/node";
import { keySpaceText, okResponse, REGISTRY_END, REGISTRY_PREFIX } from "./kubernetes-objects";

/** One state of a controller's cache: what it held once it had seen everything up to `revision`. */
export interface CacheSnapshot {
  controller: number;
  revision: number;
  atUs: number;
  /** keySpaceText of the cache. */
  text: string;
}

/** A stream message missing this long while later ones arrived is lost (as the plain watchers judge it). */
const STREAM_GAP_US_MAX = 500_000;

export interface InformerEnv {
  controller: number;
  /** The network endpoint watch responses come back to. */
  clientId: number;
  nowUs(): number;
  members(): number[];
  sendWatchCreate(member: number, msg: WatchCreateMsg): void;
  sendWatchProgress(member: number, msg: WatchProgressMsg): void;
  /** A line for the trace (the viewer shows it). */
  note(text: string): void;
  /** Closes an abandoned stream (WatchCancelRequest), so its member stops serving it. */
  sendWatchCancel(member: number, msg: WatchCancelMsg): void;
  /** Sends a request through the controller's session, recorded in the history. */
  issue(request: EtcdRequest, opType: string, done: (outcome: Outcome) => void): void;
  snapshot(s: CacheSnapshot): void;
  pageSize: number;
  /** A stream silent this long is presumed dead (progress notifications arrive far more often). */
  watchSilenceUs: number;
}

export interface InformerStats {
  lists: number;
  listPages: number;
  relistsCompacted: number;
  rewatches: number;
  /** Streams a member ended for want of a leader (the watch requires one). */
  watchesEndedNoLeader: number;
  watchEvents: number;
}

type ListState = { revision: number; nextKey: string; kvs: KeyValue[] };

export class Informer {
  /** The watch-fed cache (key → latest kv). Only meaningful once synced. */
  readonly cache = new Map<string, KeyValue>();
  /** The revision the cache reflects: every event up to it has been applied. 0 = not synced. */
  revision = 0;
  readonly stats: InformerStats = { lists: 0, listPages: 0, relistsCompacted: 0, rewatches: 0, watchesEndedNoLeader: 0, watchEvents: 0 };
  private listing: ListState | undefined = { revision: 0, nextKey: REGISTRY_PREFIX, kvs: [] };
  private watcherId = 0;
  /** The member holding the current watch stream. */
  private watchMember = 0;
  private watchGeneration = 0;
  /** Messages of the current stream that overtook a missing one, by sequence number. */
  private readonly early = new Map<number, WatchStreamMsg>();
  /** Since when the earliest missing message has been missing. */
  private gapSinceUs = 0;
  /** The member ended the stream (no leader): re-watch at the next check, not at once. */
  private rewatchPending = false;
  private expectSeq = 0;
  private lastHeardUs = 0;
  private memberCursor: number;
  private text = "";

  constructor(private readonly env: InformerEnv) {
    this.memberCursor = env.controller;
  }

  get synced(): boolean {
    return this.listing === undefined;
  }

  /** One LIST page through the controller's session; `done` runs when it completes. */
  listStep(done: () => void): void {
    const l = this.listing;
    assert(l !== undefined, "listStep while synced");
    const request: EtcdRequest = {
      type: "range",
      key: l.nextKey,
      rangeEnd: REGISTRY_END,
      ...(this.env.pageSize > 0 ? { limit: this.env.pageSize } : {}),
      ...(l.revision > 0 ? { revision: l.revision } : {}),
    };
    this.env.issue(request, "k8s-list", (outcome) => {
      if (this.listing !== l) return done();
      const r = okResponse(outcome, "range");
      if (r) {
        this.stats.listPages++;
        if (l.revision === 0) l.revision = r.header.revision;
        l.kvs.push(...r.kvs);
        const last = r.kvs[r.kvs.length - 1];
        if (r.more && last) l.nextKey = `${last.key}\0`;
        else this.finishList(l);
      } else if (outcome.status === "fail" && isError(outcome.response) && outcome.response.error === ERR_COMPACTED) {
        // The list's revision was compacted under it: start over at the current revision.
        this.listing = { revision: 0, nextKey: REGISTRY_PREFIX, kvs: [] };
      }
      // Other failures and unknown outcomes: the same page is asked again next time.
      done();
    });
  }

  private finishList(l: ListState): void {
    this.listing = undefined;
    this.stats.lists++;
    this.cache.clear();
    for (const kv of l.kvs) this.cache.set(kv.key, kv);
    this.revision = l.revision;
    this.recordSnapshot(true);
    this.watch();
  }

  private recordSnapshot(changed: boolean): void {
    if (changed) this.text = keySpaceText(this.cache.values());
    this.env.snapshot({ controller: this.env.controller, revision: this.revision, atUs: this.env.nowUs(), text: this.text });
  }

  /** Opens a watch from revision + 1 on the next member (a new stream id: late messages of older streams are ignored). */
  private watch(): void {
    // The stream being replaced is abandoned (broken or silent): close it first.
    if (this.watcherId !== 0) this.env.sendWatchCancel(this.watchMember, { clientId: this.env.clientId, watcherId: this.watcherId });
    const members = this.env.members();
    const member = members[this.memberCursor++ % members.length]!;
    this.watchMember = member;
    this.watcherId = this.env.clientId * 1_000 + ++this.watchGeneration;
    this.expectSeq = 0;
    this.early.clear();
    this.lastHeardUs = this.env.nowUs();
    const msg: WatchCreateMsg = {
      clientId: this.env.clientId,
      watcherId: this.watcherId,
      request: { key: REGISTRY_PREFIX, rangeEnd: REGISTRY_END, startRevision: this.revision + 1, progressNotify: true },
      // kube-apiserver watches WithRequireLeader: a member cut off from the leader ends the
      // stream (at once, or after 3 election timeouts) instead of serving a stale cache.
      requireLeader: true,
    };
    this.env.sendWatchCreate(member, msg);
  }

  /**
   * Asks the stream's member for a progress notification (kube-apiserver does, to learn that
   * its watch cache has caught up with a revision it read from etcd). Nothing while listing.
   */
  requestProgress(): void {
    if (!this.synced || this.watcherId === 0) return;
    this.env.sendWatchProgress(this.watchMember, { clientId: this.env.clientId, watcherId: this.watcherId });
  }

  private relist(): void {
    this.watcherId = 0;
    this.listing = { revision: 0, nextKey: REGISTRY_PREFIX, kvs: [] };
  }

  /** Called periodically: a watch that has gone silent is resumed elsewhere. */
  checkWatch(): void {
    if (!this.synced) return;
    if (this.rewatchPending) {
      // Like a reflector's backoff after a watch error: a cluster without a leader refuses
      // every member's stream, and retrying at once would spin.
      this.rewatchPending = false;
      return this.watch();
    }
    if (this.watcherId !== 0 && this.early.size > 0 && this.env.nowUs() - this.gapSinceUs >= STREAM_GAP_US_MAX) {
      // A lost message: the stream is broken from there on; resume from what the cache has.
      this.stats.rewatches++;
      return this.watch();
    }
    if (this.env.nowUs() - this.lastHeardUs < this.env.watchSilenceUs) return;
    this.stats.rewatches++;
    this.watch();
  }

  onWatchMessage(m: WatchStreamMsg): void {
    if (!this.synced || m.watcherId !== this.watcherId) return; // an older stream
    if (m.seq < this.expectSeq) return; // a duplicate
    if (m.seq > this.expectSeq) {
      // The stream is ordered, as TCP makes it: hold what overtook a missing message until it
      // comes; one missing for STREAM_GAP_US_MAX is lost (checkWatch resumes the watch).
      if (this.early.size === 0) this.gapSinceUs = this.env.nowUs();
      this.early.set(m.seq, m);
      return;
    }
    this.take(m);
    // Then whatever waited for it, unless it ended the stream.
    for (let next = this.early.get(this.expectSeq); next !== undefined && next.watcherId === this.watcherId; next = this.early.get(this.expectSeq)) {
      this.early.delete(this.expectSeq);
      this.take(next);
    }
    if (this.early.size > 0) this.gapSinceUs = this.env.nowUs();
  }

  /** One message of the current stream, in order. */
  private take(m: WatchStreamMsg): void {
    this.expectSeq++;
    this.lastHeardUs = this.env.nowUs();
    const r = m.response;
    if (r.canceled) {
      if (r.compactRevision > 0) {
        this.stats.relistsCompacted++;
        this.relist();
      } else {
        // The member ended it (it has no leader, say): nothing to close; re-watch elsewhere
        // at the next check.
        this.stats.rewatches++;
        if (r.cancelReason === ERR_NO_LEADER) this.stats.watchesEndedNoLeader++;
        // Cancelled as its first message: the member refused the stream outright.
        this.env.note(`controller ${this.env.controller}: member ${this.watchMember} ${m.seq === 0 ? "refused" : "ended"} its watch${r.cancelReason ? `: ${r.cancelReason}` : ""}`);
        this.watcherId = 0;
        this.rewatchPending = true;
      }
      return;
    }
    // The created response's revision promises nothing about events from startRevision on.
    if (r.created && r.events.length === 0) return;
    let highest = r.header.revision;
    for (const e of r.events) {
      this.stats.watchEvents++;
      if (e.type === "PUT") this.cache.set(e.kv.key, e.kv);
      else this.cache.delete(e.kv.key);
      highest = Math.max(highest, e.kv.modRevision);
    }
    // A member behind the cache (resumed on a lagging follower) reports older revisions: no news.
    if (highest <= this.revision && r.events.length === 0) return;
    this.revision = Math.max(this.revision, highest);
    this.recordSnapshot(r.events.length > 0);
  }
}
