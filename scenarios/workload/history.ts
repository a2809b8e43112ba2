// Records every client operation as the checker's history (call/return in virtual µs;
// return null = unknown outcome) and mirrors it into the trace for the viewer.
import { ERR_NO_LEADER, ERR_NOT_LEADER, type EtcdRequest, type EtcdResponse } from "../../core/server/api";
import { isDefiniteError } from "../../checker/models/etcd";
import type { World } from "../../sim/world";

export interface RecordedOp {
  id: number;
  client: number;
  opType: string;
  input: EtcdRequest;
  call: number;
  output: EtcdResponse | null;
  return: number | null;
  status: "pending" | "ok" | "fail" | "unknown";
  /** Serializable reads may be stale by design: kept out of the linearizability check. */
  linearizable: boolean;
}

export class HistoryRecorder {
  readonly ops: RecordedOp[] = [];

  constructor(private readonly world: World) {}

  invoke(client: number, opType: string, input: EtcdRequest, node: number, linearizable = true): RecordedOp {
    const op: RecordedOp = { id: this.ops.length, client, opType, input, call: this.world.nowUs, output: null, return: null, status: "pending", linearizable };
    this.ops.push(op);
    this.world.record({ tUs: this.world.nowUs, type: "client-invoke", client, opId: op.id, op: opType, input, node });
    return op;
  }

  complete(op: RecordedOp, status: "ok" | "fail" | "unknown", output: EtcdResponse | null): void {
    op.status = status;
    if (status !== "unknown") {
      op.output = output;
      op.return = this.world.nowUs;
    }
    this.world.record({ tUs: this.world.nowUs, type: "client-return", client: op.client, opId: op.id, status, output });
  }

  /** Operations still outstanding at the end are unknown: they may or may not have applied. */
  closeOutstanding(): void {
    for (const op of this.ops) if (op.status === "pending") op.status = "unknown";
  }

  summary(): { total: number; ok: number; failed: number; unknown: number; byType: Record<string, number> } {
    const byType: Record<string, number> = {};
    let ok = 0, failed = 0, unknown = 0;
    for (const op of this.ops) {
      byType[op.opType] = (byType[op.opType] ?? 0) + 1;
      if (op.status === "ok") ok++;
      else if (op.status === "fail") failed++;
      else unknown++;
    }
    return { total: this.ops.length, ok, failed, unknown, byType: Object.fromEntries(Object.entries(byType).sort()) };
  }

  /** The checker's raftsim history JSON (formatVersion 1, model etcd). */
  toHistoryJson(): { formatVersion: 1; model: "etcd"; operations: { id: number; client: number; input: unknown; call: number; output: unknown; return: number | null }[] } {
    return {
      formatVersion: 1,
      model: "etcd",
      operations: this.ops.filter((op) => op.linearizable && !provesNothing(op)).map((op) => ({ id: op.id, client: op.client, input: op.input, call: op.call, output: op.return === null ? null : op.output, return: op.return })),
    };
  }
}

/** Errors the server returns before proposing: the request never took effect. */
const NOT_APPLIED_ERRORS = new Set([ERR_NOT_LEADER, ERR_NO_LEADER]);

/**
 * A failed request known not to have taken effect: refused before it was proposed, or one
 * of etcd's definite errors. Anything else that failed (a timeout, say) may have applied.
 */
export function failedForSure(op: RecordedOp): boolean {
  if (op.status !== "fail") return false;
  const error = op.output && "error" in op.output ? op.output.error : undefined;
  return (error !== undefined && NOT_APPLIED_ERRORS.has(error)) || isDefiniteError(op.output);
}

/**
 * An operation that certainly had no effect and returned nothing can be left out of the
 * history: a read that failed without an answer (a timeout, no leader), or a write rejected
 * before it was proposed. Keeping them would only widen the checker's search. A read that
 * failed with one of etcd's definite errors (compacted, future revision) is an answer about
 * the store, and stays for the model to judge.
 */
function provesNothing(op: RecordedOp): boolean {
  if (op.status !== "fail" && op.status !== "unknown") return false;
  const isRead = op.input.type === "range" || (op.input.type === "txn" && [...op.input.success, ...op.input.failure].every((o) => o.type === "range") && op.input.compare.length === 0);
  if (isRead) return !(op.status === "fail" && isDefiniteError(op.output));
  const error = op.output && "error" in op.output ? op.output.error : undefined;
  return op.status === "fail" && error !== undefined && NOT_APPLIED_ERRORS.has(error);
}
