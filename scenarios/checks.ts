// The checks run after every scenario: linearizability of the client history (checker/,
// etcd model), the watch rules, durability (no acknowledged write lost), convergence
// (identical MVCC state at equal applied index) and liveness (see run.ts).
import { checkHistory, type CheckResult as LinResult } from "../checker/index";
import { checkWatches, type StoreEvent, type WatcherHistory } from "../checker/watch";
import type { KvServer } from "../core/server/server";
import { stateHashOf } from "../sim/etcd/state_hash";
import { type CompactionRecord, hintedHistoryJson } from "./lin_hints";
import { failedForSure, type HistoryRecorder, type RecordedOp } from "./workload/history";

export type CheckResult = "pass" | "fail" | "unknown" | "skipped";

export interface CheckOutcome {
  result: CheckResult;
  messages: string[];
  detail?: unknown;
}

/** Search budget in checker polls (each poll is a few thousand steps): deterministic, unlike time. */
export const LINEARIZABILITY_POLLS_MAX = 250;

export function checkLinearizability(recorder: HistoryRecorder, store: readonly StoreEvent[] = [], compactions: readonly CompactionRecord[] = [], proposedAtUs: ReadonlyMap<number, number> = new Map()): CheckOutcome & { lin?: LinResult } {
  // With the store's own account of where each operation took effect, for the checker to
  // verify first (lin_hints.ts): a correct store's history then needs no search.
  const history = hintedHistoryJson(recorder, store, compactions, proposedAtUs);
  const operations = history.operations.map((op) => ({ ...op, return: op.return === null ? Infinity : op.return }));
  // Two complete searches, each sound, that differ in the order they try things: open
  // operations (timed out: may or may not have applied) last, then, if half the budget did
  // not settle it, first. Each order has histories where it is exponential and the other
  // is not (a client's run of unobserved timeouts; a dead end with many open operations in
  // reach). Over 6,000 fuzz runs: unknown in 7 instead of 21 (eager alone) or 8 (lazy alone).
  let polls = 0;
  let lin = checkHistory({ model: "etcd", operations }, "etcd", { budget: { exhausted: () => ++polls > LINEARIZABILITY_POLLS_MAX / 2 } });
  if (lin.verdict === "unknown") lin = checkHistory({ model: "etcd", operations }, "etcd", { openLast: false, budget: { exhausted: () => ++polls > LINEARIZABILITY_POLLS_MAX } });
  if (lin.verdict === "linearizable") return { result: "pass", messages: [], lin };
  if (lin.verdict === "unknown") {
    const why = lin.unknownBecause === "memory" ? "search memory bound (memo table) filled up" : `search budget of ${LINEARIZABILITY_POLLS_MAX} polls exhausted`;
    return { result: "unknown", messages: [`${why} on ${lin.operations} operations`], lin };
  }
  const ce = lin.counterexample!;
  const blocking = ce.descriptions[ce.blocking] ?? `op ${ce.blocking}`;
  return {
    result: "fail",
    messages: [`history of ${lin.operations} operations is not linearizable: op ${ce.blocking} (${blocking}) cannot be placed after ${ce.linearized.length} linearized operations; state there: ${ce.state.slice(0, 300)}`],
    lin,
    detail: ce,
  };
}

export interface Replica {
  node: number;
  appliedIndex: number;
  server: KvServer;
}

export function stateHash(server: KvServer): string {
  return stateHashOf(server.snapshot());
}

/** What the oracle compared during the run (sim/etcd/oracle.ts, recordState). */
export interface StateCheckpoints {
  /** Checkpoint indexes two or more replicas reached. */
  shared: number;
  /** Replicas whose state differed there. */
  mismatches: readonly string[];
}

/**
 * Replicas at equal applied index must hold identical state: the live ones at the end, and
 * every replica (removed and crashed ones too) at the checkpoints taken during the run.
 */
