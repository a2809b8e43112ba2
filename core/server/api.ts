// Request/response types of raftsim's etcd-like server. Names follow etcd's
// api/etcdserverpb/rpc.proto in camelCase with a `type` tag for protobuf's oneofs; the
// shapes match checker/models/etcd-types.ts (structurally: core imports nothing outside
// core) so client histories record these objects verbatim. All JSON-friendly.
import type { KeyValue } from "../mvcc/types";

export type { KeyValue } from "../mvcc/types";

// ---- errors: etcd 3.4's exact messages (rpctypes / mvcc / lease packages) ----
export const ERR_COMPACTED = "etcdserver: mvcc: required revision has been compacted";
export const ERR_FUTURE_REV = "etcdserver: mvcc: required revision is a future revision";
export const ERR_EMPTY_KEY = "etcdserver: key is not provided";
export const ERR_KEY_NOT_FOUND = "etcdserver: key not found";
export const ERR_VALUE_PROVIDED = "etcdserver: value is provided";
export const ERR_LEASE_PROVIDED = "etcdserver: lease is provided";
export const ERR_TOO_MANY_OPS = "etcdserver: too many operations in txn request";
export const ERR_DUPLICATE_KEY = "etcdserver: duplicate key given in txn request";
export const ERR_REQUEST_TOO_LARGE = "etcdserver: request is too large";
export const ERR_LEASE_NOT_FOUND = "etcdserver: requested lease not found";
export const ERR_LEASE_EXISTS = "etcdserver: lease already exists";
export const ERR_LEASE_TTL_TOO_LARGE = "etcdserver: too large lease TTL";
export const ERR_TIMEOUT = "etcdserver: request timed out";
export const ERR_NO_LEADER = "etcdserver: no leader";
export const ERR_NOT_LEADER = "etcdserver: not leader";
export const ERR_STOPPED = "etcdserver: server stopped";

/** etcd's defaults (--max-txn-ops, --max-request-bytes, lease.MaxLeaseTTL). */
export const MAX_TXN_OPS = 128;
export const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
export const MAX_LEASE_TTL_SECONDS = 9_000_000_000;

// ---- requests ----
export type SortOrder = "NONE" | "ASCEND" | "DESCEND";
export type SortTarget = "KEY" | "VERSION" | "CREATE" | "MOD" | "VALUE";

/** rangeEnd: absent or "" = just `key`; "\0" = every key ≥ key; else [key, rangeEnd). */
export interface RangeRequest {
  key: string;
  rangeEnd?: string;
  /** 0 or absent = no limit. */
  limit?: number;
  /** 0 or absent = current. Future → ERR_FUTURE_REV, below compaction → ERR_COMPACTED. */
  revision?: number;
  sortOrder?: SortOrder;
  sortTarget?: SortTarget;
  /** Serializable = answered from the local replica; otherwise linearizable (ReadIndex). */
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}

export interface PutRequest {
  key: string;
  value: string;
  lease?: number;
  prevKv?: boolean;
  ignoreValue?: boolean;
  ignoreLease?: boolean;
}

export interface DeleteRangeRequest {
  key: string;
  rangeEnd?: string;
  prevKv?: boolean;
}

export type CompareTarget = "VERSION" | "CREATE" | "MOD" | "VALUE" | "LEASE";
export type CompareResult = "EQUAL" | "GREATER" | "LESS" | "NOT_EQUAL";

/** The operand is the field named by `target` (version/createRevision/modRevision/value/lease). */
export interface Compare {
  key: string;
  rangeEnd?: string;
  target: CompareTarget;
  result: CompareResult;
  version?: number;
  createRevision?: number;
  modRevision?: number;
  value?: string;
  lease?: number;
}

export type TxnOp =
  | ({ type: "range" } & RangeRequest)
  | ({ type: "put" } & PutRequest)
  | ({ type: "deleteRange" } & DeleteRangeRequest)
  | ({ type: "txn" } & TxnRequest);

export interface TxnRequest {
  compare: Compare[];
  success: TxnOp[];
  failure: TxnOp[];
}

export interface CompactionRequest {
  revision: number;
  physical?: boolean;
}

