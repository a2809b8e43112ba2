// Turns point "fault" events into windows (crash → restart, pause → resume, partition →
// heal, slow disk → its untilUs or end) so lanes can shade them and the cluster graph can
// cut links at any time. The world names faults freely, so classification goes by name.
import type { NodeId, TraceEvent } from "../../sim/trace/types";
import { type FaultKind, classifyFault, isOneWayCut, parseGroups } from "../../sim/trace/fault_kinds";
import type { Interval } from "./intervals";

export type { FaultKind };

export interface FaultWindow extends Interval {
  kind: FaultKind;
  fault: string;
  nodes: NodeId[];
  /** For partitions: the groups cut from each other (a node's group only talks within itself). */
  groups: NodeId[][] | null;
  /** One-way cut: only from nodes[0] to nodes[1]. */
  oneWay: boolean;
  detail?: string;
  /** Index of the fault event in the trace's event list. */
  eventIndex: number;
  /** True when no ending event was found: the window runs to the end of the trace. */
  open: boolean;
}

type FaultEvent = Extract<TraceEvent, { type: "fault" }>;

export function buildFaultWindows(events: readonly TraceEvent[], endUs: number): FaultWindow[] {
  const windows: FaultWindow[] = [];
  const open: FaultWindow[] = [];
  events.forEach((event, eventIndex) => {
    if (event.type !== "fault") return;
    const f = event as FaultEvent;
    const { kind, ends } = classifyFault(f.fault);
    if (ends) {
      // Close the open windows of this kind on these nodes (heal / a node-less end closes all).
      for (let i = open.length - 1; i >= 0; i--) {
        const w = open[i]!;
        const sameNodes = f.nodes.length === 0 || kind === "partition" || w.nodes.some((n) => f.nodes.includes(n));
        const sameKind = w.kind === kind || (kind === "partition" && (w.kind === "clog" || w.kind === "partition"));
        if (sameKind && sameNodes) {
          w.endUs = f.tUs;
          w.open = false;
          open.splice(i, 1);
        }
      }
      return;
    }
    const w: FaultWindow = {
      startUs: f.tUs,
      endUs: f.untilUs ?? endUs,
      kind,
      fault: f.fault,
      nodes: f.nodes,
      groups: kind === "partition" ? parseGroups(f.detail) : null,
      oneWay: kind === "partition" && isOneWayCut(f.fault),
      detail: f.detail,
      eventIndex,
      open: f.untilUs === undefined,
    };
    windows.push(w);
    if (f.untilUs === undefined && kind !== "clock" && kind !== "other") open.push(w);
    if (kind === "clock" || kind === "other") {
      w.open = false;
      if (f.untilUs === undefined) w.endUs = f.tUs;
    }
  });
  return windows;
}

/** Links (a < b) cut at a time by the given active partition windows, with direction info. */
export function cutLinks(active: readonly FaultWindow[], nodes: readonly NodeId[]): Map<string, { a: NodeId; b: NodeId; oneWay: boolean }> {
  const cuts = new Map<string, { a: NodeId; b: NodeId; oneWay: boolean }>();
  const add = (x: NodeId, y: NodeId, oneWay: boolean) => {
    if (x === y) return;
    const [a, b] = x < y ? [x, y] : [y, x];
    const key = `${a}-${b}`;
    const prev = cuts.get(key);
    cuts.set(key, { a, b, oneWay: prev ? prev.oneWay && oneWay : oneWay });
  };
  for (const w of active) {
    if (w.kind !== "partition") continue;
    if (w.oneWay && w.nodes.length === 2) {
      add(w.nodes[0]!, w.nodes[1]!, true);
      continue;
    }
    const groups = w.groups ?? [w.nodes, nodes.filter((n) => !w.nodes.includes(n))];
    for (let i = 0; i < groups.length; i++) for (let j = i + 1; j < groups.length; j++) for (const x of groups[i]!) for (const y of groups[j]!) add(x, y, false);
  }
  return cuts;
}
