// Wire and storage types of the Raft core, shaped after etcd-io/raft's raftpb.
// Everything here is plain data: the host may copy, encode or persist it freely.

export type NodeId = number;
/** 0 means "no node" (no vote, no known leader), as in etcd-io/raft. */
export const NONE: NodeId = 0;

export type Role = "follower" | "pre-candidate" | "candidate" | "leader";

export type EntryType = "normal" | "conf-change";

export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  /** For "conf-change" entries: encodeConfChange(cc). Empty for the leader's no-op. */
  readonly data: Uint8Array;
}

/** Durable state that must hit stable storage before any message depending on it leaves (§5.1, Figure 2). */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

/**
 * Cluster configuration (thesis §4.3, joint consensus). `votersOutgoing` is non-empty
 * only while in the joint configuration C_old,new; decisions then need a majority of both.
 */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly votersOutgoing: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export type ConfChangeOp = "add-voter" | "remove-node" | "add-learner";

export interface ConfChangeSingle {
  readonly op: ConfChangeOp;
  readonly node: NodeId;
}

/**
 * A membership change. A non-empty change touching voters enters the joint configuration;
 * an empty `changes` list leaves it (the leader proposes that automatically once the
 * joint entry is applied, like etcd's auto-leave). Learner-only changes apply directly
 * since learners never count towards a quorum.
 */
export interface ConfChange {
  readonly changes: readonly ConfChangeSingle[];
}

export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

export interface Snapshot extends SnapshotMeta {
  readonly data: Uint8Array;
}

export type MessageType =
  | "hup" // local: start an election
  | "beat" // local: leader broadcasts heartbeats
  | "app"
  | "app-resp"
  | "vote"
  | "vote-resp"
  | "pre-vote"
  | "pre-vote-resp"
  | "heartbeat"
  | "heartbeat-resp"
  | "snap"
  | "timeout-now"
  | "read-index"
  | "read-index-resp"
  | "transfer-leader";

export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  /** app: term of the entry preceding `entries`; vote: candidate's last log term; app-resp reject: hint term. */
  readonly logTerm?: number;
  /** app: index preceding `entries`; app-resp: match index or rejected index; vote: last log index; read-index-resp: read index. */
  readonly index?: number;
  readonly entries?: readonly Entry[];
  /** app, heartbeat: the leader's commit index (heartbeat: capped at the follower's match); app-resp, heartbeat-resp: the follower's. */
  readonly commit?: number;
  readonly reject?: boolean;
  readonly rejectHint?: number;
  readonly snapshot?: Snapshot;
  /** read-index context; "transfer" on a vote issued by a leader transfer. */
  readonly context?: string;
  /** heartbeat: leader's tick counter when sent, echoed back; used by lease reads (thesis §6.4.1). */
  readonly leaseTick?: number;
}

export interface SoftState {
  readonly lead: NodeId;
  readonly role: Role;
}

export interface ReadState {
  readonly index: number;
  readonly context: string;
}

export const EMPTY_CONF: ConfState = { voters: [], votersOutgoing: [], learners: [] };

export function isLocalMessage(t: MessageType): boolean {
  return t === "hup" || t === "beat";
}

export function isResponse(t: MessageType): boolean {
  return t === "app-resp" || t === "vote-resp" || t === "pre-vote-resp" || t === "heartbeat-resp" || t === "read-index-resp";
}

/** Approximate size of an entry on the wire; used for the max-bytes-per-message flow control. */
export function entrySizeBytes(e: Entry): number {
  return 24 + e.data.byteLength;
}