export function checkConvergence(replicas: Replica[], checkpoints: StateCheckpoints = { shared: 0, mismatches: [] }): CheckOutcome {
  const byIndex = new Map<number, { node: number; hash: string }[]>();
  for (const r of replicas) {
    const list = byIndex.get(r.appliedIndex) ?? [];
    list.push({ node: r.node, hash: stateHash(r.server) });
    byIndex.set(r.appliedIndex, list);
  }
  const messages: string[] = [...checkpoints.mismatches];
  let compared = 0;
  for (const [index, list] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    if (list.length < 2) continue;
    compared++;
    const first = list[0]!;
    for (const other of list.slice(1)) {
      if (other.hash !== first.hash) messages.push(`nodes ${first.node} and ${other.node} differ at applied index ${index} (state ${first.hash.slice(0, 12)} vs ${other.hash.slice(0, 12)})`);
    }
  }
  if (messages.length > 0) return { result: "fail", messages };
  if (compared > 0 || checkpoints.shared > 0) return { result: "pass", messages: [] };
  const atEnd = replicas.length < 2 ? "fewer than two live replicas to compare" : `no two replicas reached the same applied index (${replicas.map((r) => `${r.node}@${r.appliedIndex}`).join(", ")})`;
  return { result: "unknown", messages: [`no two replicas met at a state checkpoint during the run; at the end, ${atEnd}`] };
}

/** Every acknowledged write is present, exactly as acknowledged, on the most advanced replica. */
export function checkDurability(recorder: HistoryRecorder, replicas: Replica[]): CheckOutcome {
  if (replicas.length === 0) return { result: "unknown", messages: ["no live replica"] };
  const best = replicas.reduce((a, b) => (b.appliedIndex > a.appliedIndex ? b : a));
  const server = best.server;
  const messages: string[] = [];
  let checked = 0;
  for (const op of recorder.ops) {
    if (op.status !== "ok" || !op.output || "error" in op.output) continue;
    const revision = op.output.header.revision;
    const writes = acknowledgedWrites(op);
    if (writes.length === 0) continue;
    if (server.currentRevision() < revision) {
      messages.push(`acknowledged ${op.opType} (op ${op.id}) at revision ${revision} is lost: node ${best.node} is at revision ${server.currentRevision()}`);
      continue;
    }
    if (revision <= server.compactRevision()) continue; // history below compaction is gone by design
    for (const w of writes) {
      const read = server.query({ key: w.key, revision });
      if ("error" in read) {
        messages.push(`reading back op ${op.id} at revision ${revision}: ${String(read.error)}`);
        continue;
      }
      const kv = read.type === "range" ? read.kvs[0] : undefined;
      checked++;
      if (w.value === undefined) {
        if (kv) messages.push(`acknowledged delete of ${w.key} (op ${op.id}, revision ${revision}) is not there: the key still exists`);
      } else if (!kv || kv.modRevision !== revision || kv.value !== w.value) {
        messages.push(`acknowledged put ${w.key}=${w.value} (op ${op.id}, revision ${revision}) is lost: node ${best.node} has ${kv ? `${kv.value}@${kv.modRevision}` : "no key"}`);
      }
    }
  }
  if (messages.length > 0) return { result: "fail", messages: messages.slice(0, 20) };
  return { result: "pass", messages: [], detail: { checked } };
}

function acknowledgedWrites(op: RecordedOp): { key: string; value: string | undefined }[] {
  const input = op.input;
  const output = op.output as { succeeded?: boolean; deleted?: number } | null;
  if (input.type === "put") return input.ignoreValue ? [] : [{ key: input.key, value: input.value }];
  if (input.type === "deleteRange" && !input.rangeEnd && (output?.deleted ?? 0) > 0) return [{ key: input.key, value: undefined }];
  if (input.type === "txn" && output && typeof output.succeeded === "boolean") {
    const branch = output.succeeded ? input.success : input.failure;
    const puts: { key: string; value: string | undefined }[] = [];
    for (const o of branch) if (o.type === "put" && !o.ignoreValue) puts.push({ key: o.key, value: o.value });
    return puts;
  }
  return [];
}

export function checkWatchRules(watchers: WatcherHistory[], storeEvents: StoreEvent[], compactRevisions: readonly number[] = []): CheckOutcome {
  if (watchers.length === 0) return { result: "skipped", messages: ["no watchers in this workload"] };
  const r = checkWatches(watchers, storeEvents, { compactRevisions });
  if (r.ok) return { result: "pass", messages: [] };
  return { result: "fail", messages: r.violations.slice(0, 10).map((v) => `watcher ${v.watcher} broke "${v.rule}": ${v.message}`), detail: r.violations };
}

/**
 * Revisions the history's compact requests may have compacted the store at: all but
 * definite failures. "request timed out" is a failed request whose proposal may still
 * commit (as etcd's ErrTimeout), so it counts (clean campaign seed 13, run 3555).
 */
export function compactRevisionsOf(recorder: HistoryRecorder): number[] {
  const out: number[] = [];
  for (const op of recorder.ops) if (op.input.type === "compact" && !failedForSure(op)) out.push(op.input.revision);
  return out;
}
