// The simulated network. Each message gets a one-way latency drawn from the link's
// profile, may be lost, duplicated or delayed out of order, and is checked against the
// partitions both when sent and when it would arrive: a partitioned message is never
// delivered. Every message's fate is traced.
import { assert } from "../core/assert";
import type { Rng } from "./rng";
import type { TraceLog } from "./trace/log";
import type { DropReason, NodeId, TraceEvent } from "./trace/types";

export interface NetworkProfile {
  name: string;
  /** One-way latency = baseUs + lognormal jitter with this median/p99 (µs). */
  baseUs: number;
  jitterMedianUs: number;
  jitterP99Us: number;
  /** Ceiling on one-way latency before reordering delay. */
  latencyMaxUs: number;
  lossProbability: number;
  duplicateProbability: number;
  /** Probability that a message is held back by an extra delay (reordering). */
  reorderProbability: number;
  reorderDelayMaxUs: number;
  /** Link bandwidth; 0 = unlimited. Adds bytes / bandwidth of serialization delay. */
  bandwidthBytesPerUs: number;
}

export const NETWORK_PROFILES: Record<string, NetworkProfile> = {
  // A data-centre LAN: ~0.1–0.5 ms one way.
  lan: { name: "lan", baseUs: 100, jitterMedianUs: 120, jitterP99Us: 400, latencyMaxUs: 500, lossProbability: 0, duplicateProbability: 0, reorderProbability: 0, reorderDelayMaxUs: 0, bandwidthBytesPerUs: 1250 },
  // Cross-region: ~25–65 ms one way.
  wan: { name: "wan", baseUs: 25_000, jitterMedianUs: 12_000, jitterP99Us: 40_000, latencyMaxUs: 65_000, lossProbability: 0, duplicateProbability: 0, reorderProbability: 0, reorderDelayMaxUs: 0, bandwidthBytesPerUs: 125 },
};

export type EndpointState = "up" | "down" | "paused";

export type MessageHandler = (from: NodeId, msgType: string, payload: unknown) => void;

/** Read during send() only, never kept: a caller may reuse one object for every message. */
export interface SendMeta {
  term?: number;
  bytes?: number;
  detail?: string;
  /**
   * Sent on a connection (a client's gRPC stream, a member's forward to the leader), as TCP
   * carries it: it never reaches a later run of the receiver than the one it was sent to
   * (nor one that was down when it was sent). Without it a message is a datagram, which
   * may arrive after the receiver restarted — what Raft must and does tolerate, and what
   * an application's in-memory duplicate filter would not.
   */
  stream?: boolean;
}

export interface NetworkHooks {
  nowUs(): number;
  schedule(delayUs: number, fn: () => void): void;
  trace(event: TraceEvent): void;
  /** Whether an endpoint is alive: messages to a down or paused endpoint are dropped on arrival. */
  endpointState(id: NodeId): EndpointState;
  /** Which run of an endpoint this is (bumped by every crash); for stream messages. Default 0. */
  incarnation?(id: NodeId): number;
  /**
   * The trace's typed entry points for send/deliver/drop (the same records as trace() would
   * get, without building them). Optional: without it every record goes through trace().
   */
  tracer?: Pick<TraceLog, "send" | "deliver" | "drop">;
}

const LINK_KEY_MUL = 1 << 16;

export class Network {
  private readonly handlers = new Map<NodeId, MessageHandler>();
  /** handlers by id (ids are < 2^16): an array read per delivery instead of a Map lookup. */
  private readonly handlerById: (MessageHandler | undefined)[] = [];
  /** Directed links that are cut: key = from * 2^16 + to. */
  private readonly cut = new Set<number>();
  /** Directed links clogged until a time: messages wait until then. */
  private readonly cloggedUntilUs = new Map<number, number>();
  private msgIdNext = 1;
  /** Per-link fault overrides (loss etc. for the whole network). */
  profile: NetworkProfile;
  messagesSent = 0;
  messagesDelivered = 0;
  messagesDropped = 0;

  constructor(
    profile: NetworkProfile,
    private readonly rng: Rng,
    private readonly hooks: NetworkHooks,
  ) {
    this.profile = { ...profile };
  }

  register(id: NodeId, handler: MessageHandler): void {
    assert(id >= 0 && id < LINK_KEY_MUL, () => `endpoint id out of range: ${id}`);
    this.handlers.set(id, handler);
    while (this.handlerById.length <= id) this.handlerById.push(undefined);
    this.handlerById[id] = handler;
  }

