// Precomputes everything the views need from a parsed trace, once: per-node role
// intervals, fault windows, messages and client operations as interval indexes, elections,
// per-node state history. Every redraw then only looks things up by time.
import type { NodeId, Role, TraceEvent, TraceHeader } from "../../sim/trace/types";
import { type CounterexampleView, extractCounterexample } from "./counterexample";
import { type Election, deriveElections } from "./elections";
import { type FaultWindow, buildFaultWindows, cutLinks } from "./faults";
import { type Interval, IntervalIndex, upperBound } from "./intervals";
import type { ParsedTrace } from "./parse";

export interface RoleInterval extends Interval {
  node: NodeId;
  role: Role;
  term: number;
  leader: NodeId | null;
  eventIndex: number;
}

export type MessageStatus = "delivered" | "dropped" | "lost";

export interface Message extends Interval {
  msgId: number;
  from: NodeId;
  to: NodeId;
  msgType: string;
  term?: number;
  detail?: string;
  status: MessageStatus;
  dropReason?: string;
  sendIndex: number;
  endIndex: number | null;
}

export type OpStatus = "ok" | "fail" | "unknown";

export interface ClientOp extends Interval {
  client: number;
  opId: number;
  op: string;
  input: unknown;
  output: unknown;
  status: OpStatus;
  node?: NodeId;
  invokeIndex: number;
  returnIndex: number | null;
}

export interface CheckRecord {
  check: string;
  result: "pass" | "fail" | "unknown" | "skipped";
  message?: string;
  detail?: unknown;
  eventIndex: number;
  counterexample: CounterexampleView | null;
}

export type NodeStateEvent = Extract<TraceEvent, { type: "node-state" }>;

export interface TraceModel {
  header: TraceHeader;
  events: TraceEvent[];
  /** events[i].tUs, for binary search. */
  timesUs: Float64Array;
  startUs: number;
  endUs: number;
  /** Cluster members: ids that take roles, vote, commit, apply, sync a disk or suffer faults. */
  nodes: NodeId[];
  /** Client lanes: ids that invoke operations, and message endpoints that are not members (watchers). */
  clients: number[];
  /** Client lanes that only exchange messages (no operations of their own): watchers, probes. */
  messageOnlyClients: Set<number>;
  /**
   * The lanes under the members, in order: one per client or watcher, except that the
   * store's own lease expiries (each recorded as a client of one "lease-expire" operation,
   * so the checker sees them as concurrent) share one "lessor" lane.
   */
  clientLanes: { label: string; ids: number[] }[];
  roles: Map<NodeId, RoleInterval[]>;
  faults: FaultWindow[];
  faultIndex: IntervalIndex<FaultWindow>;
  /** Indices of fault events, for "next fault". */
  faultEventIndices: number[];
  messages: IntervalIndex<Message>;
  /** Message types with their counts, most frequent first. */
  msgTypes: { msgType: string; count: number }[];
  ops: IntervalIndex<ClientOp>;
  opsById: Map<number, ClientOp>;
  elections: Election[];
  checks: CheckRecord[];
  nodeStates: Map<NodeId, NodeStateEvent[]>;
  unknownTypes: Record<string, number>;
}

export function isHeartbeat(msgType: string): boolean {
  return /heartbeat/i.test(msgType);
}

