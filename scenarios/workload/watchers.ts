// Watchers: clients that watch the workload's key range and record every response.
// A stream that loses or reorders a message is broken from there on, as a TCP stream would
// be; one that goes quiet for longer than progress notifications allow is presumed dead.
// Like etcd's clientv3 (and Kubernetes' reflectors), a watcher then resumes on the next
// member from the revision after the last one it saw — which may by then be compacted, so
// the server must cancel it rather than skip ahead. Each stream is its own history for the
// checker: its request carries the revision it resumed from.
import { MSG_WATCH_CANCEL, MSG_WATCH_CREATE, MSG_WATCH_PROGRESS, MSG_WATCH_RESPONSE, type WatchCancelMsg, type WatchCreateMsg, type WatchProgressMsg } from "../../core/client/protocol";
import type { WatchCreateRequest, WatchFilter, WatchResponse as ServerWatchResponse } from "../../core/server/api";
import { FragmentJoiner } from "../../core/server/watch_fragment";
import type { WatcherHistory } from "../../checker/watch";
import type { WatchStreamMsg } from "../../sim/etcd/node";
import type { Rng } from "../../sim/rng";
import type { World } from "../../sim/world";

export const WATCHER_ID_BASE = 500;
/** Streams per watcher: each resume opens one; bounded so a flapping cluster cannot spin. */
const STREAMS_PER_WATCHER_MAX = 16;
/** A stream silent this long is presumed dead (progress notifications come every 5 ticks). */
const STREAM_SILENCE_US_MAX = 2_000_000;
/** A client resumes after a pause in this range (it may fall behind a compaction meanwhile). */
const RESUME_DELAY_US_MIN = 50_000;
const RESUME_DELAY_US_MAX = 800_000;
/**
 * Streams are closed and resumed now and then even when healthy, as Kubernetes' API server
 * times out watches and reflectors re-watch from their last revision.
 */
const STREAM_LIFETIME_US_MIN = 300_000;
const STREAM_LIFETIME_US_MAX = 2_000_000;
/**
 * "full" watchers send WatchProgressRequests on some streams, one every so often (clientv3's
 * RequestProgress; Kubernetes asks before serving a consistent list from its watch cache).
 */
const PROGRESS_REQUEST_CHANCE = 0.5;
const PROGRESS_REQUEST_GAP_US_MIN = 100_000;
const PROGRESS_REQUEST_GAP_US_MAX = 1_000_000;
/** A response missing this long while later ones arrived is lost: the stream is broken. */
const STREAM_GAP_US_MAX = 500_000;

export interface WatcherRecord {
  /** One history per stream, in the order opened. */
  histories: WatcherHistory[];
  broken: boolean;
}

interface Stream {
  watcherId: number;
  /** The member the stream was opened on. */
  member: number;
  history: WatcherHistory;
  expectSeq: number;
  /** Responses that arrived ahead of a missing one, by sequence number. */
  early: Map<number, ServerWatchResponse>;
  /** Joins fragments (for a watcher that asked for them) into whole responses. */
  joiner: FragmentJoiner;
  lastHeardUs: number;
  dead: boolean;
}

/** Watch shapes of the "full" request set: event filters, and sub-ranges of the kv key space. */
const FULL_FILTERS: readonly (WatchFilter[] | undefined)[] = [undefined, undefined, ["NODELETE"], ["NOPUT"]];
const KV_SUBRANGES: readonly { key: string; rangeEnd: string }[] = [{ key: "k1", rangeEnd: "k4" }, { key: "k0", rangeEnd: "k1" }, { key: "k2", rangeEnd: "l" }];

