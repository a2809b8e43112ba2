// Requests that crash etcd 3.4 (found by this suite's random sequences, session 17): a txn
// with a from-key delete (range end "\0") and a put with ignore_value or ignore_lease of a key
// in that range. etcd's duplicate-key check (v3rpc checkIntervals) turns a "\0" range end into
// an empty interval (etcd-io/etcd#22445, #22395), so the txn is accepted; its puts' pre-check
// finds the key, the delete then removes it, the put fails mid-txn, and the server panics
// ("unexpected error during txn: etcdserver: key not found") while applying the entry; on
// restart it applies the entry again and panics again. The suite never sends such a request
// to etcd: raftsim answers it alone, and must refuse it whole (nothing applied).
import type { EtcdRequest, TxnOp } from "../core/server/api";
import { compareKeys } from "../core/mvcc/keys";

/** Every op of a txn, nested txns included, both branches. */
function allOps(ops: readonly TxnOp[]): TxnOp[] {
  return ops.flatMap((op) => (op.type === "txn" ? [op, ...allOps(op.success), ...allOps(op.failure)] : [op]));
}

/** Conservatively: any from-key delete and any ignore_value/ignore_lease put at or after its key, anywhere in the txn. */
export function crashesEtcd34(req: EtcdRequest): boolean {
  if (req.type !== "txn") return false;
  const ops = allOps([...req.success, ...req.failure]);
  const fromKeyDeletes = ops.flatMap((op) => (op.type === "deleteRange" && op.rangeEnd === "\0" ? [op.key] : []));
  if (fromKeyDeletes.length === 0) return false;
  return ops.some((op) => op.type === "put" && (op.ignoreValue || op.ignoreLease) && fromKeyDeletes.some((from) => compareKeys(op.key, from) >= 0));
}