export function buildModel(parsed: ParsedTrace): TraceModel {
  const { header, events } = parsed;
  const timesUs = new Float64Array(events.length);
  for (let i = 0; i < events.length; i++) timesUs[i] = events[i]!.tUs;
  const startUs = events.length ? Math.min(0, timesUs[0]!) : 0;
  const endUs = events.length ? Math.max(timesUs[events.length - 1]!, startUs + 1) : 1;

  const nodeSet = new Set<NodeId>();
  /** Every message endpoint: members, and the client processes that talk to them. */
  const endpointSet = new Set<NodeId>();
  const clientSet = new Set<number>();
  const roleEvents = new Map<NodeId, { ev: Extract<TraceEvent, { type: "role" }>; i: number }[]>();
  const messages = new Map<number, Message>();
  const ops = new Map<number, ClientOp>();
  const nodeStates = new Map<NodeId, NodeStateEvent[]>();
  const checks: CheckRecord[] = [];
  const faultEventIndices: number[] = [];
  const typeCounts = new Map<string, number>();

  events.forEach((ev, i) => {
    switch (ev.type) {
      case "send": {
        endpointSet.add(ev.from).add(ev.to);
        messages.set(ev.msgId, { startUs: ev.tUs, endUs, msgId: ev.msgId, from: ev.from, to: ev.to, msgType: ev.msgType, term: ev.term, detail: ev.detail, status: "lost", sendIndex: i, endIndex: null });
        typeCounts.set(ev.msgType, (typeCounts.get(ev.msgType) ?? 0) + 1);
        break;
      }
      case "duplicate": {
        const orig = messages.get(ev.msgId);
        if (orig) messages.set(ev.copyId, { ...orig, msgId: ev.copyId, startUs: ev.tUs, endUs, status: "lost", sendIndex: i, endIndex: null });
        break;
      }
      case "deliver":
      case "drop": {
        endpointSet.add(ev.from).add(ev.to);
        let m = messages.get(ev.msgId);
        if (!m) {
          // The send fell outside the trace (or was not traced): start it where we can.
          const sentUs = ev.type === "deliver" ? ev.sentUs : ev.tUs;
          m = { startUs: sentUs, endUs, msgId: ev.msgId, from: ev.from, to: ev.to, msgType: ev.msgType, status: "lost", sendIndex: i, endIndex: null };
          messages.set(ev.msgId, m);
          typeCounts.set(ev.msgType, (typeCounts.get(ev.msgType) ?? 0) + 1);
        }
        m.endUs = ev.tUs;
        m.endIndex = i;
        m.status = ev.type === "deliver" ? "delivered" : "dropped";
        if (ev.type === "drop") m.dropReason = ev.reason;
        break;
      }
      case "role": {
        nodeSet.add(ev.node);
        let list = roleEvents.get(ev.node);
        if (!list) roleEvents.set(ev.node, (list = []));
        list.push({ ev, i });
        break;
      }
      case "vote":
      case "commit":
      case "apply":
      case "fsync-start":
      case "fsync-end":
        nodeSet.add(ev.node);
        break;
      case "node-state": {
        nodeSet.add(ev.node);
        let list = nodeStates.get(ev.node);
        if (!list) nodeStates.set(ev.node, (list = []));
        list.push(ev);
        break;
      }
      case "fault":
        for (const n of ev.nodes) nodeSet.add(n);
        faultEventIndices.push(i);
        break;
      case "client-invoke":
        clientSet.add(ev.client);
        ops.set(ev.opId, { startUs: ev.tUs, endUs, client: ev.client, opId: ev.opId, op: ev.op, input: ev.input, output: undefined, status: "unknown", node: ev.node, invokeIndex: i, returnIndex: null });
        break;
      case "client-return": {
        const op = ops.get(ev.opId);
        if (!op) break;
        op.endUs = ev.tUs;
        op.status = ev.status === "ok" || ev.status === "fail" ? ev.status : "unknown";
        op.output = ev.output;
        op.returnIndex = i;
        break;
      }
      case "check":
        checks.push({ check: ev.check, result: ev.result, message: ev.message, detail: ev.detail, eventIndex: i, counterexample: ev.result === "fail" ? extractCounterexample(ev.detail) : null });
        break;
      default:
        break;
    }
  });

  // A trace with no member events at all (messages only, from another tool) shows every endpoint as a node.
  if (nodeSet.size === 0) for (const id of endpointSet) nodeSet.add(id);
  const nodes = [...nodeSet].sort((a, b) => a - b);
  const messageOnlyClients = new Set([...endpointSet].filter((id) => !nodeSet.has(id) && !clientSet.has(id)));
  const clients = [...clientSet, ...messageOnlyClients].sort((a, b) => a - b);
  const opsOf = new Map<number, string[]>();
  for (const op of ops.values()) {
    let list = opsOf.get(op.client);
    if (!list) opsOf.set(op.client, (list = []));
    list.push(op.op);
  }
  const isLessor = (id: number) => !messageOnlyClients.has(id) && (opsOf.get(id) ?? []).length > 0 && opsOf.get(id)!.every((op) => op === "lease-expire");
  const lessorIds = clients.filter(isLessor);
  const clientLanes = clients.filter((id) => !isLessor(id)).map((id) => ({ label: `${messageOnlyClients.has(id) ? "process" : "client"} ${id}`, ids: [id] }));
  if (lessorIds.length > 0) clientLanes.push({ label: "lessor", ids: lessorIds });
  const roles = new Map<NodeId, RoleInterval[]>();
  for (const node of nodes) {
    const list = roleEvents.get(node) ?? [];
    roles.set(
      node,
      list.map(({ ev, i }, k) => ({ startUs: ev.tUs, endUs: list[k + 1]?.ev.tUs ?? endUs, node, role: ev.role, term: ev.term, leader: ev.leader, eventIndex: i })),
    );
  }
  const faults = buildFaultWindows(events, endUs);
  return {
    header,
    events,
    timesUs,
    startUs,
    endUs,
    nodes,
    clients,
    messageOnlyClients,
    clientLanes,
    roles,
    faults,
    faultIndex: new IntervalIndex(faults),
    faultEventIndices,
    messages: new IntervalIndex([...messages.values()]),
    msgTypes: [...typeCounts].map(([msgType, count]) => ({ msgType, count })).sort((a, b) => b.count - a.count || a.msgType.localeCompare(b.msgType)),
    ops: new IntervalIndex([...ops.values()]),
    opsById: ops,
    elections: deriveElections(events, startUs),
    checks,
    nodeStates,
    unknownTypes: parsed.unknownTypes,
  };
}