export function startWatchers(world: World, rng: Rng, count: number, members: () => number[], startAtUs: number, range: { key: string; rangeEnd: string } = { key: "k", rangeEnd: "l" }, api: "basic" | "full" = "basic"): WatcherRecord[] {
  const records: WatcherRecord[] = [];
  // Its own stream, so the watchers' other draws are what they were before progress requests.
  const progressRng = api === "full" ? world.streams.stream("watch-progress") : undefined;
  // Likewise: which "full" watchers ask for fragments (clientv3's WithFragment).
  const fragmentRng = api === "full" ? world.streams.stream("watch-fragment") : undefined;
  // And which "full" watchers' streams require a leader (clientv3's WithRequireLeader).
  const requireLeaderRng = api === "full" ? world.streams.stream("watch-require-leader") : undefined;
  for (let i = 0; i < count; i++) {
    const clientId = WATCHER_ID_BASE + i;
    let base: WatchCreateRequest = { ...range, prevKv: i % 2 === 0, progressNotify: true };
    if (api === "full") {
      // Drawn only for "full", so "basic" runs draw exactly what they always did.
      const filters = rng.pick(FULL_FILTERS);
      const kvSpace = range.key === "k" && range.rangeEnd === "l";
      const span = kvSpace && rng.chance(0.4) ? rng.pick(KV_SUBRANGES) : range;
      base = { ...base, ...span, ...(filters ? { filters } : {}) };
    }
    if (fragmentRng?.chance(0.5)) base = { ...base, fragment: true };
    const requireLeader = requireLeaderRng?.chance(0.5) === true;
    const record: WatcherRecord = { histories: [], broken: false };
    records.push(record);
    let stream: Stream | undefined;
    /** Highest revision this watcher has seen covered (events or progress), across streams. */
    let seenRevision = 0;
    let memberIndex = i;

    const open = () => {
      if (record.histories.length >= STREAMS_PER_WATCHER_MAX) return;
      const ms = members();
      const member = ms[memberIndex++ % ms.length]!;
      const request: WatchCreateRequest = seenRevision > 0 ? { ...base, startRevision: seenRevision + 1 } : base;
      const watcherId = clientId * 100 + record.histories.length;
      const history: WatcherHistory = { id: record.histories.length === 0 ? clientId : `${clientId}.${record.histories.length}`, request, responses: [] };
      record.histories.push(history);
      stream = { watcherId, member, history, expectSeq: 0, early: new Map(), joiner: new FragmentJoiner(), lastHeardUs: world.nowUs, dead: false };
      const msg: WatchCreateMsg = { clientId, watcherId, request, ...(requireLeader ? { requireLeader } : {}) };
      world.network.send(clientId, member, MSG_WATCH_CREATE, msg, { bytes: 64, stream: true });
      const opened = stream;
      world.scheduler.after(rng.int(STREAM_LIFETIME_US_MIN, STREAM_LIFETIME_US_MAX + 1), () => {
        if (stream === opened) resumeLater("stream lifetime over");
      });
      if (progressRng?.chance(PROGRESS_REQUEST_CHANCE)) {
        const ask = () => {
          if (stream !== opened || opened.dead) return;
          const progress: WatchProgressMsg = { clientId, watcherId };
          world.network.send(clientId, member, MSG_WATCH_PROGRESS, progress, { bytes: 32, stream: true });
          world.scheduler.after(progressRng.int(PROGRESS_REQUEST_GAP_US_MIN, PROGRESS_REQUEST_GAP_US_MAX + 1), ask);
        };
        world.scheduler.after(progressRng.int(PROGRESS_REQUEST_GAP_US_MIN, PROGRESS_REQUEST_GAP_US_MAX + 1), ask);
      }
    };

    const resumeLater = (why: string, endedByMember = false) => {
      world.record({ tUs: world.nowUs, type: "note", text: `watcher ${clientId} resumes: ${why}` });
      if (!stream || stream.dead) return;
      stream.dead = true;
      record.broken = true;
      // Close the abandoned stream, so its member stops serving it (if the message gets there).
      if (!endedByMember) {
        const cancel: WatchCancelMsg = { clientId, watcherId: stream.watcherId };
        world.network.send(clientId, stream.member, MSG_WATCH_CANCEL, cancel, { bytes: 32, stream: true });
      }
      world.scheduler.after(rng.int(RESUME_DELAY_US_MIN, RESUME_DELAY_US_MAX + 1), open);
    };

    const deliver = (st: Stream, r: ServerWatchResponse) => {
      st.lastHeardUs = world.nowUs;
      if (r.created && r.events.length === 0 && !r.canceled) {
        // A watch from now starts after this revision: the check holds it to that.
        if (!st.history.request.startRevision) st.history.createdRevision = r.header.revision;
        return;
      }
      if (r.canceled && r.compactRevision === 0) {
        // Ended by the member, not for compaction (it has no leader and the stream requires
        // one): the stream's history ends, and the watcher resumes elsewhere from where it was.
        return resumeLater(`the member ended the stream: ${r.cancelReason || "canceled"}`, true);
      }
      st.history.responses.push({
        revision: r.header.revision,
        events: r.events.map((e) => ({ type: e.type, kv: e.kv, ...(e.prevKv ? { prevKv: e.prevKv } : {}) })),
        ...(r.events.length === 0 && !r.canceled ? { progressNotify: true } : {}),
        ...(r.canceled ? { canceled: true, compactRevision: r.compactRevision } : {}),
      });
      world.record({ tUs: world.nowUs, type: "watch-event", watcher: clientId, revision: r.header.revision, events: r.events.map((e) => ({ type: e.type, key: e.kv.key, modRevision: e.kv.modRevision })) });
      if (r.canceled) {
        // Cancelled for compaction: what was missed is gone; a real client would re-list.
        // This watcher's record ends here.
        st.dead = true;
        record.broken = true;
        return;
      }
      seenRevision = Math.max(seenRevision, r.header.revision);
    };

    world.network.register(clientId, (_from, msgType, payload) => {
      if (msgType !== MSG_WATCH_RESPONSE || !stream || stream.dead) return;
      const st = stream;
      const m = payload as WatchStreamMsg;
      if (m.watcherId !== st.watcherId || m.seq < st.expectSeq) return; // abandoned stream, or a duplicate
      // A stream is ordered, as TCP is: hold what arrives early until the gap fills.
      st.early.set(m.seq, m.response);
      if (m.seq > st.expectSeq && st.early.size === 1) {
        const stuckAt = st.expectSeq;
        world.scheduler.after(STREAM_GAP_US_MAX, () => {
          if (stream === st && !st.dead && st.expectSeq === stuckAt) resumeLater(`seq ${stuckAt} lost`);
        });
      }
      for (let next = st.early.get(st.expectSeq); next !== undefined && !st.dead; next = st.early.get(st.expectSeq)) {
        st.early.delete(st.expectSeq++);
        st.lastHeardUs = world.nowUs;
        // A fragment waits for the rest of its response; a stream that breaks in between
        // resumes from before that revision, as clientv3 does.
        const whole = st.joiner.push(next);
        if (whole) deliver(st, whole);
      }
    });

    const watchdog = () => {
      if (stream && !stream.dead && world.nowUs - stream.lastHeardUs > STREAM_SILENCE_US_MAX) resumeLater("silence");
      if (record.histories.length < STREAMS_PER_WATCHER_MAX) world.scheduler.after(STREAM_SILENCE_US_MAX / 2, watchdog);
    };
    world.scheduler.at(startAtUs + i * 1_000, () => {
      open();
      world.scheduler.after(STREAM_SILENCE_US_MAX / 2, watchdog);
    });
  }
  return records;
}
