// Public MVCC types, named after etcd's mvccpb (camelCase). JSON-friendly on purpose:
// client histories and snapshots carry them verbatim.

export interface KeyValue {
  key: string;
  /** Revision of the last creation of this key (0 for a deleted key's tombstone). */
  createRevision: number;
  /** Revision of the last modification. */
  modRevision: number;
  /** Number of modifications since creation; a delete resets it to 0. */
  version: number;
  value: string;
  /** Attached lease id, 0 = none. */
  lease: number;
}

export type EventType = "PUT" | "DELETE";

export interface MvccEvent {
  type: EventType;
  /** For DELETE: only key and modRevision are set, as in etcd. */
  kv: KeyValue;
  prevKv?: KeyValue;
}

export class MvccError extends Error {
  constructor(
    readonly code: "compacted" | "future-revision",
    message: string,
  ) {
    super(message);
  }
}

// etcd 3.4's exact messages (mvcc.ErrCompacted / ErrFutureRev as the gRPC layer returns them).
export const ERR_COMPACTED = "etcdserver: mvcc: required revision has been compacted";
export const ERR_FUTURE_REV = "etcdserver: mvcc: required revision is a future revision";