/** The role interval of a node covering tUs, if any. */
export function roleAt(model: TraceModel, node: NodeId, tUs: number): RoleInterval | null {
  const list = model.roles.get(node) ?? [];
  const i = upperBound(list, tUs, (r) => r.startUs) - 1;
  return i >= 0 ? list[i]! : null;
}

/** The latest node-state record of a node at or before tUs. */
export function nodeStateAt(model: TraceModel, node: NodeId, tUs: number): NodeStateEvent | null {
  const list = model.nodeStates.get(node) ?? [];
  const i = upperBound(list, tUs, (s) => s.tUs) - 1;
  return i >= 0 ? list[i]! : null;
}

export interface ClusterSnapshot {
  tUs: number;
  nodes: { node: NodeId; role: Role | "down"; term: number; leaderOf: boolean; paused: boolean; crashed: boolean; slowDisk: boolean }[];
  cuts: Map<string, { a: NodeId; b: NodeId; oneWay: boolean }>;
}

/** The cluster as it stood at tUs: roles, terms, faults in force, cut links. */
export function clusterAt(model: TraceModel, tUs: number): ClusterSnapshot {
  const active = model.faultIndex.overlapping(tUs, tUs).filter((w) => w.startUs <= tUs && tUs < w.endUs);
  const nodes = model.nodes.map((node) => {
    const r = roleAt(model, node, tUs);
    const on = (kind: FaultWindow["kind"]) => active.some((w) => w.kind === kind && w.nodes.includes(node));
    const crashed = on("crash");
    return { node, role: crashed ? ("down" as const) : (r?.role ?? "follower"), term: r?.term ?? 0, leaderOf: !crashed && r?.role === "leader", paused: on("pause"), crashed, slowDisk: on("disk") };
  });
  return { tUs, nodes, cuts: cutLinks(active, model.nodes) };
}

/** Index of the first event strictly after tUs that passes the filter, or -1. */
export function nextEventIndex(model: TraceModel, tUs: number, accept: (ev: TraceEvent) => boolean): number {
  for (let i = upperBound(model.timesUs, tUs, (x) => x); i < model.events.length; i++) if (accept(model.events[i]!)) return i;
  return -1;
}

/** Index of the last event strictly before tUs that passes the filter, or -1. */
export function prevEventIndex(model: TraceModel, tUs: number, accept: (ev: TraceEvent) => boolean): number {
  let i = upperBound(model.timesUs, tUs, (x) => x) - 1;
  while (i >= 0 && model.timesUs[i]! >= tUs) i--;
  for (; i >= 0; i--) if (accept(model.events[i]!)) return i;
  return -1;
}
