// Splits each request of a one-client run into the simulated costs on its critical path,
// read off the trace. With one request outstanding, the path is a chain of timestamps:
//
//   call → server receives → server sends the round's message (append / heartbeat)
//        → the acking follower receives it → it sends its ack → the server receives the ack
//        → the server sends the reply → the client receives it
//
// so the phases telescope: they add up to the client-seen latency exactly. A request with
// no replication round (a serializable read) has just: network in, server, network out.
import { assert } from "../../core/assert";
import type { TraceEvent } from "../../sim/trace/types";
import { MSG_CLIENT_REQUEST, MSG_CLIENT_RESPONSE } from "../../core/client/protocol";
import { WAL_FILE } from "../../sim/host/wal";

/** Per-request phase durations (µs). */
export interface RequestPhases {
  totalUs: number;
  /** Client → server, one way (the lan profile's latency + serialization). */
  clientNetInUs: number;
  /** Server received → it sent the round's message (a put: the leader's WAL fsync, incl. queueing). */
  serverBeforeRoundUs: number;
  /** The round's message to the follower that completed the quorum, one way. */
  peerNetOutUs: number;
  /** That follower: received → acked (a put: its WAL fsync, incl. queueing). */
  followerUs: number;
  /** Its ack back to the server, one way. */
  peerNetBackUs: number;
  /** Server: ack received → reply sent (apply; a serializable read: all server time). */
  serverAfterRoundUs: number;
  /** Server → client, one way. */
  clientNetOutUs: number;
  /** Of serverBeforeRound: the leader's WAL fsync itself (its service time; the rest is waiting). */
  leaderFsyncUs: number;
  /** Of follower: the follower's WAL fsync itself. */
  followerFsyncUs: number;
  /** Whether a replication round (append or heartbeat) was on the path. */
  round: boolean;
}

export const PHASE_KEYS = ["clientNetInUs", "serverBeforeRoundUs", "peerNetOutUs", "followerUs", "peerNetBackUs", "serverAfterRoundUs", "clientNetOutUs"] as const;
export type PhaseKey = (typeof PHASE_KEYS)[number];

const ROUND_REQUEST = new Set(["app", "heartbeat"]);
const ROUND_ACK = new Set(["app-resp", "heartbeat-resp"]);

interface Delivery {
  tUs: number;
  sentUs: number;
}

/**
 * Observes a run's trace for one client talking to one server. Call begin() when the client
 * sends, feed every trace event, and end() when the reply arrives.
 */
export class PhaseTracker {
  private active = false;
  private callUs = 0;
  private receive: Delivery | undefined;
  private replySentUs: number | undefined;
  private reply: Delivery | undefined;
  /** Last round message each follower received from the server during this request. */
  private roundIn = new Map<number, Delivery>();
  private ack: { from: number; delivery: Delivery; request: Delivery; leaderFsyncUs: number; followerFsyncUs: number } | undefined;
  /** Per node: the last WAL fsync's end time and service latency. */
  private walSynced = new Map<number, { tUs: number; latencyUs: number }>();
  readonly requests: RequestPhases[] = [];

  constructor(
    readonly clientId: number,
    readonly serverId: number,
  ) {}

  begin(callUs: number): void {
    assert(!this.active, "phase tracker: one request at a time");
    this.active = true;
    this.callUs = callUs;
    this.receive = undefined;
    this.replySentUs = undefined;
    this.reply = undefined;
    this.roundIn.clear();
    this.ack = undefined;
  }