  send(from: NodeId, to: NodeId, msgType: string, payload: unknown, meta: SendMeta = {}): void {
    const msgId = this.msgIdNext++;
    this.messagesSent++;
    const t = this.hooks.nowUs();
    const tracer = this.hooks.tracer;
    if (tracer) tracer.send(t, msgId, from, to, msgType, meta.term, meta.bytes, meta.detail);
    // One object shape for every send (absent fields stay undefined; JSON omits them).
    else this.hooks.trace({ tUs: t, type: "send", msgId, from, to, msgType, term: meta.term, bytes: meta.bytes, detail: meta.detail });
    if (this.isCut(from, to)) return this.drop(msgId, from, to, msgType, "partition");
    if (this.rng.chance(this.profile.lossProbability)) return this.drop(msgId, from, to, msgType, "loss");
    // A stream message belongs to the receiver's current run (none, if it is down now).
    const run = meta.stream ? (this.hooks.endpointState(to) === "down" ? -1 : (this.hooks.incarnation?.(to) ?? 0)) : undefined;
    this.schedule(msgId, from, to, msgType, payload, t, meta.bytes ?? 0, run);
    if (this.rng.chance(this.profile.duplicateProbability)) {
      const copyId = this.msgIdNext++;
      this.hooks.trace({ tUs: t, type: "duplicate", msgId, copyId, from, to });
      this.schedule(copyId, from, to, msgType, payload, t, meta.bytes ?? 0, run);
    }
  }

  /** Draws a one-way latency for a message of this size (µs). */
  latencyUs(bytes: number): number {
    const p = this.profile;
    let latency = p.baseUs + this.rng.lognormal(p.jitterMedianUs, p.jitterP99Us);
    latency = Math.min(latency, p.latencyMaxUs);
    if (p.bandwidthBytesPerUs > 0) latency += bytes / p.bandwidthBytesPerUs;
    if (this.rng.chance(p.reorderProbability)) latency += this.rng.uniform(0, p.reorderDelayMaxUs);
    return Math.max(1, Math.round(latency));
  }

  private schedule(msgId: number, from: NodeId, to: NodeId, msgType: string, payload: unknown, sentUs: number, bytes: number, run: number | undefined): void {
    let arriveUs = sentUs + this.latencyUs(bytes);
    const clog = this.cloggedUntilUs.get(from * LINK_KEY_MUL + to);
    if (clog !== undefined && clog > arriveUs) arriveUs = clog + this.rng.int(0, 100);
    this.hooks.schedule(arriveUs - sentUs, () => this.arrive(msgId, from, to, msgType, payload, sentUs, run));
  }

  private arrive(msgId: number, from: NodeId, to: NodeId, msgType: string, payload: unknown, sentUs: number, run?: number): void {
    // Checked again on arrival: a partition that started while the message was in
    // flight stops it too, so a partitioned message is never delivered.
    if (this.isCut(from, to)) return this.drop(msgId, from, to, msgType, "partition");
    const state = this.hooks.endpointState(to);
    if (state === "down") return this.drop(msgId, from, to, msgType, "receiver-down");
    if (state === "paused") return this.drop(msgId, from, to, msgType, "receiver-paused");
    if (run !== undefined && run !== (this.hooks.incarnation?.(to) ?? 0)) return this.drop(msgId, from, to, msgType, "receiver-restarted");
    const handler = this.handlerById[to];
    if (!handler) return this.drop(msgId, from, to, msgType, "receiver-down");
    this.messagesDelivered++;
    const tracer = this.hooks.tracer;
    if (tracer) tracer.deliver(this.hooks.nowUs(), msgId, from, to, msgType, sentUs);
    else this.hooks.trace({ tUs: this.hooks.nowUs(), type: "deliver", msgId, from, to, msgType, sentUs });
    handler(from, msgType, payload);
  }

  private drop(msgId: number, from: NodeId, to: NodeId, msgType: string, reason: DropReason): void {
    this.messagesDropped++;
    const tracer = this.hooks.tracer;
    if (tracer) tracer.drop(this.hooks.nowUs(), msgId, from, to, msgType, reason);
    else this.hooks.trace({ tUs: this.hooks.nowUs(), type: "drop", msgId, from, to, msgType, reason });
  }

  /** Registered endpoints (nodes and clients), in id order. */
  endpoints(): NodeId[] {
    return [...this.handlers.keys()].sort((a, b) => a - b);
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut.size > 0 && this.cut.has(from * LINK_KEY_MUL + to);
  }

  /** Cuts every link between different groups (both directions). Endpoints not listed are untouched. */
  partition(groups: NodeId[][]): void {
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]!) for (const b of groups[j]!) this.cut.add(a * LINK_KEY_MUL + b);
      }
    }
  }

  /** Cuts one node off from every other endpoint in `others`, both directions. */
  isolate(node: NodeId, others: NodeId[]): void {
    this.partition([[node], others.filter((o) => o !== node)]);
  }

  /** Cuts only from → to; to → from still works (asymmetric partition). */
  cutOneWay(from: NodeId, to: NodeId): void {
    this.cut.add(from * LINK_KEY_MUL + to);
  }

  /** Delays every message on a → b and b → a until untilUs (a congested link). */
  clog(a: NodeId, b: NodeId, untilUs: number): void {
    this.cloggedUntilUs.set(a * LINK_KEY_MUL + b, untilUs);
    this.cloggedUntilUs.set(b * LINK_KEY_MUL + a, untilUs);
  }

  /** Removes every partition, cut and clog. */
  heal(): void {
    this.cut.clear();
    this.cloggedUntilUs.clear();
  }

  get partitioned(): boolean {
    return this.cut.size > 0;
  }
}
