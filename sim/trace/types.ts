// The trace: every observable event of a run as a typed record. Written as NDJSON (one
// header line, then one event per line); the run's hash (hash.ts) is over those records.
// The viewer imports only these types. Times are virtual microseconds (`tUs`).

export const TRACE_FORMAT_VERSION = 1;

export interface TraceHeader {
  type: "header";
  formatVersion: number;
  seed: number;
  scenario: string;
  config: unknown;
}

export type NodeId = number;
export type Role = "follower" | "pre-candidate" | "candidate" | "leader" | "learner";

export type DropReason =
  | "partition" // a partition or one-way cut separates the link
  | "loss" // random loss on the link
  | "clogged" // the link is clogged and the message expired... (clogs delay; drop only on crash)
  | "sender-down" // sender crashed before it left
  | "receiver-down" // receiver crashed at delivery time
  | "receiver-paused" // receiver paused at delivery time (a paused process receives nothing)
  | "receiver-restarted"; // sent on a connection (stream) to a receiver that crashed since: TCP never delivers it to the next run

interface At {
  tUs: number;
}

export type TraceEvent =
  // Network: every message's fate.
  | (At & { type: "send"; msgId: number; from: NodeId; to: NodeId; msgType: string; term?: number; bytes?: number; detail?: string })
  | (At & { type: "deliver"; msgId: number; from: NodeId; to: NodeId; msgType: string; sentUs: number })
  | (At & { type: "drop"; msgId: number; from: NodeId; to: NodeId; msgType: string; reason: DropReason })
  | (At & { type: "duplicate"; msgId: number; copyId: number; from: NodeId; to: NodeId })
  // Consensus observations, emitted by the host.
  | (At & { type: "role"; node: NodeId; role: Role; term: number; leader: NodeId | null })
  | (At & { type: "vote"; node: NodeId; term: number; votedFor: NodeId; granted: boolean; candidate: NodeId })
  | (At & { type: "commit"; node: NodeId; index: number; term: number })
  | (At & { type: "apply"; node: NodeId; index: number; revision?: number })
  | (At & { type: "node-state"; node: NodeId; term: number; vote: NodeId | null; commit: number; applied: number; logLength: number; revision?: number })
  // Disk.
  | (At & { type: "fsync-start"; node: NodeId; file: string; bytes: number })
  | (At & { type: "fsync-end"; node: NodeId; file: string; latencyUs: number; ok: boolean })
  // Faults injected by the world (crash, restart, pause, resume, partition, heal, clog, slow-disk, ...).
  | (At & { type: "fault"; fault: string; nodes: NodeId[]; detail?: string; untilUs?: number })
  // Clients and watchers.
  | (At & { type: "client-invoke"; client: number; opId: number; op: string; input: unknown; node?: NodeId })
  | (At & { type: "client-return"; client: number; opId: number; status: "ok" | "fail" | "unknown"; output: unknown })
  | (At & { type: "watch-event"; watcher: number; revision: number; events: unknown })
  // Free-form annotations (scenario steps).
  | (At & { type: "note"; node?: NodeId; text: string })
  // Results of the checks, appended after the run so the viewer can show them.
  | (At & { type: "check"; check: string; result: "pass" | "fail" | "unknown" | "skipped"; message?: string; detail?: unknown });

export type TraceEventType = TraceEvent["type"];

export type TraceRecord = TraceHeader | TraceEvent;
