// The etcd v3 request/response types recorded in raftsim histories (model "etcd").
// Field names follow etcd's api/etcdserverpb/rpc.proto and mvccpb/kv.proto in camelCase
// (as etcd's JSON gateway prints them), with a `type` tag instead of protobuf's oneof.
// Keys and values are strings; keys compare by UTF-16 code unit (= byte order for ASCII).
//
// Outcome of a request:
// - `output` an EtcdResponse: the request definitely completed with that response;
// - `output` an EtcdError whose `error` is one of DEFINITE_ERRORS: the request
//   definitely had no effect and the model checks that the error was due;
// - any other error, or output null / return null: unknown outcome — it may or may not
//   have applied, at any time after its call (the checker treats it as open to ∞).

/** mvccpb.KeyValue. `lease` 0 = no lease. */
export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
  /** Number of puts since the key was (re)created; 1 right after creation. */
  version: number;
  lease: number;
}

/**
 * rangeEnd conventions as in etcd: absent or "" = just `key`; "\0" = every key >= key;
 * otherwise the half-open interval [key, rangeEnd). Prefix p: rangeEnd = p with its
 * last character incremented.
 */
export interface RangeRequest {
  key: string;
  rangeEnd?: string;
  /** 0 or absent = no limit. */
  limit?: number;
  /** 0 or absent = the current revision. Reads at an older revision are checked only partially (see etcd.ts). */
  revision?: number;
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
  /** NONE (key order) when absent; a target other than KEY with NONE sorts ascending, as etcd does. */
  sortOrder?: "NONE" | "ASCEND" | "DESCEND";
  sortTarget?: "KEY" | "VERSION" | "CREATE" | "MOD" | "VALUE";
  /** 0 or absent = no bound. kvs outside the bounds are left out of kvs and `more`, not of `count`. */
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}

export interface PutRequest {
  key: string;
  value: string;
  /** 0 or absent = no lease. */
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

/** One Txn compare; the field matching `target` holds the operand. */
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

export interface TxnRequest {
  compare: Compare[];
  success: TxnOp[];
  failure: TxnOp[];
}

export interface CompactionRequest {
  revision: number;
  physical?: boolean;
}

/** raftsim clients choose lease IDs; ID 0 = server-assigned (the response's ID counts). */
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
  /** Also list the keys attached to the lease. */
  keys?: boolean;
}

/** A request inside a Txn (etcd's RequestOp). */
export type TxnOp = ({ type: "range" } & RangeRequest) | ({ type: "put" } & PutRequest) | ({ type: "deleteRange" } & DeleteRangeRequest) | ({ type: "txn" } & TxnRequest);

export type EtcdRequest =
  | TxnOp
  | ({ type: "compact" } & CompactionRequest)
  | ({ type: "leaseGrant" } & LeaseGrantRequest)
  | ({ type: "leaseRevoke" } & LeaseRevokeRequest)
  | ({ type: "leaseKeepAlive" } & LeaseKeepAliveRequest)
  | ({ type: "leaseTimeToLive" } & LeaseTimeToLiveRequest)
  | { type: "leaseLeases" };

export interface ResponseHeader {
  /** The store's revision when the request was applied (after it, for a write). */
  revision: number;
}

export interface RangeResponse {
  kvs: KeyValue[];
  /** True when `limit` cut the result. */
  more?: boolean;
  /** Number of keys in the range (before limit). */
  count?: number;
}
export interface PutResponse {
  /** Present when requested and the key existed. */
  prevKv?: KeyValue;
}
export interface DeleteRangeResponse {
  deleted: number;
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
  /** Remaining whole seconds (time-dependent); -1 when the lease does not exist. */
  TTL: number;
  /** The TTL the lease was granted (or raised to); 0 when it does not exist. */
  grantedTTL: number;
  /** With `keys`: the keys attached to the lease, in key order. */
  keys?: string[];
}
export interface LeaseLeasesResponse {
  /** Every live lease's ID. */
  leases: number[];
}

/** Responses inside a Txn (etcd's ResponseOp); `header` is optional there. */
export type TxnOpResponse = { header?: ResponseHeader } & (
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

/** A failed request: `error` is etcd's message, e.g. "etcdserver: request timed out". */
export interface EtcdError {
  error: string;
}

export type EtcdResponse = EtcdSuccess | EtcdError;

export const ERR_COMPACTED = "etcdserver: mvcc: required revision has been compacted";
export const ERR_FUTURE_REV = "etcdserver: mvcc: required revision is a future revision";
export const ERR_LEASE_NOT_FOUND = "etcdserver: requested lease not found";
export const ERR_LEASE_EXISTS = "etcdserver: lease already exists";
export const ERR_KEY_NOT_FOUND = "etcdserver: key not found";

/** Errors that mean "definitely not applied, and the store was right to refuse". */
export const DEFINITE_ERRORS: readonly string[] = [ERR_COMPACTED, ERR_FUTURE_REV, ERR_LEASE_NOT_FOUND, ERR_LEASE_EXISTS, ERR_KEY_NOT_FOUND];
