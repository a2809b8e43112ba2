// Membership changes by joint consensus (Raft thesis §4.3; etcd-io/raft confchange).
// A change touching voters moves C_old to C_old,new (both majorities needed), and an
// empty change moves C_old,new to C_new. Learners (thesis §4.2.1) never vote.
import { assert } from "../assert";
import type { ConfChange, ConfState, NodeId } from "./types";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeConfChange(cc: ConfChange): Uint8Array {
  return encoder.encode(JSON.stringify(cc.changes.map((c) => [c.op, c.node])));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const raw = JSON.parse(decoder.decode(data)) as [string, number][];
  assert(Array.isArray(raw), "conf change payload is an array");
  return {
    changes: raw.map(([op, node]) => {
      assert(op === "add-voter" || op === "remove-node" || op === "add-learner", () => `conf change op ${op}`);
      assert(Number.isInteger(node) && node > 0, () => `conf change node ${node}`);
      return { op, node };
    }),
  };
}

export function isJoint(cs: ConfState): boolean {
  return cs.votersOutgoing.length > 0;
}

export function isVoter(cs: ConfState, id: NodeId): boolean {
  return cs.voters.includes(id) || cs.votersOutgoing.includes(id);
}

/** Every node the leader replicates to, ascending (deterministic iteration order). */
export function allMembers(cs: ConfState): NodeId[] {
  const s = new Set<NodeId>([...cs.voters, ...cs.votersOutgoing, ...cs.learners]);
  return [...s].sort((a, b) => a - b);
}

function sorted(ids: Iterable<NodeId>): NodeId[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** Why a change may not be proposed now, or null when it is acceptable. */
export function validateConfChange(cs: ConfState, cc: ConfChange): string | null {
  if (cc.changes.length === 0) return isJoint(cs) ? null : "not in a joint configuration";
  if (isJoint(cs)) return "a joint configuration is pending; leave it first";
  const seen = new Set<NodeId>();
  for (const c of cc.changes) {
    if (seen.has(c.node)) return `node ${c.node} changed twice`;
    seen.add(c.node);
    if (c.op === "add-learner" && cs.voters.includes(c.node)) return `node ${c.node} is a voter; demotion is not supported`;
  }
  const next = applyConfChange(cs, cc);
  if (next.voters.length === 0) return "the change removes every voter";
  return null;
}

/** Pure transition function; the result's id lists are sorted. */
export function applyConfChange(cs: ConfState, cc: ConfChange): ConfState {
  if (cc.changes.length === 0) {
    // Leave joint: C_new alone decides from now on (§4.3).
    return { voters: cs.voters, votersOutgoing: [], learners: cs.learners };
  }
  const voters = new Set(cs.voters);
  const learners = new Set(cs.learners);
  let touchesVoters = false;
  for (const c of cc.changes) {
    if (c.op === "add-voter") {
      learners.delete(c.node);
      if (!voters.has(c.node)) touchesVoters = true;
      voters.add(c.node);
    } else if (c.op === "add-learner") {
      if (!voters.has(c.node)) learners.add(c.node);
    } else {
      if (voters.has(c.node)) touchesVoters = true;
      voters.delete(c.node);
      learners.delete(c.node);
    }
  }
  // Bootstrap (no voters yet) and learner-only changes need no joint phase: the set of
  // voters that decides does not change, so no two majorities can disagree.
  const joint = touchesVoters && cs.voters.length > 0;
  return {
    voters: sorted(voters),
    votersOutgoing: joint ? sorted(cs.voters) : [],
    learners: sorted(learners),
  };
}