/** ID 0 = server-assigned (deterministically, at apply). */
export interface LeaseGrantRequest {
  TTL: number;
  ID: number;
}
export interface LeaseRevokeRequest {
  ID: number;
}
export interface LeaseKeepAliveRequest {
  ID: number;
}
export interface LeaseTimeToLiveRequest {
  ID: number;
  keys?: boolean;
}

/** What goes through the Raft log: one entry = one request = at most one revision. */
export type LogRequest =
  | TxnOp
  | ({ type: "compact" } & CompactionRequest)
  | ({ type: "leaseGrant" } & LeaseGrantRequest)
  | ({ type: "leaseRevoke" } & LeaseRevokeRequest);

/** Everything a client can ask (keepalive, timeToLive and leases are served by the leader's lessor, not the log). */
export type EtcdRequest =
  | LogRequest
  | ({ type: "leaseKeepAlive" } & LeaseKeepAliveRequest)
  | ({ type: "leaseTimeToLive" } & LeaseTimeToLiveRequest)
  | { type: "leaseLeases" };

// ---- responses ----
export interface ResponseHeader {
  /** Store revision when served (after the request, for a write). */
  revision: number;
  clusterId?: number;
  memberId?: number;
  raftTerm?: number;
}

export interface RangeResponse {
  kvs: KeyValue[];
  more: boolean;
  count: number;
}
export interface PutResponse {
  /** Present when requested and the key existed. */
  prevKv?: KeyValue;
}
export interface DeleteRangeResponse {
  deleted: number;
  /** Present when requested. */
  prevKvs?: KeyValue[];
}
export interface TxnResponse {
  succeeded: boolean;
  responses: TxnOpResponse[];
}
export interface LeaseGrantResponse {
  ID: number;
  TTL: number;
}
export interface LeaseKeepAliveResponse {
  ID: number;
  TTL: number;
}
export interface LeaseTimeToLiveResponse {
  ID: number;
  /** Remaining whole seconds; -1 when the lease does not exist. */
  TTL: number;
  /** 0 when the lease does not exist. */
  grantedTTL: number;
  /** With `keys`: the keys attached to the lease, in key order. */
  keys?: string[];
}
export interface LeaseLeasesResponse {
  /** Every live lease's ID, ascending. */
  leases: number[];
}

/** etcd's ResponseOp. A nested txn's header has revision 0, as etcd sends `header: {}`. */
export type TxnOpResponse = { header: ResponseHeader } & (
  | ({ type: "range" } & RangeResponse)
  | ({ type: "put" } & PutResponse)
  | ({ type: "deleteRange" } & DeleteRangeResponse)
  | ({ type: "txn" } & TxnResponse)
);

export type EtcdSuccess = { header: ResponseHeader; error?: undefined } & (
  | ({ type: "range" } & RangeResponse)
  | ({ type: "put" } & PutResponse)
  | ({ type: "deleteRange" } & DeleteRangeResponse)
  | ({ type: "txn" } & TxnResponse)
  | { type: "compact" }
  | ({ type: "leaseGrant" } & LeaseGrantResponse)
  | { type: "leaseRevoke" }
  | ({ type: "leaseKeepAlive" } & LeaseKeepAliveResponse)
  | ({ type: "leaseTimeToLive" } & LeaseTimeToLiveResponse)
  | ({ type: "leaseLeases" } & LeaseLeasesResponse)
);

export interface EtcdError {
  error: string;
}

export type EtcdResponse = EtcdSuccess | EtcdError;

export function isError<T extends object>(r: T | EtcdError): r is EtcdError {
  return typeof (r as Partial<EtcdError>).error === "string";
}

// ---- watch ----
export type WatchFilter = "NOPUT" | "NODELETE";

export interface WatchCreateRequest {
  key: string;
  rangeEnd?: string;
  /** Inclusive; 0 or absent = from the next revision ("now"). */
  startRevision?: number;
  progressNotify?: boolean;
  filters?: WatchFilter[];
  prevKv?: boolean;
  /** 0 or absent = server-assigned. */
  watchId?: number;
  fragment?: boolean;
}

export interface WatchEvent {
  type: "PUT" | "DELETE";
  kv: KeyValue;
  prevKv?: KeyValue;
}

