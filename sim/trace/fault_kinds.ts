// What a trace's "fault" event does, by its name. The world names its faults (crash,
// fail-stop, pause, isolate, partition, heal, ...) and traces from other tools name theirs
// freely, so the viewer and the election tracker classify by name, in one place.
import type { NodeId } from "./types";

export type FaultKind = "crash" | "pause" | "partition" | "disk" | "clog" | "clock" | "other";

/** The kind of a fault event, and whether it ends faults of that kind (restart, resume, heal). */
export function classifyFault(name: string): { kind: FaultKind; ends: boolean } {
  const n = name.toLowerCase();
  if (/^(restart|recover|start|revive|up)$/.test(n)) return { kind: "crash", ends: true };
  if (/^(resume|unpause|continue)$/.test(n)) return { kind: "pause", ends: true };
  if (/^(heal|heal-all|heal-network|unpartition)$/.test(n)) return { kind: "partition", ends: true };
  if (/^(unclog)$/.test(n)) return { kind: "clog", ends: true };
  // The world ends a disk stall with "disk-release" and a pending fsync error with "fsync-error-clear".
  if (/(disk|fsync).*(heal|end|ok|normal|restore|release|clear)|^(heal|restore)-(disk|fsync)|unstall/.test(n)) return { kind: "disk", ends: true };
  if (/crash|kill|stop|power/.test(n)) return { kind: "crash", ends: false };
  if (/pause|freeze|sigstop/.test(n)) return { kind: "pause", ends: false };
  if (/partition|isolate|cut|one-way|oneway|asym/.test(n)) return { kind: "partition", ends: false };
  if (/clog/.test(n)) return { kind: "clog", ends: false };
  if (/disk|fsync|stall|slow/.test(n)) return { kind: "disk", ends: false };
  if (/clock|skew|drift/.test(n)) return { kind: "clock", ends: false };
  return { kind: "other", ends: false };
}

/** True for a partition-kind fault that cuts in one direction only. */
export function isOneWayCut(name: string): boolean {
  return /one-way|oneway|asym/.test(name.toLowerCase());
}

/** Groups from a detail such as "[[1],[2,3]]" or "1|2,3" or "{1} {2,3}"; null if none. */
export function parseGroups(detail: string | undefined): NodeId[][] | null {
  if (!detail) return null;
  const json = /\[\s*\[[\d\s,[\]]*\]\s*\]/.exec(detail);
  if (json) {
    try {
      const groups = JSON.parse(json[0]) as unknown;
      if (Array.isArray(groups) && groups.every((g) => Array.isArray(g) && g.every((x) => typeof x === "number"))) return groups as NodeId[][];
    } catch {
      // fall through to the other spellings
    }
  }
  const parts = detail.split(/\s*(?:\||\}\s*\{|\]\s*\[|\/)\s*/).map((p) => (p.match(/\d+/g) ?? []).map(Number));
  return parts.length >= 2 && parts.every((p) => p.length > 0) ? parts : null;
}