  observe(e: TraceEvent): void {
    if (e.type === "fsync-end") {
      if (e.file === WAL_FILE && e.ok) this.walSynced.set(e.node, { tUs: e.tUs, latencyUs: e.latencyUs });
      return;
    }
    if (!this.active) return;
    if (e.type === "deliver") {
      if (e.from === this.clientId && e.to === this.serverId && e.msgType === MSG_CLIENT_REQUEST && !this.receive) this.receive = { tUs: e.tUs, sentUs: e.sentUs };
      else if (e.from === this.serverId && e.to === this.clientId && e.msgType === MSG_CLIENT_RESPONSE) this.reply = { tUs: e.tUs, sentUs: e.sentUs };
      else if (this.receive && this.replySentUs === undefined && e.from === this.serverId && ROUND_REQUEST.has(e.msgType)) this.roundIn.set(e.to, { tUs: e.tUs, sentUs: e.sentUs });
      else if (this.receive && this.replySentUs === undefined && e.to === this.serverId && ROUND_ACK.has(e.msgType)) {
        const request = this.roundIn.get(e.from);
        // The ack answers a round message this follower got during this request.
        if (request && request.tUs <= e.sentUs && request.sentUs >= this.receive.tUs) {
          // A WAL fsync that ended the instant a message left is what that message waited for.
          const leaderSync = this.walSynced.get(this.serverId);
          const followerSync = this.walSynced.get(e.from);
          this.ack = {
            from: e.from,
            delivery: { tUs: e.tUs, sentUs: e.sentUs },
            request,
            leaderFsyncUs: leaderSync && leaderSync.tUs === request.sentUs && leaderSync.tUs >= this.receive.tUs ? leaderSync.latencyUs : 0,
            followerFsyncUs: followerSync && followerSync.tUs === e.sentUs && followerSync.tUs >= request.tUs ? followerSync.latencyUs : 0,
          };
        }
      }
      return;
    }
    if (e.type === "send" && e.from === this.serverId && e.to === this.clientId && e.msgType === MSG_CLIENT_RESPONSE && this.receive && this.replySentUs === undefined) {
      this.replySentUs = e.tUs;
    }
  }

  /** The reply arrived at returnUs: close the request and record its phases. */
  end(returnUs: number): RequestPhases {
    assert(this.active, "phase tracker: end without begin");
    this.active = false;
    const receive = this.receive;
    const replySentUs = this.replySentUs;
    assert(receive !== undefined && replySentUs !== undefined && this.reply !== undefined, "phase tracker: the request's messages were not all seen");
    assert(this.reply.tUs === returnUs, `phase tracker: reply delivered at ${this.reply.tUs}, client returned at ${returnUs}`);
    const p: RequestPhases = {
      totalUs: returnUs - this.callUs,
      clientNetInUs: receive.tUs - this.callUs,
      serverBeforeRoundUs: 0,
      peerNetOutUs: 0,
      followerUs: 0,
      peerNetBackUs: 0,
      serverAfterRoundUs: 0,
      clientNetOutUs: returnUs - replySentUs,
      leaderFsyncUs: 0,
      followerFsyncUs: 0,
      round: false,
    };
    // The ack that completed the quorum is the last one received before the reply left.
    const ack = this.ack && this.ack.delivery.tUs <= replySentUs ? this.ack : undefined;
    if (ack) {
      p.round = true;
      p.serverBeforeRoundUs = ack.request.sentUs - receive.tUs;
      p.peerNetOutUs = ack.request.tUs - ack.request.sentUs;
      p.followerUs = ack.delivery.sentUs - ack.request.tUs;
      p.peerNetBackUs = ack.delivery.tUs - ack.delivery.sentUs;
      p.serverAfterRoundUs = replySentUs - ack.delivery.tUs;
      p.leaderFsyncUs = ack.leaderFsyncUs;
      p.followerFsyncUs = ack.followerFsyncUs;
    } else {
      p.serverAfterRoundUs = replySentUs - receive.tUs;
    }
    const sum = PHASE_KEYS.reduce((a, k) => a + p[k], 0);
    assert(sum === p.totalUs, `phase tracker: phases add up to ${sum} µs, the request took ${p.totalUs} µs`);
    for (const k of PHASE_KEYS) assert(p[k] >= 0, `phase tracker: negative ${k} (${p[k]} µs)`);
    this.requests.push(p);
    return p;
  }
}

/**
 * The put's latency had the leader overlapped its own WAL fsync with the followers' round,
 * as etcd does: the slower of the two is on the path, not their sum.
 */
export function overlappedLeaderFsyncUs(p: RequestPhases): number {
  if (!p.round) return p.totalUs;
  const roundUs = p.peerNetOutUs + p.followerUs + p.peerNetBackUs;
  return p.clientNetInUs + Math.max(p.serverBeforeRoundUs, roundUs) + p.serverAfterRoundUs + p.clientNetOutUs;
}