/**
 * One message of the watch stream. created / canceled / progress (no events, neither
 * flag) / events. Events in one response always cover whole revisions.
 */
export interface WatchResponse {
  header: ResponseHeader;
  watchId: number;
  created: boolean;
  canceled: boolean;
  /** Set with canceled when the start revision was compacted: the store's compaction revision. */
  compactRevision: number;
  cancelReason: string;
  events: WatchEvent[];
  /** More of this response follows (the watcher asked for fragments; see watch_fragment.ts). */
  fragment?: boolean;
}

// ---- status ----
export interface StatusResponse {
  header: ResponseHeader;
  /** Applied (consistent) index of this member. */
  raftAppliedIndex: number;
  compactRevision: number;
  /** Filled by the host: */
  leader?: number;
  raftTerm?: number;
  raftIndex?: number;
}

// ---- cluster (membership) and maintenance (status, snapshot) ----
// etcd's Cluster and Maintenance services. These never go through the KV state machine:
// member list, status and snapshot are answered by the member asked; add / remove /
// promote become Raft configuration changes proposed by the leader.

export const ERR_PEER_URL_EXIST = "etcdserver: Peer URLs already exists";
export const ERR_MEMBER_NOT_ENOUGH_STARTED = "etcdserver: re-configuration failed due to not enough started members";
export const ERR_MEMBER_BAD_URLS = "etcdserver: given member URLs are invalid";
export const ERR_MEMBER_NOT_FOUND = "etcdserver: member not found";
export const ERR_MEMBER_NOT_LEARNER = "etcdserver: can only promote a learner member";
export const ERR_LEARNER_NOT_READY = "etcdserver: can only promote a learner member which is in sync with leader";
export const ERR_TOO_MANY_LEARNERS = "etcdserver: too many learner members in cluster";
export const ERR_UNHEALTHY = "etcdserver: unhealthy cluster";

/** etcd allows one learner at a time (membership.maxLearners). */
export const MAX_LEARNERS = 1;
/** A learner may be promoted once its match index is ≥ 90 % of the leader's (etcd's readyPercent). */
export const LEARNER_READY_FRACTION = 0.9;

/** etcd's Member. In the simulation a member's ID is its node id, and its peer URL names it: http://n<ID>:2380. */
export interface Member {
  ID: number;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface MemberAddRequest {
  peerURLs: string[];
  isLearner?: boolean;
}
export interface MemberRemoveRequest {
  ID: number;
}
export interface MemberPromoteRequest {
  ID: number;
}

/** Requests outside the KV API: served by the member asked (list, status, snapshot) or through Raft conf changes. */
export type AdminRequest =
  | { type: "memberList" }
  | ({ type: "memberAdd" } & MemberAddRequest)
  | ({ type: "memberRemove" } & MemberRemoveRequest)
  | ({ type: "memberPromote" } & MemberPromoteRequest)
  | { type: "status" }
  | { type: "snapshot" };

export type AdminRequestType = AdminRequest["type"];

const ADMIN_REQUEST_TYPES: ReadonlySet<string> = new Set<AdminRequestType>(["memberList", "memberAdd", "memberRemove", "memberPromote", "status", "snapshot"]);

export function isAdminRequest(req: { type: string }): req is AdminRequest {
  return ADMIN_REQUEST_TYPES.has(req.type);
}

/** etcd's StatusResponse (Maintenance.Status), with the simulation's ids. */
export interface MemberStatus {
  version: string;
  /** Bytes of this member's backend image on its disk (0 before the first backend commit). */
  dbSize: number;
  /** 0 = no known leader. */
  leader: number;
  /** Last index in this member's Raft log. */
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  isLearner: boolean;
  errors: string[];
}

export type AdminSuccess = { header: ResponseHeader; error?: undefined } & (
  | { type: "memberList"; members: Member[] }
  | { type: "memberAdd"; member: Member; members: Member[] }
  | { type: "memberRemove"; members: Member[] }
  | { type: "memberPromote"; members: Member[] }
  | ({ type: "status" } & MemberStatus)
  /** The whole backend image (core/server/backend.ts) in base64: data, leases and consistent index. */
  | { type: "snapshot"; remainingBytes: number; blob: string }
);

export type AdminResponse = AdminSuccess | EtcdError;
